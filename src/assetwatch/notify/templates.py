"""Render a :class:`Notice` into the texts channels send: title, plain, HTML, Markdown, SMS line.

Times are shown in the recipient's zone (an IANA name such as ``Asia/Shanghai``, ``UTC`` or a
fixed ``±HH:MM`` offset; an unknown zone falls back to UTC rather than failing a delivery).
Every value in the HTML is escaped; Markdown and the SMS line get values folded onto one line,
so a name cannot break the layout. An SMS line looks like
``【严重】设备拆除：Camry (VIN1)，2026-12-01 16:05 CST``.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from assetwatch.notify.locales import (
    Locale,
    Phrases,
    alarm_type_name,
    phrases,
    pick_locale,
    severity_name,
    status_name,
)
from assetwatch.notify.model import AlarmFacts, Notice

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})?$")
MAX_DETAILS = 12  # detail entries shown per alarm


@dataclass(frozen=True, slots=True)
class Rendered:
    """The texts of one notice. ``short`` is one line, not yet fitted to SMS segments."""

    title: str
    text: str
    html: str
    markdown: str
    short: str


@dataclass(frozen=True, slots=True)
class _Context:
    notice: Notice
    words: Phrases
    locale: Locale
    zone: tzinfo

    def type_name(self, alarm: AlarmFacts) -> str:
        return alarm_type_name(alarm.type, self.locale)

    def severity(self, alarm: AlarmFacts) -> str:
        return severity_name(alarm.severity, self.locale)

    def time(self, epoch_ms: int, *, seconds: bool = True) -> str:
        return format_time(epoch_ms, self.zone, seconds=seconds)


def zone_of(name: str) -> tzinfo:
    """The zone named ``name`` (IANA, ``UTC`` or ``±HH:MM``); UTC when it is unknown."""
    text = name.strip()
    offset = _OFFSET.match(text)
    if offset is not None:
        sign = -1 if offset.group(1) == "-" else 1
        delta = timedelta(hours=int(offset.group(2)), minutes=int(offset.group(3) or 0))
        return timezone(sign * delta) if delta < timedelta(hours=24) else UTC
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def format_time(epoch_ms: int, zone: tzinfo, *, seconds: bool = True) -> str:
    """``2026-12-01 16:05:09 CST``; zones without a letter abbreviation show ``+04:00``."""
    local = datetime.fromtimestamp(epoch_ms / 1000, UTC).astimezone(zone)
    abbreviation = local.tzname() or ""
    if not abbreviation.isalpha():
        offset = local.utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        abbreviation = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    pattern = "%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M"
    return f"{local.strftime(pattern)} {abbreviation}"


def one_line(value: object) -> str:
    """A value on one line, runs of white space folded to one space."""
    return " ".join(str(value).split())


def _target(alarm: AlarmFacts, words: Phrases) -> str:
    if alarm.asset_name and alarm.asset:
        return f"{alarm.asset_name} ({alarm.asset})"
    if alarm.asset or alarm.asset_name:
        return str(alarm.asset or alarm.asset_name)
    if alarm.device:
        return words.device_target.format(device=alarm.device)
    return alarm.subject


def _alarm_title(alarm: AlarmFacts, ctx: _Context) -> str:
    return ctx.words.alarm_title.format(
        severity=ctx.severity(alarm), type=ctx.type_name(alarm), target=_target(alarm, ctx.words)
    )


def _title(ctx: _Context) -> str:
    notice, words = ctx.notice, ctx.words
    first = notice.alarms[0] if notice.alarms else None
    if notice.kind == "test" or first is None:
        return words.test_title if notice.kind == "test" else words.digest_title.format(count=0)
    if notice.kind == "escalation":
        step = notice.escalation_step or 1
        return words.escalation_title.format(step=step, title=_alarm_title(first, ctx))
    if notice.kind == "summary":
        return words.summary_title.format(
            count=notice.suppressed, type=ctx.type_name(first), target=_target(first, words)
        )
    if notice.kind == "digest":
        return words.digest_title.format(count=len(notice.alarms))
    return _alarm_title(first, ctx)


def _intro(ctx: _Context) -> str:
    notice, words = ctx.notice, ctx.words
    if notice.kind == "escalation":
        return words.escalation_intro.format(step=notice.escalation_step or 1)
    if notice.kind == "summary":
        return words.summary_intro
    if notice.kind == "test":
        return words.test_intro
    return ""


def _fields(alarm: AlarmFacts, ctx: _Context) -> list[tuple[str, str]]:
    """(label, value) rows describing one alarm."""
    words = ctx.words
    rows = [
        (words.type, ctx.type_name(alarm)),
        (words.severity, ctx.severity(alarm)),
        (words.status, status_name(alarm.status, ctx.locale)),
        (words.time, ctx.time(alarm.opened_ms)),
    ]
    if alarm.asset or alarm.asset_name:
        rows.append((words.asset, _target(alarm, words)))
    if alarm.device:
        rows.append((words.device, alarm.device))
    if alarm.subject and alarm.subject not in {alarm.asset, alarm.device}:
        rows.append((words.subject, alarm.subject))
    if alarm.count > 1:
        rows.append((words.repeats, str(alarm.count)))
    if alarm.lat is not None and alarm.lon is not None:
        rows.append((words.location, f"{alarm.lat:.6f}, {alarm.lon:.6f}"))
    if alarm.details:
        shown = list(alarm.details.items())[:MAX_DETAILS]
        rows.append((words.details, "; ".join(f"{key}={value}" for key, value in shown)))
    return [(label, one_line(value)) for label, value in rows]


def _digest_line(alarm: AlarmFacts, ctx: _Context) -> str:
    return one_line(f"{ctx.time(alarm.opened_ms)} {_alarm_title(alarm, ctx)}")


def _safe_link(link: str | None) -> str | None:
    """Only http(s) links are linked (a ``javascript:`` URL never becomes an href)."""
    if link and link.split(":", 1)[0].lower() in {"http", "https"}:
        return link
    return None


def _plain(ctx: _Context, title: str, intro: str) -> str:
    colon = ctx.words.colon
    lines = [title, ""]
    if intro:
        lines += [intro, ""]
    if ctx.notice.kind == "digest":
        lines += [f"- {_digest_line(alarm, ctx)}" for alarm in ctx.notice.alarms] + [""]
    elif ctx.notice.alarms:
        fields = _fields(ctx.notice.alarms[0], ctx)
        lines += [f"{label}{colon}{value}" for label, value in fields]
    lines.append(f"{ctx.words.tenant}{colon}{one_line(ctx.notice.tenant)}")
    link = _safe_link(ctx.notice.link)
    if link:
        lines += ["", f"{ctx.words.open_link}{colon}{link}"]
    return "\n".join(lines) + "\n"


def _html(ctx: _Context, title: str, intro: str) -> str:
    e = html.escape
    rows: list[str] = []
    if ctx.notice.kind == "digest":
        header = (ctx.words.time, ctx.words.severity, ctx.words.type, ctx.words.asset)
        rows.append("<tr>" + "".join(f'<th align="left">{e(h)}</th>' for h in header) + "</tr>")
        for alarm in ctx.notice.alarms:
            cells = (
                ctx.time(alarm.opened_ms),
                ctx.severity(alarm),
                ctx.type_name(alarm),
                one_line(_target(alarm, ctx.words)),
            )
            rows.append("<tr>" + "".join(f"<td>{e(c)}</td>" for c in cells) + "</tr>")
    elif ctx.notice.alarms:
        for label, value in _fields(ctx.notice.alarms[0], ctx):
            rows.append(f'<tr><th align="left">{e(label)}</th><td>{e(value)}</td></tr>')
    span = ' colspan="3"' if ctx.notice.kind == "digest" else ""
    rows.append(
        f'<tr><th align="left">{e(ctx.words.tenant)}</th>'
        f"<td{span}>{e(one_line(ctx.notice.tenant))}</td></tr>"
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{e(ctx.locale)}"><head><meta charset="utf-8"><title>{e(title)}</title>'
        "</head>",
        '<body style="font-family: sans-serif;">',
        f"<h2>{e(title)}</h2>",
    ]
    if intro:
        parts.append(f"<p>{e(intro)}</p>")
    parts.append(
        '<table border="1" cellpadding="6" cellspacing="0" style="border-collapse: collapse;">'
    )
    parts += rows
    parts.append("</table>")
    link = _safe_link(ctx.notice.link)
    if link:
        parts.append(f'<p><a href="{e(link)}">{e(ctx.words.open_link)}</a></p>')
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _markdown(ctx: _Context, title: str, intro: str) -> str:
    colon = ctx.words.colon
    blocks = [f"### {one_line(title)}"]
    if intro:
        blocks.append(f"> {intro}")
    if ctx.notice.kind == "digest":
        blocks += [f"- {_digest_line(alarm, ctx)}" for alarm in ctx.notice.alarms]
    elif ctx.notice.alarms:
        fields = _fields(ctx.notice.alarms[0], ctx)
        blocks += [f"**{label}**{colon}{value}" for label, value in fields]
    blocks.append(f"**{ctx.words.tenant}**{colon}{one_line(ctx.notice.tenant)}")
    link = _safe_link(ctx.notice.link)
    if link:
        blocks.append(f"[{ctx.words.open_link}]({link})")
    return "\n\n".join(blocks)  # a blank line breaks lines in both WeCom and DingTalk


def _short(ctx: _Context, title: str) -> str:
    notice, words = ctx.notice, ctx.words
    first = notice.alarms[0] if notice.alarms else None
    if first is None or notice.kind in {"summary", "test"}:
        return one_line(title)
    if notice.kind == "digest":
        names = dict.fromkeys(ctx.type_name(alarm) for alarm in notice.alarms)
        types = words.list_separator.join(names)
        return one_line(words.short_digest.format(count=len(notice.alarms), types=types))
    text = words.short_alarm.format(
        severity=ctx.severity(first),
        type=ctx.type_name(first),
        target=_target(first, words),
        time=ctx.time(first.opened_ms, seconds=False),
    )
    if notice.kind == "escalation":
        text = words.short_escalation.format(step=notice.escalation_step or 1, text=text)
    return one_line(text)


def render(notice: Notice) -> Rendered:
    """All texts of ``notice`` in the recipient's locale and time zone."""
    locale = pick_locale(notice.recipient.locale)
    ctx = _Context(notice, phrases(locale), locale, zone_of(notice.recipient.timezone))
    title = one_line(_title(ctx))
    intro = _intro(ctx)
    return Rendered(
        title=title,
        text=_plain(ctx, title, intro),
        html=_html(ctx, title, intro),
        markdown=_markdown(ctx, title, intro),
        short=_short(ctx, title),
    )
