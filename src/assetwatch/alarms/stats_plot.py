"""Charts of :func:`assetwatch.alarms.stats.alarm_stats`: one PNG with four panels.

Alarms per day, alarms by type, mean time to acknowledge and to resolve per type (minutes),
and the false-positive rate per type (%). Drawn on the Agg canvas without ``pyplot``, so it
keeps no global state and may run in the API's worker threads.
"""

from __future__ import annotations

import io
import math
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

MAX_TYPES = 12
"""Types shown in the per-type panels: the most frequent ones."""
MAX_DAY_TICKS = 10
MIN_DAYS_SHOWN = 7

ACK_COLOUR, RESOLVE_COLOUR, BAR_COLOUR, FP_COLOUR = "#4c72b0", "#55a868", "#8172b3", "#c44e52"


def render_stats_png(stats: dict[str, Any], path: Path, *, title: str) -> None:
    """Write the charts of ``stats`` to ``path`` as a PNG."""
    path.write_bytes(stats_png(stats, title=title))


def default_title(stats: dict[str, Any], *, tenant: str | None = None) -> str:
    """``Alarms of bank-a, 2026-03-01T00:00:00Z to now (Asia/Shanghai), type sos``."""
    filters = stats["filters"]
    title = f"Alarms of {tenant}" if tenant else "Alarms"
    title += f", {filters['since'] or 'start'} to {filters['until'] or 'now'}"
    title += f" (days in {filters['timezone']})"
    return title + (f", type {filters['type']}" if filters["type"] else "")


def stats_png(stats: dict[str, Any], *, title: str) -> bytes:
    """The charts of ``stats`` as PNG bytes; one line saying "no alarms" when there are none."""
    if not stats["total"]:
        figure = Figure(figsize=(8, 3), dpi=100)
        figure.suptitle(title)
        figure.text(0.5, 0.45, "no alarms", ha="center", va="center", fontsize=18)
        return _png(figure)
    figure = Figure(figsize=(13, 9), dpi=100, layout="constrained")
    figure.suptitle(title)
    (per_day, per_type), (times, false_positives) = figure.subplots(2, 2)
    types = list(stats["by_type"])[:MAX_TYPES]
    _per_day(per_day, stats["by_day"])
    _per_type(per_type, {t: stats["by_type"][t] for t in types})
    _response_times(times, stats["times_by_type"], types)
    _false_positive_rates(false_positives, stats["false_positive_rate"]["by_type"], types)
    return _png(figure)


def _png(figure: Figure) -> bytes:
    FigureCanvasAgg(figure)  # attaches itself to the figure
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _per_day(ax: Axes, by_day: dict[str, int]) -> None:
    """One bar per day with alarms, placed on a continuous day axis so gaps show."""
    days = [date.fromisoformat(day) for day in by_day]
    first = days[0]
    offsets = [(day - first).days for day in days]
    ax.bar(offsets, list(by_day.values()), width=0.8, color=BAR_COLOUR)
    span = offsets[-1] + 1
    step = max(1, math.ceil(span / MAX_DAY_TICKS))
    ticks = list(range(0, span, step))
    ax.set_xticks(ticks, [(first + timedelta(days=t)).isoformat() for t in ticks])
    ax.tick_params(axis="x", labelrotation=30)
    ax.set_xlim(-0.6, max(span, MIN_DAYS_SHOWN) - 0.4)  # one lone day is not a wall
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Alarms per day")
    ax.set_ylabel("alarms")


def _per_type(ax: Axes, by_type: dict[str, int]) -> None:
    names = list(by_type)
    ax.barh(names, list(by_type.values()), height=0.6, color=BAR_COLOUR)
    ax.set_ylim(max(len(names), 4) - 0.5, -0.5)  # the most frequent on top
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title("Alarms by type")
    ax.set_xlabel("alarms")


def _response_times(ax: Axes, times_by_type: dict[str, Any], types: list[str]) -> None:
    ax.set_title("Mean time to acknowledge and to resolve")
    shown = [t for t in types if t in times_by_type]
    if not shown:
        _nothing(ax, "no alarm acknowledged or closed yet")
        return
    positions = list(range(len(shown)))
    for offset, key, label, colour in (
        (-0.2, "mtta_s", "acknowledge", ACK_COLOUR),
        (0.2, "mttr_s", "resolve", RESOLVE_COLOUR),
    ):
        minutes = [(times_by_type[t][key]["mean"] or 0.0) / 60 for t in shown]
        ax.bar([p + offset for p in positions], minutes, width=0.4, label=label, color=colour)
    ax.set_xticks(positions, shown, rotation=30, ha="right")
    ax.set_ylabel("minutes")
    ax.legend()


def _false_positive_rates(ax: Axes, rates: dict[str, Any], types: list[str]) -> None:
    ax.set_title("False positives among closed alarms")
    shown = [t for t in types if rates.get(t, {}).get("rate") is not None]
    if not shown:
        _nothing(ax, "no alarm closed yet")
        return
    percent = [rates[t]["rate"] * 100 for t in shown]
    bars = ax.bar(shown, percent, color=FP_COLOUR)
    labels = [f"{rates[t]['false_positive']}/{rates[t]['closed']}" for t in shown]
    ax.bar_label(bars, labels, padding=2)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of closed")
    ax.tick_params(axis="x", labelrotation=30)


def _nothing(ax: Axes, message: str) -> None:
    ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
    ax.set_axis_off()
