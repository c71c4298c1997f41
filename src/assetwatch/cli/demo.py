"""``assetwatch demo`` and ``assetwatch simulate``.

``demo`` serves with a data dir, applies the demo fleet, runs the simulated fleet over real
JT/T 808 TCP and shows alarms live until Ctrl-C (or ``--duration``).
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import signal
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Group
from rich.live import Live
from rich.table import Table
from rich.text import Text

from assetwatch.cli.common import console
from assetwatch.platform import EmbeddedPlatform, Endpoints
from assetwatch.registry.provisioning import apply_text
from assetwatch.settings import Settings
from assetwatch.simulate.events import SimulationEvent
from assetwatch.simulate.fleet import demo_fleet_yaml, demo_scenario
from assetwatch.simulate.runner import run_fleet

EXPECTED = ("geofence_exit", "geofence_enter", "power_cut", "offline")


class AlarmBoard:
    """What the demo shows: alarms as they arrive, and the simulator's last events."""

    def __init__(self, endpoints: Endpoints):
        self.endpoints = endpoints
        self.alarms: list[dict[str, Any]] = []
        self.events: list[SimulationEvent] = []
        self.positions = 0
        self.started = time.monotonic()

    def on_feed(self, message: dict[str, Any]) -> None:
        if message["type"] == "position":
            self.positions += 1
        elif message["type"] == "alarm" and message["new"]:
            self.alarms.append(message)

    def on_event(self, event: SimulationEvent) -> None:
        self.events = [*self.events[-5:], event]

    def seen(self) -> set[str]:
        seen = {a["alarm_type"] for a in self.alarms}
        if any(a["retrospective"] for a in self.alarms):
            seen.add("retrospective")
        return seen

    def render(self) -> Group:
        url = self.endpoints.api_url
        head = Text.from_markup(
            f"[bold]assetwatch demo[/] · API {url}/api/v1 · docs {url}/docs · JT/T 808 on "
            f":{self.endpoints.jt808_port} · {self.positions} positions · "
            f"{time.monotonic() - self.started:.0f} s · Ctrl-C to stop"
        )
        table = Table(header_style="bold", expand=True)
        table.add_column("time (UTC)", no_wrap=True)
        table.add_column("alarm", no_wrap=True)
        table.add_column("asset", no_wrap=True, min_width=17)
        table.add_column("subject", no_wrap=True)
        table.add_column("retro", no_wrap=True)
        for a in self.alarms[-20:]:
            when = time.strftime("%H:%M:%S", time.gmtime(a["time_ms"] / 1000))
            retro = "[magenta]yes[/]" if a["retrospective"] else ""
            table.add_row(
                when, f"[red]{a['alarm_type']}[/]", a["asset"] or "-", a["subject"], retro
            )
        events = Text(
            "\n".join(f"  {e.at_s:5.1f}s {e.device} {e.kind} {e.detail}" for e in self.events),
            style="dim",
        )
        return Group(head, table, Text("simulator:", style="bold"), events, Text(""))


async def _run_demo(settings: Settings, duration_s: float | None) -> AlarmBoard:
    platform = EmbeddedPlatform(settings)
    endpoints = await platform.start()
    report = apply_text(platform.engine, demo_fleet_yaml(), "demo_fleet.yaml")
    platform.reload_registry()
    console.print(report.render(), markup=False, highlight=False)
    board = AlarmBoard(endpoints)
    subscription = platform.feed.subscribe(None, maxsize=100_000)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)

    async def pump() -> None:
        while True:
            board.on_feed(await subscription.get())

    pumper = asyncio.create_task(pump())
    fleet = asyncio.create_task(
        run_fleet(
            endpoints.host,
            endpoints.jt808_port,
            demo_scenario(),
            duration_s=duration_s,
            stop=stop,
            on_event=board.on_event,
            drain_s=2.0,
        )
    )
    try:
        with Live(board.render(), console=console, refresh_per_second=4) as live:
            while not fleet.done():
                live.update(board.render())
                await asyncio.sleep(0.25)
            live.update(board.render())
    finally:
        stop.set()
        await asyncio.gather(fleet, return_exceptions=True)
        pumper.cancel()
        subscription.close()
        await platform.stop()
    return board


def demo(
    data_dir: Annotated[Path, typer.Option(help="demo data directory")] = Path(".demo-data"),
    keep: Annotated[bool, typer.Option(help="keep the data of a previous demo")] = False,
    duration: Annotated[float | None, typer.Option(help="stop after N seconds")] = None,
    check: Annotated[bool, typer.Option(help="exit 1 unless every demo alarm appeared")] = False,
    jt808_port: int = 0,
    api_port: int = 0,
) -> None:
    """Run the platform with a simulated JT/T 808 fleet and watch alarms arrive."""
    if not keep and data_dir.exists():
        shutil.rmtree(data_dir)
    settings = Settings(
        data_dir=data_dir,
        host="127.0.0.1",
        jt808_port=jt808_port,
        gt06_port=0,
        api_port=api_port,
        http_port=0,
        late_after_s=60.0,
        environment="development",  # a laptop demo: the API needs no sign-in
    )
    board = asyncio.run(_run_demo(settings, duration))
    missing = [kind for kind in (*EXPECTED, "retrospective") if kind not in board.seen()]
    console.print(f"alarms seen: {', '.join(sorted(board.seen())) or 'none'}")
    if missing:
        console.print(f"[yellow]not seen yet: {', '.join(missing)}[/]")
        if check:
            raise typer.Exit(1)


def simulate(
    host: Annotated[str, typer.Option(help="JT/T 808 server address")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="JT/T 808 server port")] = 6808,
    duration: Annotated[float | None, typer.Option(help="stop after N seconds")] = None,
) -> None:
    """Drive the demo fleet against a running server. Provision it first:
    ``assetwatch demo-fleet > fleet.yaml && assetwatch apply -f fleet.yaml``."""

    def show(event: SimulationEvent) -> None:
        console.print(
            f"{event.at_s:6.1f}s {event.device} {event.kind} {event.detail}", highlight=False
        )

    stats = asyncio.run(run_fleet(host, port, demo_scenario(), duration_s=duration, on_event=show))
    console.print(f"sent {stats.sent}, acked {stats.acked}, retransmitted {stats.retransmitted}")


def print_fleet() -> None:
    """Print the demo fleet's provisioning file."""
    typer.echo(demo_fleet_yaml(), nl=False)
