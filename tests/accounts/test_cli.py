"""flask accounts create-admin."""

from werkzeug.security import check_password_hash

from marketplace.accounts.models import Role, User
from marketplace.extensions import db
from tests.factories import make_user


def _user(email):
    return db.session.scalar(db.select(User).where(User.email == email))


def test_create_admin_with_password_option(runner):
    """A script creates an administrator in one command."""
    result = runner.invoke(args=["accounts", "create-admin", "Admin@OCOP.example.com", "--name", "Văn phòng OCOP",
                                 "--password", "admin password 1"])
    assert result.exit_code == 0, result.output
    admin = _user("admin@ocop.example.com")
    assert admin.role == Role.ADMIN and admin.full_name == "Văn phòng OCOP"
    assert check_password_hash(admin.password_hash, "admin password 1")


def test_create_admin_prompts_for_the_password(runner):
    """Without --password the command asks for it twice, hidden."""
    result = runner.invoke(args=["accounts", "create-admin", "boss@example.com", "--name", "Boss"],
                           input="typed password 9\ntyped password 9\n")
    assert result.exit_code == 0, result.output
    assert check_password_hash(_user("boss@example.com").password_hash, "typed password 9")


def test_create_admin_promotes_an_existing_account(runner):
    """An existing consumer with that e-mail becomes an admin (and its old sessions end)."""
    user = make_user("chi@example.test")
    token = user.session_token
    result = runner.invoke(args=["accounts", "create-admin", "chi@example.test", "--name", "Chi",
                                 "--password", "new admin pass"])
    assert result.exit_code == 0, result.output
    assert "Promoted" in result.output
    db.session.refresh(user)
    assert user.role == Role.ADMIN and user.session_token != token


def test_create_admin_refuses_bad_input(runner):
    """A bad address, an empty name or a short password is refused and nothing is created."""
    for args in (["not-an-email", "--name", "X", "--password", "long enough 1"],
                 ["ok@example.com", "--name", " ", "--password", "long enough 1"],
                 ["ok@example.com", "--name", "X", "--password", "short"]):
        result = runner.invoke(args=["accounts", "create-admin", *args])
        assert result.exit_code != 0
    assert _user("ok@example.com") is None
