"""Mail is queued during a unit of work and leaves through SMTP only when that work commits."""

import pytest
from flask_babel import lazy_gettext

from marketplace import mail
from marketplace.extensions import db
from tests.factories import make_user


def _queue_reset_mail(user, language=None):
    mail.queue_mail(user.email, lazy_gettext("Reset your password"), "password_reset", language=language,
                    user=user, reset_url="http://localhost/accounts/reset/abc", minutes=60)


def test_mail_is_sent_after_commit(outbox):
    """A queued message reaches the SMTP server once the transaction commits, not before."""
    user = make_user("an@example.test", preferred_language="en")
    _queue_reset_mail(user, language="en")
    assert len(mail.pending_mail()) == 1
    assert len(outbox) == 0
    db.session.commit()
    outbox.wait_for(1)
    assert len(outbox) == 1
    message = outbox[0]
    assert message["To"] == "an@example.test"
    assert message["Subject"] == "Reset your password"
    assert "http://localhost/accounts/reset/abc" in message.get_body(("plain",)).get_content()
    assert "http://localhost/accounts/reset/abc" in message.get_body(("html",)).get_content()


def test_mail_is_dropped_on_rollback(outbox):
    """Nothing is sent for work that was rolled back, even when a later commit happens."""
    user = make_user()
    db.session.commit()
    _queue_reset_mail(user)
    db.session.rollback()
    assert mail.pending_mail() == []
    make_user()
    db.session.commit()
    assert len(outbox.wait_for(1, timeout=0.3)) == 0


def test_mail_is_written_in_the_recipients_language(outbox):
    """The same mail reads in Vietnamese for a Vietnamese user and in English for an English one."""
    vietnamese = make_user("vi@example.test")
    english = make_user("en@example.test")
    _queue_reset_mail(vietnamese, language="vi")
    _queue_reset_mail(english, language="en")
    db.session.commit()
    outbox.wait_for(2)
    assert outbox.to("vi@example.test")[0]["Subject"] == "Đặt lại mật khẩu"
    assert outbox.to("en@example.test")[0]["Subject"] == "Reset your password"


def test_one_message_per_recipient(outbox):
    """A list of recipients gets separate messages, so no address is shown to the others."""
    user = make_user()
    mail.queue_mail(["a@example.test", "b@example.test"], "Hello", "password_reset", user=user,
                    reset_url="http://localhost/x", minutes=60)
    db.session.commit()
    outbox.wait_for(2)
    assert sorted(message["To"] for message in outbox) == ["a@example.test", "b@example.test"]


def test_mail_outside_a_request_uses_the_site_url(app, outbox, runner):
    """Mail queued from a CLI-like context (no request) still renders external links."""
    user = make_user()
    mail.queue_mail(user.email, "Hi", "welcome", user=user, shop_url="http://localhost/products")
    db.session.commit()
    outbox.wait_for(1)
    assert app.config["SITE_URL"] in outbox[0].get_body(("plain",)).get_content()


def test_mail_to_log_in_development(app, outbox, caplog, monkeypatch):
    """With MAIL_TO_LOG the message is written to the log and not sent."""
    # Alembic's fileConfig (run by the app fixture) disables loggers that existed before it.
    monkeypatch.setattr(mail.log, "disabled", False)
    user = make_user()
    app.config["MAIL_TO_LOG"] = True
    try:
        with caplog.at_level("INFO", logger="marketplace.mail"):
            mail.queue_mail(user.email, "Logged only", "welcome", user=user, shop_url="http://localhost/")
            db.session.commit()
    finally:
        app.config["MAIL_TO_LOG"] = False
    assert "Logged only" in caplog.text
    assert len(outbox.wait_for(1, timeout=0.3)) == 0


@pytest.mark.committed
def test_mail_after_a_real_commit(outbox):
    """Outside the tests' savepoint wrapper, a real COMMIT also sends the mail."""
    user = make_user()
    _queue_reset_mail(user)
    db.session.commit()
    assert len(outbox.wait_for(1)) == 1


def test_unreachable_mail_server_is_logged_not_raised(app, outbox, caplog, monkeypatch):
    """If the SMTP server is down the committed work stands and the failure is logged."""
    monkeypatch.setattr(mail.log, "disabled", False)
    monkeypatch.setitem(app.config, "MAIL_PORT", _closed_port())
    user = make_user()
    _queue_reset_mail(user)
    with caplog.at_level("ERROR", logger="marketplace.mail"):
        db.session.commit()
    assert "could not send e-mail" in caplog.text
    assert db.session.get(type(user), user.id) is not None


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("prefix", range(0, 24))
def test_a_long_vietnamese_subject_arrives_with_every_space(app, outbox, prefix):
    """Python's header folder put the space between two encoded words outside them, where mail readers drop
    it: "đã bị hủy vì" arrived as "hủyvì" whenever a fold fell on it. Every length arrives whole."""
    from marketplace.mail import build_message, send_message

    subject = "x" * prefix + " Đơn hàng của bạn đã bị hủy vì cửa hàng không xác nhận kịp thời trong ba ngày"
    with app.app_context():
        assert send_message(app, build_message(app, "an@example.test", subject, "Nội dung", "<p>Nội dung</p>"))
    [received] = outbox.wait_for().to("an@example.test")
    assert received["Subject"] == subject.strip()
