"""flask payments ... (run expire-unpaid from cron every few minutes)."""

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.payments import expiry, stripe_gateway, wallets

payments_cli = AppGroup("payments", help="Payment maintenance.")


@payments_cli.command("expire-unpaid")
def expire_unpaid():
    """Cancel card, bank-transfer and e-wallet orders left unpaid past their time, and pickups to pay at the
    counter left uncollected past theirs, releasing their stock."""
    run_expire_unpaid()


def run_expire_unpaid() -> None:
    """The command's work (also the job the worker's schedule runs, see marketplace.cli)."""
    # Messages and links are built as in a request to the public site.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        _expire_unpaid()


def _expire_unpaid() -> None:
    done = failed = 0
    for order in expiry.expired_unpaid_orders():
        number = order.number
        db.session.commit()  # nothing is held while Stripe is called
        try:
            outcome = expiry.expire_unpaid_order(order)
            db.session.commit()
        except (stripe_gateway.GatewayError, wallets.WalletUnavailable) as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{number}: left for the next run ({error.message})", err=True)
            continue
        done += 1
        click.echo(f"{number}: {outcome}")
    click.echo(f"{done} unpaid orders handled, {failed} left for the next run.")
    uncollected = expiry.expire_uncollected_pickups()
    db.session.commit()
    click.echo(f"{uncollected} uncollected pickup orders cancelled.")
