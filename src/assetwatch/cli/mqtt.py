"""``assetwatch mqtt credentials --out DIR``: Mosquitto password file and ACL for devices."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import quote, unquote, urlsplit

import typer

from assetwatch.cli.common import DEFAULT_DATA_DIR, DatabaseUrl, DataDir, console, open_data
from assetwatch.gateways import mosquitto_files
from assetwatch.model.scope import Scope
from assetwatch.registry import credentials
from assetwatch.storage.clock import now_ms

app = typer.Typer(help="MQTT broker configuration.", no_args_is_help=True)


@app.command("credentials")
def credentials_(
    out: Annotated[Path, typer.Option("--out", help="directory for passwd, acl, conf")],
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    mqtt_url: Annotated[
        str | None,
        typer.Option(envvar="ASSETWATCH_MQTT_URL", help="the platform's own user:pass"),
    ] = None,
    topic_prefix: Annotated[
        str, typer.Option(envvar="ASSETWATCH_MQTT_TOPIC_PREFIX")
    ] = "assetwatch/v1",
    issue_missing: Annotated[
        bool, typer.Option("--issue-missing", help="issue tokens to devices without one")
    ] = False,
) -> None:
    """Write the broker's password file (every active MQTT device that has a token, and the
    platform's user), the topic ACL and a config snippet that enables both."""
    engine = open_data(data_dir, database_url)
    with engine.begin() as conn:
        found = mosquitto_files.broker_devices(conn)
        if issue_missing:
            for tenant_id, key in found.missing:
                issued = credentials.issue_token(
                    conn, scope=Scope(tenant_id), key=key, protocol="mqtt", now_ms=now_ms()
                )
                console.print(f"new token {key} {issued.token}", markup=False, highlight=False)
            found = mosquitto_files.broker_devices(conn)
    user, password, generated = _platform_user(mqtt_url)
    paths = mosquitto_files.write_files(
        out,
        hashes=found.hashes,
        prefix=topic_prefix,
        platform_user=user,
        platform_password=password,
    )
    console.print(f"{len(found.hashes)} device(s) in {paths[0]}", highlight=False)
    if found.missing:
        keys = ", ".join(key for _tenant, key in found.missing)
        console.print(f"[yellow]without a token (cannot connect):[/] {keys}", highlight=False)
    if generated:
        console.print(
            "platform user generated: start the platform with"
            f" --mqtt-url mqtt://{user}:{quote(password, safe='')}@HOST:1883",
            markup=False,
            highlight=False,
        )
    console.print(
        f"enable: copy {paths[2]} into Mosquitto's include_dir (conf.d), then reload it",
        highlight=False,
    )


def _platform_user(mqtt_url: str | None) -> tuple[str, str, bool]:
    """The platform's broker login from its ``mqtt_url``, or a new one."""
    url = urlsplit(mqtt_url or "")
    if url.username and url.password:
        return unquote(url.username), unquote(url.password), False
    return url.username or "assetwatch", secrets.token_urlsafe(24), True
