"""flask producers remind-certificates: e-mails 60 and 14 days before expiry, once per threshold."""

from datetime import date, timedelta

import sqlalchemy as sa

from marketplace.accounts.models import Role
from marketplace.catalog.models import CertificateReminder, CertificateStatus
from marketplace.extensions import db
from tests.factories import make_certificate, make_producer, make_product, make_user

TODAY = date(2026, 6, 1)


def _certificate(days_left: int, status=CertificateStatus.VALID, email="member@htx.example"):
    producer = make_producer()
    make_user(role=Role.PRODUCER, producer=producer, email=email)
    product = make_product(producer=producer, stars=None)
    return make_certificate(product, decision_date=TODAY - timedelta(days=900),
                            valid_until=TODAY + timedelta(days=days_left), status=status)


def _run(runner, today=TODAY):
    return runner.invoke(args=["producers", "remind-certificates", "--today", today.isoformat()])


def test_reminders_go_at_60_and_14_days_and_only_once(runner, outbox):
    """A certificate ending in 60 days gets one e-mail; running again sends nothing; at 14 days a second one."""
    certificate = _certificate(60)
    result = _run(runner)
    assert result.exit_code == 0 and "sent: 1" in result.output
    (message,) = outbox.wait_for(1).to("member@htx.example")
    assert "60" in message["Subject"]
    assert "sent: 0" in _run(runner).output
    assert "sent: 0" in _run(runner, TODAY + timedelta(days=30)).output
    assert "sent: 1" in _run(runner, TODAY + timedelta(days=46)).output
    thresholds = set(db.session.scalars(sa.select(CertificateReminder.days_before)
                                        .where(CertificateReminder.certificate_id == certificate.id)))
    assert thresholds == {60, 14}


def test_a_missed_run_sends_only_the_nearest_reminder(runner, outbox):
    """When cron first runs 10 days before expiry, one e-mail goes (not two) and both thresholds are recorded."""
    certificate = _certificate(10)
    assert "sent: 1" in _run(runner).output
    assert len(outbox.wait_for(1)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateReminder)
                             .where(CertificateReminder.certificate_id == certificate.id)) == 2


def test_no_reminder_for_far_expired_revoked_or_unverified_certificates(runner, outbox):
    """Only valid certificates ending within 60 days are reminded."""
    _certificate(61, email="far@htx.example")
    _certificate(-1, email="expired@htx.example")
    _certificate(30, status=CertificateStatus.REVOKED, email="revoked@htx.example")
    _certificate(30, status=CertificateStatus.SUBMITTED, email="submitted@htx.example")
    assert "sent: 0" in _run(runner).output


def test_one_run_reminds_each_certificate_at_its_own_threshold(runner, outbox):
    """Several certificates in one run: each member gets the reminder due for its own certificate, and a
    threshold already reminded is not sent again."""
    _certificate(55, email="first@htx.example")
    second = _certificate(12, email="second@htx.example")
    already = _certificate(50, email="already@htx.example")
    db.session.add(CertificateReminder(certificate_id=already.id, days_before=60))
    db.session.commit()
    result = _run(runner)
    assert result.exit_code == 0 and "sent: 2" in result.output
    (first,) = outbox.wait_for(2).to("first@htx.example")
    (near,) = outbox.to("second@htx.example")
    assert "55" in first["Subject"] and "12" in near["Subject"]
    assert len(outbox.wait_for(3, timeout=0.3)) == 2 and outbox.to("already@htx.example") == []
    assert set(db.session.scalars(sa.select(CertificateReminder.days_before)
                                  .where(CertificateReminder.certificate_id == second.id))) == {60, 14}
