"""flask producers ...: commands for cron."""

import click

from marketplace.catalog.certificates import send_certificate_reminders
from marketplace.dates import today_vn
from marketplace.extensions import db

producers_cli = click.Group("producers", help="Producer tools.")


@producers_cli.command("remind-certificates")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this date (YYYY-MM-DD); defaults to today in Vietnam.")
def remind_certificates(today) -> None:
    """E-mail producers 60 and 14 days before a certificate expires (each reminder once; run daily)."""
    sent = send_certificate_reminders(today.date() if today else today_vn())
    db.session.commit()
    click.echo(f"Certificate reminders sent: {len(sent)}")
