"""The ``assetwatch`` entry point."""

from __future__ import annotations

import sys

import typer
from rich.text import Text

from assetwatch.cli import (
    alarms,
    analytics,
    audit,
    commands,
    decode,
    demo,
    devices,
    evidence,
    mqtt,
    notify,
    provisioning,
    risk,
    risk_points,
    serve,
    track,
    users,
)
from assetwatch.cli import cells as cells_cli
from assetwatch.cli.common import err_console
from assetwatch.errors import AssetwatchError

app = typer.Typer(
    name="assetwatch",
    help="Monitoring of financed assets through IoT devices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command()(serve.serve)
app.command()(provisioning.apply)
app.command()(track.track)
app.command()(decode.decode)
app.add_typer(alarms.app, name="alarms")
app.add_typer(analytics.app, name="analytics")
app.add_typer(commands.app, name="commands")
app.add_typer(devices.app, name="devices")
app.add_typer(evidence.app, name="evidence")
app.add_typer(mqtt.app, name="mqtt")
app.add_typer(notify.app, name="notify")
app.command()(demo.demo)
app.command()(demo.simulate)
app.command("demo-fleet")(demo.print_fleet)
app.add_typer(cells_cli.app, name="cells")
app.add_typer(risk_points.app, name="risk-points")
app.add_typer(users.app, name="users")
app.add_typer(risk.app, name="risk")
app.command()(audit.audit)


def main() -> None:
    """Run the CLI; domain errors become one red line and exit code 1."""
    try:
        app(standalone_mode=True)
    except AssetwatchError as err:
        fail(str(err))
    except OSError as err:  # a port in use, an unreadable data dir...
        fail(f"{err.strerror or err}" + (f": {err.filename}" if err.filename else ""))


def fail(message: str) -> None:
    """One red line (no markup interpretation, no wrapping) and exit code 1."""
    err_console.print(Text("error: ", style="red") + Text(message), soft_wrap=True, highlight=False)
    sys.exit(1)
