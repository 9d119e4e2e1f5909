"""A minimal WSGI app for starting gunicorn in a test with the project's gunicorn.conf.py."""


def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]
