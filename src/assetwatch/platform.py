"""The embedded platform in one process: storage, bus, processor, gateway and API."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import socket
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn

from assetwatch.analytics.model import StayParams
from assetwatch.api.app import create_app
from assetwatch.commands.dispatcher import CommandDispatcher, DispatchSettings
from assetwatch.gateways.gt06 import Gt06Gateway
from assetwatch.gateways.http import HttpGateway, HttpIngestSettings
from assetwatch.gateways.jt808 import Jt808Gateway
from assetwatch.gateways.mqtt import MqttGateway, MqttSettings
from assetwatch.gateways.rate_limit import RateLimits
from assetwatch.gateways.sessions import Sessions
from assetwatch.gateways.tcp import TcpLimits
from assetwatch.live import LiveFeed
from assetwatch.notify.directory import NotifyDirectory
from assetwatch.notify.outbox import Outbox, StormLimit
from assetwatch.notify.worker import Deliverer, DeliverySettings
from assetwatch.observability import Metrics
from assetwatch.pipeline.bus import MemoryBus
from assetwatch.pipeline.directory import DeviceDirectory
from assetwatch.pipeline.processor import Processor, ProcessorSettings, now_ms
from assetwatch.settings import Settings
from assetwatch.storage.engine import migrate, open_engine, sqlite_url

log = logging.getLogger(__name__)


@dataclass
class Endpoints:
    jt808_port: int
    api_port: int
    host: str
    http_port: int = 0
    gt06_port: int = 0
    tls: bool = False

    @property
    def api_url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{self.host}:{self.api_port}"


def _tls_files(settings: Settings) -> tuple[str | None, str | None]:
    """The certificate and key the API and HTTP ingestion serve HTTPS with, if any."""
    cert, key = settings.tls_certfile, settings.tls_keyfile
    return (str(cert), str(key)) if cert is not None and key is not None else (None, None)


class _ApiServer(uvicorn.Server):
    """uvicorn without its own signal handlers: the platform decides when to stop."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedPlatform:
    """Start with :meth:`start`, stop with :meth:`stop`. Everything runs on one event loop;
    database commits run in a worker thread so sockets keep being served."""

    def __init__(self, settings: Settings):
        self.settings = settings
        url = settings.database_url or sqlite_url(settings.data_dir)
        self.engine = open_engine(url)
        migrate(self.engine)
        self.metrics = Metrics()
        self.feed = LiveFeed()
        self.bus = MemoryBus(partitions=1)
        self.directory = DeviceDirectory(self.engine)
        self.notify_directory = NotifyDirectory(self.engine)
        storm = StormLimit(int(settings.storm_window_s * 1000), settings.storm_limit)
        self.deliverer = Deliverer(
            self.engine,
            self.notify_directory,
            self.metrics,
            now_ms,
            DeliverySettings.of(settings),
            storm=storm,
            publish=self.feed.publish,
        )
        self.processor = Processor(
            self.engine,
            self.bus,
            self.directory,
            self.metrics,
            self.feed.publish,
            ProcessorSettings(
                batch_max=settings.batch_max,
                batch_wait_s=settings.batch_wait_s,
                late_after_s=settings.late_after_s,
                auto_resolve=frozenset(settings.alarm_auto_resolve),
                stays=StayParams(
                    settings.stay_radius_m,
                    settings.stay_min_duration_s,
                    settings.stay_max_gap_s,
                    moving_speed_kmh=settings.stay_moving_speed_kmh,
                ),
                risk_point_dwell_s=settings.risk_point_dwell_s,
            ),
            listening=self.feed.has_subscribers,
            outbox=Outbox(
                self.notify_directory, storm, notify_retrospective=settings.notify_retrospective
            ),
            on_outbox=self.deliverer.kick,
        )
        self.sessions = Sessions()
        self.tcp_limits = TcpLimits(
            max_frame_bytes=settings.tcp_max_frame_bytes,
            idle_timeout_s=settings.tcp_idle_timeout_s,
            partial_frame_timeout_s=settings.tcp_partial_frame_timeout_s,
            max_connections_per_ip=settings.tcp_max_connections_per_ip,
        )
        self.rates = RateLimits.of(settings)
        tls_files = _tls_files(settings)
        self.gateway = Jt808Gateway(
            self.bus,
            self.directory,
            self.metrics,
            now_ms,
            unknown_policy=settings.unknown_devices,
            sessions=self.sessions,
            limits=self.tcp_limits,
            rates=self.rates,
        )
        self.dispatcher = CommandDispatcher(
            self.engine,
            self.sessions,
            self.metrics,
            now_ms,
            DispatchSettings(
                poll_s=settings.command_poll_s,
                reply_timeout_s=settings.command_reply_timeout_s,
                max_attempts=settings.command_max_attempts,
            ),
        )
        self.http = HttpGateway(
            self.bus,
            self.directory,
            self.metrics,
            now_ms,
            HttpIngestSettings(
                unknown_policy=settings.unknown_devices,
                require_token=settings.http_require_token,
                speed_unit=settings.osmand_speed_unit,
                rates=self.rates,
                tls_certfile=tls_files[0],
                tls_keyfile=tls_files[1],
            ),
        )
        self.mqtt = (
            MqttGateway(self.bus, self.directory, self.metrics, now_ms, MqttSettings.of(settings))
            if settings.mqtt_url
            else None
        )
        self.gt06 = Gt06Gateway(
            self.bus,
            self.directory,
            self.metrics,
            now_ms,
            unknown_policy=settings.unknown_devices,
            sessions=self.sessions,
            limits=self.tcp_limits,
            rates=self.rates,
        )
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._api: _ApiServer | None = None

    async def start(self) -> Endpoints:
        host = self.settings.host
        self._tasks.append(asyncio.create_task(self.processor.run(0, self._stop)))
        self._tasks.append(asyncio.create_task(self.dispatcher.run(self._stop)))
        self._tasks.append(asyncio.create_task(self.deliverer.run(self._stop)))
        jt808_port = await self.gateway.start(host, self.settings.jt808_port)
        http_port = await self.http.start(host, self.settings.http_port)
        if self.mqtt is not None:
            self.mqtt.start()
        gt06_port = await self.gt06.start(host, self.settings.gt06_port)
        app = create_app(
            self.engine,
            self.feed,
            self.metrics,
            self.settings,
            ready=lambda: not self._stop.is_set(),
            on_registry_change=self.reload_registry,
            kick_commands=self.dispatcher.kick,
            on_notify_change=self.notify_changed,
        )
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, self.settings.api_port))
        api_port = int(sock.getsockname()[1])
        certfile, keyfile = _tls_files(self.settings)
        config = uvicorn.Config(
            app,
            log_level="warning",
            lifespan="off",
            ws="websockets-sansio",
            timeout_graceful_shutdown=5,
            ssl_certfile=certfile,
            ssl_keyfile=keyfile,
        )
        self._api = _ApiServer(config)
        self._tasks.append(asyncio.create_task(self._api.serve(sockets=[sock])))
        while not self._api.started:
            await asyncio.sleep(0.01)
        # everything allocated so far lives as long as the process: keep it out of the
        # collector's scans (measured: ~30 % of ingest CPU went to full collections)
        gc.collect()
        gc.freeze()
        return Endpoints(
            jt808_port=jt808_port,
            api_port=api_port,
            host=host,
            http_port=http_port,
            gt06_port=gt06_port,
            tls=certfile is not None,
        )

    def reload_registry(self) -> None:
        """Pick up provisioning changes now instead of at the next periodic refresh."""
        self.directory.reload()
        self.processor.reload_fences()

    def notify_changed(self) -> None:
        """The API changed notification settings or queued a notification."""
        self.notify_directory.reload()
        self.deliverer.kick()

    async def stop(self) -> None:
        """Stop accepting, let the processor finish its batch, then shut the API."""
        if self.mqtt is not None:
            await self.mqtt.stop()  # its un-acked messages stay with the broker
        await self.http.stop()  # answers the requests in flight (the processor still runs)
        await self.gateway.stop()
        await self.gt06.stop()
        self._stop.set()
        self.dispatcher.kick()  # wake it from its poll wait
        self.deliverer.kick()
        if self._api is not None:
            self._api.should_exit = True
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self.engine.dispose()
