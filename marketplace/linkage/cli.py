"""flask linkage expire-requests: run daily (cron), expires requests whose needed-by date has passed."""

import click
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.linkage import requests

linkage_cli = AppGroup("linkage", help="Supply-demand linkage (the demand board).")


@linkage_cli.command("expire-requests")
def expire_requests() -> None:
    """Expire the open and hidden requests whose needed-by date has passed (their pending offers declined)."""
    count = requests.expire_requests()
    db.session.commit()
    click.echo(f"{count} request(s) expired")
