"""flask orders ... (run expire-unpaid from cron every few minutes)."""

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace.extensions import db

orders_cli = AppGroup("orders", help="Order maintenance.")


@orders_cli.command("expire-unpaid")
def expire_unpaid():
    """Cancel card and bank-transfer orders left unpaid past their time, releasing their stock."""
    from marketplace.payments import services, stripe_gateway

    # Messages and links are built as in a request to the public site.
    with current_app.test_request_context(base_url=current_app.config["SITE_URL"]):
        _expire_unpaid(services, stripe_gateway)


def _expire_unpaid(services, stripe_gateway) -> None:
    done = failed = 0
    for order in services.expired_unpaid_orders():
        number = order.number
        db.session.commit()  # nothing is held while Stripe is called
        try:
            outcome = services.expire_unpaid_order(order)
            db.session.commit()
        except stripe_gateway.GatewayError as error:
            db.session.rollback()
            failed += 1
            click.echo(f"{number}: left for the next run ({error.message})", err=True)
            continue
        done += 1
        click.echo(f"{number}: {outcome}")
    click.echo(f"{done} unpaid orders handled, {failed} left for the next run.")
