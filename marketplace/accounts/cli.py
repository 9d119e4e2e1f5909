"""flask accounts create-admin EMAIL --name NAME [--password PASSWORD]"""

import click
from flask.cli import AppGroup

from marketplace.accounts import services
from marketplace.extensions import db

accounts_cli = AppGroup("accounts", help="User accounts.")


def _check_email(value: str) -> str:
    value = services.normalise_email(value)
    local, at, domain = value.rpartition("@")
    if not (local and at and "." in domain) or any(ch.isspace() for ch in value):
        raise click.BadParameter(f"{value!r} is not a valid e-mail address")
    if len(value) > services.EMAIL_MAX_LENGTH:
        raise click.BadParameter("the e-mail address is too long")
    return value


@accounts_cli.command("create-admin")
@click.argument("address")
@click.option("--name", required=True, help="The administrator's full name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted when not given (give it only in scripts).")
def create_admin(address: str, name: str, password: str) -> None:
    """Create an administrator (or promote the account with that e-mail)."""
    address = _check_email(address)
    name = name.strip()
    if not name or len(name) > services.NAME_MAX_LENGTH:
        raise click.BadParameter(f"the name must be 1 to {services.NAME_MAX_LENGTH} characters", param_hint="--name")
    if not services.PASSWORD_MIN_LENGTH <= len(password) <= services.PASSWORD_MAX_LENGTH:
        raise click.BadParameter(
            f"the password must be {services.PASSWORD_MIN_LENGTH} to {services.PASSWORD_MAX_LENGTH} characters",
            param_hint="--password")
    existed = services.find_user_by_email(address) is not None
    user = services.create_admin(address, name, password)
    db.session.commit()
    click.echo(f"{'Promoted' if existed else 'Created'} administrator {user.email} (id {user.id}).")
