"""Slow side effects (e-mail, the scheduled maintenance commands) run as jobs outside the request.

    jobs.enqueue(mail.deliver, raw_message)      # after the commit that decided it

Two queues, one interface:
- **RQ on Redis** when REDIS_URL is set (and JOBS_INLINE is not): the job is stored in Redis and a worker
  process runs it (`flask jobs worker`). A job that raises is tried again JOB_RETRIES times with growing
  pauses (JOB_RETRY_INTERVALS seconds: 30, 120, 600, 1800 by default; the worker's own scheduler moves a
  retry back into the queue when its pause is over), then kept in RQ's failed-job registry for
  JOB_FAILURE_TTL seconds. No result is kept (a job's arguments, e.g. a message with a reset link, leave
  Redis once it has run). If Redis cannot be reached at enqueue time the job runs in-process at once, so
  an outage never loses a message nor fails the request that sent it.
- **In-process** (the embedded default, no Redis configured, and the tests): the job runs at once, in the
  process that enqueued it; an exception is logged and goes no further (the committed work stands).

Jobs are module-level functions (RQ stores them by dotted path) that take plain, picklable arguments and run
inside the app's context (`flask jobs worker` pushes it; each job ends with the session removed).

The scheduled commands (`payments expire-unpaid` every 10 minutes, `orders expire-unconfirmed` hourly,
`producers remind-certificates` daily at 07:30 in Vietnam) can run as jobs of the worker: `flask jobs worker
--schedule` also runs RQ's own cron scheduler (rq.cron.CronScheduler, RQ >= 2.5), which enqueues each command's job when it is due. Chosen over
rq-scheduler because it ships with RQ itself (no second package whose releases must follow RQ's, and
rq-scheduler's last release predates RQ 2), takes cron expressions directly and keeps its state in the
same Redis. Start exactly one worker with --schedule (each scheduler enqueues on its own); without Redis
keep the three cron lines of the README.
"""

import importlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Flask, current_app
from redis import Redis
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry as RedisRetry
from rq import Queue, Retry, SimpleWorker
from rq.cron import CronScheduler

from marketplace.extensions import db

log = logging.getLogger(__name__)

QUEUE_NAME = "ocop"
DEFAULT_RETRY_INTERVALS = (30, 120, 600, 1800)
#: How long a job may run before the worker stops it (seconds).
JOB_TIMEOUT = 300
_EXTENSION_KEY = "ocop_jobs"


@dataclass(frozen=True)
class ScheduledJob:
    """A job the worker's scheduler enqueues on a cron expression (UTC)."""

    name: str
    func: Callable
    cron: str


class JobQueue:
    """The app's queue: RQ when a Redis connection is given, in-process otherwise."""

    def __init__(self, redis: Redis | None, *, retries: int, intervals: Sequence[int], failure_ttl: int):
        self.redis = redis
        self.retries, self.intervals, self.failure_ttl = retries, list(intervals), failure_ttl

    @property
    def uses_redis(self) -> bool:
        return self.redis is not None

    def rq_queue(self) -> Queue:
        return Queue(QUEUE_NAME, connection=self.redis, default_timeout=JOB_TIMEOUT)

    def enqueue(self, func: Callable, *args, **kwargs) -> str | None:
        """Queue func(*args, **kwargs): its RQ job id, or None when it ran in-process."""
        if self.redis is not None:
            try:
                job = self.rq_queue().enqueue(
                    perform, f"{func.__module__}:{func.__qualname__}", args, kwargs,
                    retry=Retry(max=self.retries, interval=self.intervals) if self.retries else None,
                    result_ttl=0, failure_ttl=self.failure_ttl, description=func.__qualname__)
                return job.id
            except RedisError as error:
                log.warning("job queue unavailable (%s): running %s in-process", type(error).__name__,
                            func.__qualname__)
        run_now(func, *args, **kwargs)
        return None


def run_now(func: Callable, *args, **kwargs) -> None:
    """The in-process queue: run at once; a failure is logged and goes no further."""
    try:
        func(*args, **kwargs)
    except Exception:
        log.exception("job %s failed (in-process)", func.__qualname__)


def _resolve(path: str) -> Callable:
    module_name, _, name = path.partition(":")
    target = importlib.import_module(module_name)
    for part in name.split("."):
        target = getattr(target, part)
    return target


def perform(path: str, args: Sequence, kwargs: dict):
    """What RQ runs: the job's function by its dotted path, in the worker's app context, then a clean session."""
    try:
        return _resolve(path)(*args, **kwargs)
    finally:
        db.session.remove()


def init_app(app: Flask) -> JobQueue:
    """The app's queue, from REDIS_URL (RQ) or none (in-process); see the module docstring."""
    url = app.config.get("JOBS_REDIS_URL") or app.config.get("REDIS_URL") or ""
    redis = None
    if url and not app.config.get("JOBS_INLINE"):
        timeout = float(app.config.get("REDIS_TIMEOUT_SECONDS") or 0.3)
        # Short timeouts for the web process (a Redis outage must not hold a request); the worker's blocking
        # dequeue uses its own connection (worker_connection).
        redis = Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout,
                               retry=RedisRetry(NoBackoff(), 0))
    queue = JobQueue(redis, retries=int(app.config.get("JOB_RETRIES", 4)),
                     intervals=app.config.get("JOB_RETRY_INTERVALS") or DEFAULT_RETRY_INTERVALS,
                     failure_ttl=int(app.config.get("JOB_FAILURE_TTL", 7 * 24 * 3600)))
    app.extensions[_EXTENSION_KEY] = queue
    return queue


def get_queue(app: Flask | None = None) -> JobQueue:
    return (app or current_app).extensions[_EXTENSION_KEY]


def enqueue(func: Callable, *args, **kwargs) -> str | None:
    """Queue a job on the current app's queue (see JobQueue.enqueue)."""
    return get_queue().enqueue(func, *args, **kwargs)


def worker_connection(app: Flask) -> Redis:
    """The worker's own Redis connection: no socket timeout (it blocks on the queue), a connect timeout."""
    url = app.config.get("JOBS_REDIS_URL") or app.config.get("REDIS_URL")
    return Redis.from_url(url, socket_connect_timeout=5, health_check_interval=30)


def make_worker(app: Flask, connection: Redis | None = None):
    """An RQ SimpleWorker on the app's queue: jobs run in this process, in its app context (no fork: the
    database pool is never shared with a child)."""
    connection = connection or worker_connection(app)
    return SimpleWorker([Queue(QUEUE_NAME, connection=connection)], connection=connection)


def start_schedule(connection: Redis, schedule: Sequence[ScheduledJob], stop: threading.Event) -> threading.Thread:
    """RQ's cron scheduler in a thread beside the worker: enqueues each scheduled job when it is due."""
    scheduler = CronScheduler(connection=connection, name=f"ocop-schedule-{int(time.time())}")
    for item in schedule:
        scheduler.register(perform_scheduled, QUEUE_NAME, args=(item.name,), cron=item.cron, name=item.name,
                           job_timeout=JOB_TIMEOUT, result_ttl=0)

    def loop():
        while not stop.is_set():
            try:
                if scheduler.enqueue_jobs():
                    scheduler.save()
                wait = scheduler.calculate_sleep_interval()
            except RedisError as error:
                log.warning("schedule: Redis unavailable (%s), trying again in 10 s", type(error).__name__)
                wait = 10
            stop.wait(max(wait, 1))

    thread = threading.Thread(target=loop, name="ocop-schedule", daemon=True)
    thread.start()
    return thread


#: The scheduled jobs by name, filled by the app's CLI layer (marketplace.cli), which knows the commands.
SCHEDULE: dict[str, ScheduledJob] = {}


def perform_scheduled(name: str):
    """A scheduled job by its name (the cron scheduler stores the name, the function comes from SCHEDULE)."""
    try:
        return SCHEDULE[name].func()
    finally:
        db.session.remove()
