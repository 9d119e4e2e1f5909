"""Cross-cutting commands: flask demo load."""

import click

demo_cli = click.Group("demo", help="Illustrative demo data.")
