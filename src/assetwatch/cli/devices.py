"""``assetwatch devices token KEY``: issue (or rotate, or revoke) a device's token."""

from __future__ import annotations

from typing import Annotated

import typer

from assetwatch.cli.common import (
    DEFAULT_DATA_DIR,
    DatabaseUrl,
    DataDir,
    Tenant,
    console,
    open_data,
    scope_for,
)
from assetwatch.registry import credentials
from assetwatch.storage.clock import now_ms

app = typer.Typer(help="Device credentials.", no_args_is_help=True)


@app.command("token")
def token(
    key: Annotated[str, typer.Argument(help="device key (IMEI, phone id, sensor id)")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    tenant: Tenant = "demo-bank",
    protocol: Annotated[
        str | None, typer.Option(help="needed only when two protocols share the key")
    ] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="remove the token instead")] = False,
) -> None:
    """Issue a new token for an HTTP/MQTT device (the old one stops working at once).

    The token is printed once and stored only as a hash: give it to the device now.
    """
    engine = open_data(data_dir, database_url)
    scope = scope_for(engine, tenant)
    with engine.begin() as conn:
        if revoke:
            credentials.revoke_token(conn, scope=scope, key=key, protocol=protocol)
            console.print(f"token of {key} revoked")
            return
        issued = credentials.issue_token(
            conn, scope=scope, key=key, protocol=protocol, now_ms=now_ms()
        )
    console.print(f"token for {issued.protocol} device {key} (shown once):", highlight=False)
    console.print(issued.token, markup=False, highlight=False, soft_wrap=True)
    if issued.protocol == "mqtt":
        console.print(
            "MQTT: user = the device key, password = this token; regenerate the broker files"
            " (assetwatch mqtt credentials --out DIR) and reload Mosquitto",
            highlight=False,
        )
