"""`scrypath console`: the operator console in the browser, standalone.

It binds to 127.0.0.1 unless told otherwise, and every page needs an access token: the
value of `SCRYPATH_CONSOLE_TOKEN`, or one generated at start and printed once (in the
address to open). It is read-only unless `--enable-actions` is given. The server keeps no
access log, so the token in that first address is never written anywhere.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import click

from scrypath.cli.common import (
    EXIT_OK,
    configuration_options,
    declared_models,
    import_modules,
    overrides,
)
from scrypath.errors import ConfigurationError

TOKEN_VARIABLE = "SCRYPATH_CONSOLE_TOKEN"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765
_LOOPBACK = ("127.0.0.1", "localhost", "::1")


def serve(app: Any, host: str, port: int) -> None:
    """Run `app` under uvicorn until interrupted (no access log: see the module docstring)."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")


def _token() -> tuple[str, bool]:
    """The access token, and whether it was generated here (and so must be printed)."""
    given = os.environ.get(TOKEN_VARIABLE)
    if given:
        return given, False
    return secrets.token_urlsafe(24), True


def _require_web_extra() -> None:
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as error:
        raise ConfigurationError(
            f"the console needs the web extra (pip install 'scrypath[web]'): {error.name} "
            "is not installed",
            key="web",
        ) from error


@click.command()
@click.option("--host", default=DEFAULT_HOST, show_default=True, help="Address to bind.")
@click.option("--port", type=click.IntRange(1, 65535), default=DEFAULT_PORT, show_default=True)
@click.option(
    "--enable-actions",
    is_flag=True,
    help="Allow retries and recommended reconcile actions (read-only without it).",
)
@click.option(
    "--sample-interval",
    type=click.FloatRange(1, 3600),
    default=30.0,
    show_default=True,
    help="Seconds between the lag and failed-work samples the charts draw.",
)
@configuration_options
def console(
    host: str,
    port: int,
    enable_actions: bool,
    sample_interval: float,
    imports: tuple[str, ...],
    meilisearch_url: str | None,
    index_prefix: str | None,
    outbox_url: str | None,
) -> int:
    """Serve the operator console: every searchable model's sync status, failed work,
    reconcile report and index contract drift, in the browser."""
    _require_web_extra()
    from scrypath.web import create_app

    import_modules(imports)
    models = declared_models()
    if not models:
        raise ConfigurationError(
            "no searchable model is declared; --import the modules that declare them",
            key="model",
        )
    token, generated = _token()
    app = create_app(
        models,
        actions=enable_actions,
        access_token=token,
        sample_interval=sample_interval,
        **overrides(meilisearch_url, index_prefix, outbox_url),
    )
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    mode = "actions enabled" if enable_actions else "read-only"
    click.echo(f"scrypath console for {len(models)} model(s), {mode}")
    if generated:
        click.echo(f"Open {address}?token={token}")
        click.echo("(the access token is shown once; set SCRYPATH_CONSOLE_TOKEN to choose it)")
    else:
        click.echo(f"Open {address} and sign in with the token in {TOKEN_VARIABLE}")
    if host not in _LOOPBACK:
        click.echo(f"warning: listening on {host}, beyond this machine; prefer HTTPS in front")
    serve(app, host, port)
    return EXIT_OK
