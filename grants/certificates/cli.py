"""``flask certificates init-key``: the self-signed development signing key."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

certificates_cli = AppGroup("certificates", help="Acceptance certificates.")


@certificates_cli.command("init-key")
@click.option("--force", is_flag=True, help="Replace an existing development key.")
def init_key(force: bool):
    """Make a self-signed development signing key under instance/ (never for production)."""
    from grants.certificates.signing import create_dev_key

    if current_app.config.get("ENV_NAME") == "production":
        raise click.ClickException("production signs with the bureau's own key (CERT_SIGNING_KEY / "
                                   "CERT_SIGNING_CERT); the development key is refused there")
    key_path, cert_path = create_dev_key(current_app.instance_path, current_app.config["CERT_ISSUER_NAME"],
                                         overwrite=force)
    click.echo(f"development signing key: {key_path}")
    click.echo(f"development certificate: {cert_path}")


def register(app: Flask) -> None:
    app.cli.add_command(certificates_cli)
