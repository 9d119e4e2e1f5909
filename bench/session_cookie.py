"""Print the Cookie header of a signed-in shopper, for measuring pages as a signed-in visitor (bench/run.py).

    DATABASE_URL=... SECRET_KEY=... .venv/bin/python bench/session_cookie.py --user-agent ocop-bench

Creates the consumer bench-shopper@bench.invalid (once) in the database the app is configured for and signs
it in the way the login page does, for a client at 127.0.0.1 with that User-Agent (the session is bound to
both: Flask-Login's strong session protection). The load generator must send the same User-Agent.
"""

import argparse
import sys

from flask import session
from flask_login import login_user

from marketplace import create_app
from marketplace.accounts import services
from marketplace.extensions import db

EMAIL = "bench-shopper@bench.invalid"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--user-agent", default="ocop-bench")
    args = parser.parse_args(argv)
    app = create_app()
    with app.app_context():
        user = services.find_user_by_email(EMAIL)
        if user is None:
            user = services.register_user("Người mua thử (bench)", EMAIL, "bench-password-not-secret")
            db.session.commit()
        with app.test_request_context("/", headers={"User-Agent": args.user_agent},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}):
            login_user(user)
            value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    print(f"{app.config.get('SESSION_COOKIE_NAME', 'session')}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
