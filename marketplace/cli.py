"""Cross-cutting commands: flask demo load; flask jobs worker (the job queue's worker, with the schedule)."""

import logging
import threading

import click
from flask import current_app
from flask.cli import AppGroup

from marketplace import jobs
from marketplace.catalog.certificates import send_certificate_reminders
from marketplace.dates import today_vn
from marketplace.extensions import db
from marketplace.orders.cli import run_expire_unconfirmed
from marketplace.payments.cli import run_expire_unpaid

log = logging.getLogger(__name__)

demo_cli = click.Group("demo", help="Illustrative demo data.")


@demo_cli.command("load")
def demo_load() -> None:
    """Load the illustrative demo catalogue (idempotent: running it twice changes nothing)."""
    # reason: CLI command; the demo loader pulls in every package, only when it runs
    from marketplace.demo.loader import load_demo

    result = load_demo()
    db.session.commit()
    click.echo(
        f"Demo catalogue: {result.producers_created} producers and {result.products_created} products created, "
        f"{result.images_written} picture files written, {result.showrooms_created} showrooms created, "
        f"{result.pos_sales_created} till sales recorded, {result.till_closes_created} till closes made, "
        f"{result.demand_signals_created} illustrative demand-signal rows added, "
        f"{result.reviews_created} buyer reviews written, {result.promotions_created} campaigns and fairs created, "
        f"{result.statements_created} producer statements built, "
        f"{result.history_entries_written} illustrative sales history entries written."
    )
    click.echo(f"Demand board: {result.demand_requests_created} illustrative requests created.")
    if result.skipped:
        click.echo(f"Left untouched (slug already used by other data): {', '.join(result.skipped)}")


jobs_cli = AppGroup("jobs", help="The job queue (see marketplace/jobs.py).")


def expire_unpaid_job() -> None:
    """`flask payments expire-unpaid` as a scheduled job."""
    run_expire_unpaid()


def expire_unconfirmed_job() -> None:
    """`flask orders expire-unconfirmed` as a scheduled job."""
    run_expire_unconfirmed()


def remind_certificates_job() -> None:
    """`flask producers remind-certificates` as a scheduled job."""
    sent = send_certificate_reminders(today_vn())
    db.session.commit()
    log.info("certificate reminders sent: %s", len(sent))


# Cron expressions in UTC: every 10 minutes; hourly at :05; 00:30 UTC is 07:30 in Vietnam (UTC+7, no daylight
# saving).
jobs.SCHEDULE.update({
    "expire-unpaid": jobs.ScheduledJob("expire-unpaid", expire_unpaid_job, "*/10 * * * *"),
    "expire-unconfirmed": jobs.ScheduledJob("expire-unconfirmed", expire_unconfirmed_job, "5 * * * *"),
    "remind-certificates": jobs.ScheduledJob("remind-certificates", remind_certificates_job, "30 0 * * *"),
})


@jobs_cli.command("worker")
@click.option("--burst", is_flag=True, help="Run the jobs waiting now, then stop.")
@click.option("--schedule", is_flag=True,
              help="Also enqueue the scheduled commands when due (start exactly one worker with it).")
def worker(burst: bool, schedule: bool) -> None:
    """Run jobs from the Redis queue (mail, scheduled commands), retrying failures with back-off."""
    app = current_app._get_current_object()
    if not jobs.get_queue(app).uses_redis:
        raise click.ClickException("No Redis is configured (REDIS_URL): jobs run in-process, no worker is needed.")
    connection = jobs.worker_connection(app)
    stop = threading.Event()
    if schedule:
        jobs.start_schedule(connection, list(jobs.SCHEDULE.values()), stop)
    try:
        jobs.make_worker(app, connection).work(burst=burst, with_scheduler=True)
    finally:
        stop.set()


@jobs_cli.command("schedule")
def schedule_list() -> None:
    """List the scheduled jobs (cron expressions in UTC)."""
    for item in jobs.SCHEDULE.values():
        click.echo(f"{item.cron:<14} {item.name}")


@jobs_cli.command("run")
@click.argument("name", type=click.Choice(sorted(jobs.SCHEDULE)))
def run_scheduled(name: str) -> None:
    """Queue one scheduled job now (run in-process without Redis)."""
    job_id = jobs.enqueue(jobs.perform_scheduled, name)
    click.echo(f"{name}: queued as {job_id}" if job_id else f"{name}: done in-process")
