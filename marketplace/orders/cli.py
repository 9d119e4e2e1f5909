"""flask orders ... (run expire-unconfirmed from cron every hour, or let the job schedule run it)."""

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.orders import unconfirmed

orders_cli = AppGroup("orders", help="Order maintenance.")


@orders_cli.command("expire-unconfirmed")
def expire_unconfirmed():
    """Cancel cash-on-delivery orders their shop did not confirm within ORDER_CONFIRM_DAYS, releasing their
    stock and e-mailing the buyer and the shop."""
    run_expire_unconfirmed()


def run_expire_unconfirmed() -> int:
    """The command's work (also the job the worker's schedule runs, see marketplace.cli); returns how many."""
    # Messages and links are built as in a request to the public site.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        cancelled = unconfirmed.expire_unconfirmed()
        db.session.commit()
    click.echo(f"{cancelled} cash-on-delivery orders not confirmed in time cancelled.")
    return cancelled
