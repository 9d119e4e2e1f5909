"""flask showrooms add-staff EMAIL --showroom SLUG --role manager|clerk [--name NAME] [--password PASSWORD]"""

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from marketplace.accounts import services as accounts
from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from marketplace.showrooms import services
from marketplace.showrooms.models import Showroom, StaffRole

showrooms_cli = AppGroup("showrooms", help="OCOP showrooms.")


@showrooms_cli.command("add-staff")
@click.argument("address")
@click.option("--showroom", "slug", required=True, help="The showroom's slug (see /showrooms).")
@click.option("--role", type=click.Choice([r.value for r in StaffRole]), default=StaffRole.MANAGER.value,
              show_default=True)
@click.option("--name", default="", help="Full name for a new account (default: the part before @).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="Prompted when not given (give it only in scripts). Ignored for an existing account.")
def add_staff(address: str, slug: str, role: str, name: str, password: str) -> None:
    """Create a showroom staff account (or attach an existing shopper's account) to a showroom."""
    address = accounts.normalise_email(address)
    if "@" not in address or any(ch.isspace() for ch in address):
        raise click.BadParameter(f"{address!r} is not a valid e-mail address")
    showroom = db.session.scalars(sa.select(Showroom).where(Showroom.slug == slug)).first()
    if showroom is None:
        raise click.BadParameter(f"no showroom with the slug {slug!r}", param_hint="--showroom")
    user = accounts.find_user_by_email(address)
    if user is None:
        if not accounts.PASSWORD_MIN_LENGTH <= len(password) <= accounts.PASSWORD_MAX_LENGTH:
            raise click.BadParameter(f"the password must be {accounts.PASSWORD_MIN_LENGTH} to "
                                     f"{accounts.PASSWORD_MAX_LENGTH} characters", param_hint="--password")
        user = User(email=address, full_name=(name.strip() or address.split("@")[0])[:120],
                    role=Role.SHOWROOM_STAFF, location_id=showroom.location_id,
                    password_hash=accounts.hash_password(password))
        db.session.add(user)
        db.session.flush()
    try:
        services.add_member(showroom, user, role)
    except services.StaffError as error:
        raise click.ClickException(error.message) from None
    db.session.commit()
    click.echo(f"{user.email} is now {role} at {showroom.name} (user id {user.id}).")
