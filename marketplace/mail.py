"""Outgoing e-mail, queued during a unit of work and sent only after it commits.

    queue_mail(user.email, lazy_gettext("Reset your password"), "password_reset", language=user.preferred_language,
               user=user, reset_url=url)
    db.session.commit()   # the message leaves now; a rollback instead drops it

The message is rendered at once from templates/email/<template>.txt and .html (in `language` when given,
so the recipient reads it in their own language; pass the subject as a lazy_gettext string for that) and
kept in the SQLAlchemy session's `info`. A listener on the session's `after_commit` sends what is queued;
the end of the outermost transaction without a commit (rollback, close) discards it. This also holds in
the tests, whose sessions commit a SAVEPOINT (join_transaction_mode="create_savepoint"): from the
session's point of view that is still its own commit.

After the commit each message leaves the request as a job (marketplace.jobs): delivered by the worker
through RQ when Redis is configured (retried with back-off when the mail server refuses or is down), or at
once in-process otherwise. Sending uses smtplib to MAIL_SERVER:MAIL_PORT (STARTTLS when MAIL_USE_TLS, login when MAIL_USERNAME is
set). With MAIL_TO_LOG (development) the message is written to the log instead. A delivery failure is
logged and never undoes the committed work.
"""

import base64
import email
import email.policy
import logging
import smtplib
import ssl
from contextlib import ExitStack
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import Flask, current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from marketplace import jobs
from marketplace.extensions import db

log = logging.getLogger(__name__)

_QUEUE_KEY = "marketplace.mail_queue"
#: Seconds to wait for the SMTP server before giving up on a message.
SMTP_TIMEOUT_SECONDS = 10


@dataclass
class OutgoingMail:
    app: Flask
    message: EmailMessage


def queue_mail(to: str | list[str], subject: str, template: str, *, language: str | None = None, **context) -> None:
    """Render templates/email/<template>.txt/.html and send one message per recipient after the next commit."""
    recipients = [to] if isinstance(to, str) else list(to)
    app = current_app._get_current_object()
    queue = db.session.info.setdefault(_QUEUE_KEY, [])
    with ExitStack() as stack:
        if not has_request_context():
            # Outside a request (CLI, cron) url_for(..., _external=True) needs a base URL.
            stack.enter_context(app.test_request_context(base_url=app.config["SITE_URL"]))
        if language:
            stack.enter_context(force_locale(language))
        subject_text = str(subject)
        context.setdefault("site_url", app.config["SITE_URL"].rstrip("/"))
        text_body = render_template(f"email/{template}.txt", subject=subject_text, **context)
        html_body = render_template(f"email/{template}.html", subject=subject_text, **context)
    for recipient in recipients:
        queue.append(OutgoingMail(app, build_message(app, recipient, subject_text, text_body, html_body)))


#: Bytes of UTF-8 text per encoded word: base64 makes 60 characters of them, 72 with "=?utf-8?b?" and "?=",
#: inside RFC 2047's limit of 75.
_ENCODED_WORD_BYTES = 45


def _encoded_words(text: str) -> list[str]:
    """The text as RFC 2047 encoded words, each holding its own spaces (cut between characters)."""
    words, chunk = [], ""
    for character in text:
        if len((chunk + character).encode()) > _ENCODED_WORD_BYTES:
            words.append(chunk)
            chunk = ""
        chunk += character
    words.append(chunk)
    return ["=?utf-8?b?" + base64.b64encode(word.encode()).decode("ascii") + "?=" for word in words if word]


class MailPolicy(email.policy.EmailPolicy):
    """The default policy, except for a non-ASCII Subject: Python's folder puts the space between two encoded
    words outside them, where RFC 2047 says readers drop it ("đã bị hủy vì" arrived as "hủyvì" whenever a
    fold fell on that space). Here each encoded word carries its own spaces, so none is lost."""

    def _fold_subject(self, name: str, value) -> str | None:
        text = str(value)
        if self.utf8 or text.isascii() or name.lower() != "subject":
            return None
        return f"{name}: " + f"{self.linesep} ".join(_encoded_words(text)) + self.linesep

    def fold(self, name, value):
        return self._fold_subject(name, value) or super().fold(name, value)

    def fold_binary(self, name, value):
        folded = self._fold_subject(name, value)
        return folded.encode("ascii") if folded else super().fold_binary(name, value)


MAIL_POLICY = MailPolicy()


def build_message(app: Flask, recipient: str, subject: str, text_body: str, html_body: str) -> EmailMessage:
    """A multipart/alternative message (plain text first, HTML second)."""
    sender = app.config["MAIL_DEFAULT_SENDER"]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    message = EmailMessage(policy=MAIL_POLICY)
    message["From"] = sender
    message["To"] = recipient
    message["Subject"] = " ".join(subject.split())  # no line breaks in a header
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=domain)
    message.set_content(text_body)
    message.add_alternative(html_body, subtype="html")
    return message


def pending_mail(session: Session | None = None) -> list[EmailMessage]:
    """The messages queued in this session and not yet sent (for tests and diagnostics)."""
    session = session or db.session()
    return [item.message for item in session.info.get(_QUEUE_KEY, [])]


def send_message(app: Flask, message: EmailMessage) -> bool:
    """Deliver one message now (or log it in development); True when it was handed over."""
    config = app.config
    if config.get("MAIL_TO_LOG") or not config.get("MAIL_SERVER"):
        if not config.get("MAIL_TO_LOG"):
            log.warning("MAIL_SERVER is not set; writing the message to the log instead")
        log.info("e-mail (not sent, MAIL_TO_LOG):\n%s", message.as_string())
        return True
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context(cafile=config.get("MAIL_TLS_CA_FILE") or None))
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        log.exception("could not send e-mail %r to %s", message["Subject"], message["To"])
        return False
    return True


class MailNotDelivered(Exception):
    """The mail server did not take the message (the job queue tries again later)."""


def deliver(raw: bytes) -> None:
    """The mail job: send one message (its bytes); raise when the server did not take it, so RQ retries."""
    message = email.message_from_bytes(raw, policy=MAIL_POLICY)
    if not send_message(current_app._get_current_object(), message):
        raise MailNotDelivered(f"the mail server did not take {message['Message-ID']}")


@event.listens_for(Session, "after_commit")
def _send_after_commit(session: Session) -> None:
    for item in session.info.pop(_QUEUE_KEY, []):
        queue = jobs.get_queue(item.app)
        if queue.uses_redis:
            queue.enqueue(deliver, item.message.as_bytes())
        else:  # the in-process queue: send now (a failure is logged inside, the committed work stands)
            send_message(item.app, item.message)


@event.listens_for(Session, "after_transaction_end")
def _drop_after_rollback(session: Session, transaction: SessionTransaction) -> None:
    # The outermost transaction ended without a commit (after_commit already emptied the queue
    # otherwise): the work it described did not happen, so neither does its mail.
    if transaction.parent is None:
        session.info.pop(_QUEUE_KEY, None)
