"""The job queue (marketplace/jobs.py): in-process without Redis (the tests' default), RQ with a worker on Redis
(database 8, skipped with the reason when no Redis answers): a job runs in the worker, a failing one is tried
again, mail goes through the queue, an unreachable Redis runs the job in-process; the schedule's jobs."""

import socket

import pytest
from redis import Redis
from redis.exceptions import RedisError

from marketplace import jobs, mail
from marketplace.cli import expire_unpaid_job, remind_certificates_job
from marketplace.extensions import db
from tests.factories import make_user

REDIS_URL = "redis://127.0.0.1:6379/8"
#: What the jobs below write, and where (a Redis key with the RQ queue, a list without).
DONE: list[str] = []


def record(value: str) -> None:
    DONE.append(value)


def record_in_redis(value: str) -> None:
    Redis.from_url(REDIS_URL).rpush("ocop-test:done", value)


def fail_once(value: str) -> None:
    """Fails on its first run, succeeds on the second (each run counted in Redis)."""
    connection = Redis.from_url(REDIS_URL)
    if connection.incr("ocop-test:tries") == 1:
        raise RuntimeError("the first try fails")
    connection.rpush("ocop-test:done", value)


def always_fails() -> None:
    raise RuntimeError("this job never works")


@pytest.fixture
def redis():
    connection = Redis.from_url(REDIS_URL, socket_connect_timeout=0.5)
    try:
        connection.ping()
    except RedisError as error:
        pytest.skip(f"no Redis at {REDIS_URL} ({type(error).__name__}): the RQ tests need one")
    connection.flushdb()
    yield connection
    connection.flushdb()


@pytest.fixture
def rq_queue(app, redis, monkeypatch):
    """The app's queue on Redis database 8, with retries at once (no pause) so a burst worker sees them."""
    queue = jobs.JobQueue(redis, retries=2, intervals=[0], failure_ttl=60)
    monkeypatch.setitem(app.extensions, "ocop_jobs", queue)
    return queue


def _work(app, redis) -> None:
    jobs.make_worker(app, redis).work(burst=True, with_scheduler=False)


def _done(redis) -> list[str]:
    return [value.decode() for value in redis.lrange("ocop-test:done", 0, -1)]


def test_without_redis_a_job_runs_at_once_in_process(app):
    DONE.clear()
    assert not jobs.get_queue(app).uses_redis
    assert jobs.enqueue(record, "now") is None
    assert DONE == ["now"]


def test_without_redis_a_failing_job_is_logged_and_goes_no_further(app, caplog):
    assert jobs.enqueue(always_fails) is None
    assert "always_fails failed (in-process)" in caplog.text


def test_without_redis_mail_is_sent_in_process_after_the_commit(outbox):
    user = make_user("khach@example.test")
    mail.queue_mail(user.email, "Xin chào", "password_reset", user=user, reset_url="http://localhost/r/1", minutes=30)
    assert not outbox
    db.session.commit()
    assert [m["To"] for m in outbox.wait_for()] == ["khach@example.test"]


def test_with_redis_a_job_waits_for_the_worker_and_runs_there(app, redis, rq_queue):
    job_id = jobs.enqueue(record_in_redis, "queued")
    assert job_id and _done(redis) == []
    assert rq_queue.rq_queue().count == 1
    _work(app, redis)
    assert _done(redis) == ["queued"] and rq_queue.rq_queue().count == 0


def test_with_redis_a_failing_job_is_tried_again(app, redis, rq_queue):
    job_id = jobs.enqueue(fail_once, "second try")
    _work(app, redis)
    assert redis.get("ocop-test:tries") == b"2"
    assert _done(redis) == ["second try"]
    assert rq_queue.rq_queue().fetch_job(job_id) is None or rq_queue.rq_queue().fetch_job(job_id).is_finished


def test_with_redis_a_job_that_keeps_failing_ends_in_the_failed_registry(app, redis, rq_queue):
    job_id = jobs.enqueue(always_fails)
    _work(app, redis)
    queue = rq_queue.rq_queue()
    assert job_id in queue.failed_job_registry.get_job_ids()
    assert queue.fetch_job(job_id).retries_left == 0


def test_with_redis_mail_leaves_through_the_worker(app, redis, rq_queue, outbox):
    user = make_user("ban@example.test")
    mail.queue_mail(user.email, "Xin chào", "password_reset", user=user, reset_url="http://localhost/r/2", minutes=30)
    db.session.commit()
    assert rq_queue.rq_queue().count == 1 and not outbox.wait_for(timeout=0.2)
    _work(app, redis)
    assert [m["To"] for m in outbox.wait_for()] == ["ban@example.test"]


def test_an_unreachable_redis_runs_the_job_in_process(app, monkeypatch):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    queue = jobs.JobQueue(Redis(port=port, socket_connect_timeout=0.3), retries=2, intervals=[0], failure_ttl=60)
    monkeypatch.setitem(app.extensions, "ocop_jobs", queue)
    DONE.clear()
    assert jobs.enqueue(record, "fallback") is None
    assert DONE == ["fallback"]


def test_the_schedule_runs_both_commands_as_jobs(app, runner):
    result = runner.invoke(args=["jobs", "schedule"])
    assert "*/10 * * * *   expire-unpaid" in result.output and "30 0 * * *     remind-certificates" in result.output
    assert jobs.SCHEDULE["expire-unpaid"].func is expire_unpaid_job
    assert jobs.SCHEDULE["remind-certificates"].func is remind_certificates_job
    result = runner.invoke(args=["jobs", "run", "expire-unpaid"])
    assert result.exit_code == 0 and "expire-unpaid: done in-process" in result.output


def test_the_worker_needs_redis(runner):
    result = runner.invoke(args=["jobs", "worker", "--burst"])
    assert result.exit_code != 0 and "No Redis is configured" in result.output
