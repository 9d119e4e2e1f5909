"""Mail over STARTTLS with a login, against a real aiosmtpd server with a certificate from a throw-away CA.

The server refuses to take mail before STARTTLS and refuses AUTH in clear text, like a real submission
server; the app must upgrade the connection, check the certificate and log in before it sends.
"""

import email
import email.policy
import socket
import ssl
from email.message import EmailMessage

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from marketplace.mail import send_message

USERNAME, PASSWORD = "ocop-mailer", "correct horse battery staple"


class _Handler:
    def __init__(self):
        self.received: list[tuple[EmailMessage, bool, str | None]] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        login = session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None
        self.received.append((message, session.ssl is not None, login))
        return "250 Message accepted for delivery"


def _authenticate(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USERNAME.encode(), PASSWORD.encode())
    # handled=False: aiosmtpd answers the refusal itself (535).
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def certificate_authority():
    return trustme.CA()


@pytest.fixture(scope="module")
def tls_server(certificate_authority):
    """A submission server on 127.0.0.1: STARTTLS required, AUTH only over TLS."""
    server_context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    certificate_authority.issue_cert("127.0.0.1", "localhost").configure_cert(server_context)
    controller = Controller(_Handler(), hostname="127.0.0.1", port=_free_port(), tls_context=server_context,
                            require_starttls=True, auth_require_tls=True, authenticator=_authenticate)
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def tls_mail(app, tls_server, certificate_authority, tmp_path, monkeypatch):
    """Point the app's mail settings at the TLS server, trusting the throw-away CA."""
    ca_file = tmp_path / "ca.pem"
    certificate_authority.cert_pem.write_to_path(str(ca_file))
    for key, value in {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": tls_server.port, "MAIL_TO_LOG": False,
                       "MAIL_USE_TLS": True, "MAIL_USERNAME": USERNAME, "MAIL_PASSWORD": PASSWORD,
                       "MAIL_TLS_CA_FILE": str(ca_file)}.items():
        monkeypatch.setitem(app.config, key, value)
    tls_server.handler.received.clear()
    return tls_server.handler.received


def _message(to="buyer@example.test") -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "no-reply@ocop.example", to, "Đơn hàng OC-2611-000001"
    message.set_content("Cảm ơn bạn đã mua hàng.")
    return message


def test_mail_goes_over_starttls_after_logging_in(app, tls_mail):
    assert send_message(app, _message()) is True
    [(message, encrypted, login)] = tls_mail
    assert encrypted and login == USERNAME
    assert message["Subject"] == "Đơn hàng OC-2611-000001"
    assert message.get_content().strip() == "Cảm ơn bạn đã mua hàng."


def test_a_wrong_password_is_logged_and_nothing_is_sent(app, tls_mail, monkeypatch, caplog):
    monkeypatch.setitem(app.config, "MAIL_PASSWORD", "wrong")
    assert send_message(app, _message()) is False
    assert tls_mail == []
    assert "could not send e-mail" in caplog.text


def test_a_server_whose_certificate_cannot_be_verified_gets_no_mail(app, tls_mail, monkeypatch, caplog):
    """Without the CA that signed it, the certificate is refused: no login, no message over that connection."""
    monkeypatch.setitem(app.config, "MAIL_TLS_CA_FILE", "")
    assert send_message(app, _message()) is False
    assert tls_mail == []
    assert "CERTIFICATE_VERIFY_FAILED" in caplog.text


def test_without_starttls_the_server_refuses_the_mail(app, tls_mail, monkeypatch):
    """MAIL_USE_TLS off against a server that requires it: refused, reported as not sent."""
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)
    monkeypatch.setitem(app.config, "MAIL_USERNAME", "")
    assert send_message(app, _message()) is False
    assert tls_mail == []
