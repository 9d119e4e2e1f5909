"""Cross-cutting commands: flask demo load."""

import click

from marketplace.extensions import db

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
