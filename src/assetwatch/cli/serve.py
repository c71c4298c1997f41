"""``assetwatch serve``: the embedded platform in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from assetwatch.cli.common import DEFAULT_DATA_DIR, DatabaseUrl, DataDir, console
from assetwatch.platform import EmbeddedPlatform
from assetwatch.settings import Settings


class UnknownDevices(StrEnum):
    quarantine = "quarantine"
    reject = "reject"


class LogLevel(StrEnum):
    DEBUG = "DEBUG"
    INFO = "INFO"
    WARNING = "WARNING"
    ERROR = "ERROR"


def run_until_signal(settings: Settings) -> None:
    try:
        import uvloop

        uvloop.install()
    except ImportError:  # pragma: no cover - uvloop is optional off Linux
        pass
    asyncio.run(_serve(settings))


async def _serve(settings: Settings) -> None:
    platform = EmbeddedPlatform(settings)
    endpoints = await platform.start()
    console.print(f"JT/T 808 gateway listening on {endpoints.host}:{endpoints.jt808_port}")
    console.print(f"GT06 gateway listening on {endpoints.host}:{endpoints.gt06_port}")
    console.print(f"HTTP ingestion (OsmAnd, JSON v1) on {endpoints.host}:{endpoints.http_port}")
    if settings.mqtt_url:
        console.print(f"MQTT: subscribing to {settings.mqtt_topic_prefix}/# on the broker")
    console.print(f"http_port={endpoints.http_port}", markup=False, highlight=False)
    console.print(f"API on {endpoints.api_url}/api/v1 (docs: {endpoints.api_url}/docs)")
    console.print(f"gt06_port={endpoints.gt06_port}", markup=False, highlight=False)
    console.print(
        f"jt808_port={endpoints.jt808_port} api_port={endpoints.api_port}",
        markup=False,
        highlight=False,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    console.print("stopping…")
    await platform.stop()


def serve(
    data_dir: DataDir = DEFAULT_DATA_DIR,
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(envvar="ASSETWATCH_HOST")] = "127.0.0.1",
    jt808_port: Annotated[
        int,
        typer.Option(envvar="ASSETWATCH_JT808_PORT", min=0, max=65535, help="0 picks a free port"),
    ] = 6808,
    gt06_port: Annotated[
        int,
        typer.Option(envvar="ASSETWATCH_GT06_PORT", min=0, max=65535, help="0 picks a free port"),
    ] = 5023,
    api_port: Annotated[
        int,
        typer.Option(envvar="ASSETWATCH_API_PORT", min=0, max=65535, help="0 picks a free port"),
    ] = 8080,
    unknown_devices: Annotated[
        UnknownDevices,
        typer.Option(
            envvar="ASSETWATCH_UNKNOWN_DEVICES", help="what to do with devices nobody provisioned"
        ),
    ] = UnknownDevices.quarantine,
    log_level: Annotated[LogLevel, typer.Option(envvar="ASSETWATCH_LOG_LEVEL")] = LogLevel.WARNING,
    http_port: Annotated[
        int,
        typer.Option(envvar="ASSETWATCH_HTTP_PORT", min=0, max=65535, help="0 picks a free port"),
    ] = 5055,
    http_require_token: Annotated[
        bool,
        typer.Option(
            envvar="ASSETWATCH_HTTP_REQUIRE_TOKEN", help="refuse HTTP devices without a token"
        ),
    ] = False,
    mqtt_url: Annotated[
        str | None,
        typer.Option(envvar="ASSETWATCH_MQTT_URL", help="mqtt://user:pass@host:1883 to subscribe"),
    ] = None,
    mqtt_topic_prefix: Annotated[
        str, typer.Option(envvar="ASSETWATCH_MQTT_TOPIC_PREFIX")
    ] = "assetwatch/v1",
    mqtt_client_id: Annotated[
        str, typer.Option(envvar="ASSETWATCH_MQTT_CLIENT_ID", help="stable id of the session")
    ] = "assetwatch-platform",
    tls_certfile: Annotated[
        Path | None,
        typer.Option(envvar="ASSETWATCH_TLS_CERTFILE", help="HTTPS for the API and HTTP ingestion"),
    ] = None,
    tls_keyfile: Annotated[
        Path | None, typer.Option(envvar="ASSETWATCH_TLS_KEYFILE", help="key of --tls-certfile")
    ] = None,
    mqtt_tls_ca_file: Annotated[
        Path | None,
        typer.Option(envvar="ASSETWATCH_MQTT_TLS_CA_FILE", help="CA of the broker (mqtts://)"),
    ] = None,
) -> None:
    """Run the gateway, processor and API until Ctrl-C / SIGTERM."""
    logging.basicConfig(
        level=log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    settings = Settings(
        data_dir=Path(data_dir),
        database_url=database_url,
        host=host,
        jt808_port=jt808_port,
        gt06_port=gt06_port,
        api_port=api_port,
        unknown_devices=unknown_devices.value,
        http_port=http_port,
        http_require_token=http_require_token,
        mqtt_url=mqtt_url,
        mqtt_topic_prefix=mqtt_topic_prefix,
        mqtt_client_id=mqtt_client_id,
        tls_certfile=tls_certfile,
        tls_keyfile=tls_keyfile,
        mqtt_tls_ca_file=mqtt_tls_ca_file,
    )
    run_until_signal(settings)
