"""The WSGI app the two-worker concurrency test serves with gunicorn: test settings on TEST_DATABASE_URL."""

import os

from config import TestConfig, normalise_database_url
from marketplace import create_app


class GunicornTestConfig(TestConfig):
    SQLALCHEMY_DATABASE_URI = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    SERVER_NAME = None
    MAIL_SERVER = ""
    MAIL_TO_LOG = True


app = create_app(GunicornTestConfig)
