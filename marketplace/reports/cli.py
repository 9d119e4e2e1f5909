"""flask reports ...: commands for cron."""

import click

from marketplace.extensions import db
from marketplace.reports.summary import pending_entries, refresh_summary

reports_cli = click.Group("reports", help="Program analytics.")


@reports_cli.command("refresh-summary")
def refresh_summary_command() -> None:
    """Fold the ledger entries recorded since the last refresh into the analytics summary (run every few
    minutes; the pages are exact without it, they only read more of the ledger)."""
    waiting = pending_entries()
    folded = refresh_summary()
    if folded is None:
        db.session.rollback()
        raise click.ClickException(f"The ledger stayed busy; {waiting} entries wait for the next run.")
    db.session.commit()
    click.echo(f"Sales summary: {folded} ledger entries folded in.")
