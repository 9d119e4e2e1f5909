"""Rate limits survive a Redis outage (in-memory fallback, short timeouts), and count the real client behind
exactly the configured number of proxies."""

import socket

import pytest
from redis.connection import Connection

from tests.factories import DEFAULT_PASSWORD, make_user

#: The most Redis connection attempts one request may make while Redis is down: the first one finds it down
#: (the limit check, then the headers), later ones use the in-memory limits and at most ask Redis once
#: whether it is back. A fail-closed limiter or a retrying client makes more, or waits without bound.
MAX_ATTEMPTS_PER_REQUEST = 2


@pytest.fixture
def silent_redis():
    """A socket that accepts connections and never answers (a hung Redis)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(64)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.fixture
def redis_attempts(monkeypatch):
    """Every connection attempt redis-py makes, as (connect timeout, read timeout, retries) of its connection."""
    attempts = []
    original = Connection._connect

    def counting(connection):
        attempts.append((connection.socket_connect_timeout, connection.socket_timeout,
                         connection.retry.get_retries()))
        return original(connection)

    monkeypatch.setattr(Connection, "_connect", counting)
    return attempts


@pytest.mark.parametrize("redis", ["closed", "silent"])
def test_logins_sign_ups_and_resets_work_and_fast_while_redis_is_down(make_app, silent_redis, redis, outbox,
                                                                      redis_attempts):
    """Redis refusing connections, or accepting and never answering: every account form still works, each
    request tries Redis at most twice, each try bounded by the 0.3 s timeouts without retries (so a request
    waits about one Redis timeout, never more), and the limits still hold (in memory)."""
    url = "redis://127.0.0.1:1/0" if redis == "closed" else silent_redis
    application = make_app(RATELIMIT_STORAGE_URI=url)
    client = application.test_client()
    make_user("lan@example.test")
    per_request = []

    def counted(call):
        before = len(redis_attempts)
        response = call()
        per_request.append(len(redis_attempts) - before)
        return response

    response = counted(lambda: client.post("/accounts/login", data={
        "email": "lan@example.test", "password": DEFAULT_PASSWORD}))
    assert response.status_code == 302
    client.post("/accounts/logout")

    response = counted(lambda: client.post("/accounts/signup", data={
        "full_name": "Trần Thị Mai", "email": "mai@example.com", "password": "một mật khẩu dài",
        "confirm": "một mật khẩu dài"}))
    assert response.status_code == 302
    client.post("/accounts/logout")

    response = counted(lambda: client.post("/accounts/password/reset", data={"email": "lan@example.test"}))
    assert response.status_code == 302

    for attempt in range(5):
        response = counted(lambda: client.post("/accounts/login", data={
            "email": "lan@example.test", "password": "wrong guess"}, environ_base={"REMOTE_ADDR": "10.5.5.5"}))
        assert response.status_code == 200, attempt
    assert client.post("/accounts/login", data={"email": "lan@example.test", "password": "wrong guess"},
                       environ_base={"REMOTE_ADDR": "10.5.5.5"}).status_code == 429

    # Redis was really tried (the limits were not simply in memory from the start) ...
    assert per_request[0] >= 1
    # ... at most twice per request, never once per limit or once per retry ...
    assert max(per_request) <= MAX_ATTEMPTS_PER_REQUEST, per_request
    # ... and every try waits at most the configured timeouts, with no retry after it.
    timeout = application.config["RATELIMIT_STORAGE_OPTIONS"]["socket_timeout"]
    assert timeout == application.config["RATELIMIT_STORAGE_OPTIONS"]["socket_connect_timeout"] <= 0.5
    assert set(redis_attempts) == {(timeout, timeout, 0)}


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
