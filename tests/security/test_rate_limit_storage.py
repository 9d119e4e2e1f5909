"""Rate limits survive a Redis outage (in-memory fallback, short timeouts), and count the real client behind
exactly the configured number of proxies."""

import socket
import time

import pytest

from tests.factories import DEFAULT_PASSWORD, make_user

#: Each request may wait for one Redis timeout (0.3 s) plus the password hash; a fail-closed limiter answers
#: 500 and a retrying client waits seconds.
FAST = 1.5


@pytest.fixture
def silent_redis():
    """A socket that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


def _timed(call):
    started = time.monotonic()
    response = call()
    return response, time.monotonic() - started


@pytest.mark.parametrize("redis", ["closed", "silent"])
def test_logins_sign_ups_and_resets_work_and_fast_while_redis_is_down(make_app, silent_redis, redis, outbox):
    """Redis refusing connections, or accepting and never answering: every account form still works, each
    request within about one Redis timeout, and the limits still hold (in memory)."""
    url = "redis://127.0.0.1:1/0" if redis == "closed" else silent_redis
    application = make_app(RATELIMIT_STORAGE_URI=url)
    client = application.test_client()
    make_user("lan@example.test")

    response, seconds = _timed(lambda: client.post("/accounts/login", data={
        "email": "lan@example.test", "password": DEFAULT_PASSWORD}))
    assert response.status_code == 302 and seconds < FAST, seconds
    client.post("/accounts/logout")

    response, seconds = _timed(lambda: client.post("/accounts/signup", data={
        "full_name": "Trần Thị Mai", "email": "mai@example.com", "password": "một mật khẩu dài",
        "confirm": "một mật khẩu dài"}))
    assert response.status_code == 302 and seconds < FAST, seconds
    client.post("/accounts/logout")

    response, seconds = _timed(lambda: client.post("/accounts/password/reset", data={"email": "lan@example.test"}))
    assert response.status_code == 302 and seconds < FAST, seconds

    for attempt in range(5):
        response, seconds = _timed(lambda: client.post("/accounts/login", data={
            "email": "lan@example.test", "password": "wrong guess"}, environ_base={"REMOTE_ADDR": "10.5.5.5"}))
        assert response.status_code == 200 and seconds < FAST, (attempt, seconds)
    assert client.post("/accounts/login", data={"email": "lan@example.test", "password": "wrong guess"},
                       environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code == 429


def _attempts_until_refused(client, forwarded_for: str | None, first: int) -> list[int]:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return [client.post("/accounts/login", data={"email": f"u{first + n}@example.test", "password": "x"},
                        headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code
            for n in range(11)]


def test_behind_one_proxy_each_client_has_its_own_bucket(make_app):
    """PROXY_FIX_HOPS=1: the address nginx puts in X-Forwarded-For is the client's (the last hop only)."""
    application = make_app(PROXY_FIX_HOPS=1)
    client = application.test_client()
    assert _attempts_until_refused(client, "203.0.113.1", 0) == [200] * 10 + [429]
    # Another client behind the same proxy is not refused; a forged extra hop in front changes nothing.
    assert _attempts_until_refused(client, "203.0.113.2", 100)[:10] == [200] * 10
    assert _attempts_until_refused(client, "198.51.100.9, 203.0.113.1", 200)[0] == 429


def test_without_the_setting_forwarded_headers_are_ignored(client):
    """No PROXY_FIX_HOPS: anyone could send X-Forwarded-For, so the connection's address is the client."""
    assert _attempts_until_refused(client, "203.0.113.1", 0) == [200] * 10 + [429]
    assert _attempts_until_refused(client, "203.0.113.2", 100)[0] == 429
