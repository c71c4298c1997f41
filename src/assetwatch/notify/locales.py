"""The words of notifications in each locale: alarm types, severities, statuses, phrases.

Two locales, ``zh-CN`` and ``en``; anything else falls back to ``en``. An alarm type without
a name here is shown readably from its code (``second_mortgage_dwell`` → "Second mortgage
dwell") in every locale.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Locale = Literal["en", "zh-CN"]

ALARM_TYPE_NAMES: dict[str, tuple[str, str]] = {  # code: (en, zh-CN)
    "sos": ("SOS", "紧急求救"),
    "removal": ("Device removal", "设备拆除"),
    "tamper": ("Tamper", "设备防拆"),
    "light": ("Light sensor", "光感报警"),
    "power_cut": ("Power cut", "外部断电"),
    "low_battery": ("Low battery", "电池电量低"),
    "low_voltage": ("Low voltage", "电压过低"),
    "vibration": ("Vibration", "震动报警"),
    "overspeed": ("Overspeed", "超速"),
    "geofence_enter": ("Geofence entered", "进入围栏"),
    "geofence_exit": ("Geofence left", "离开围栏"),
    "offline": ("Device offline", "设备离线"),
    "jamming": ("Signal jamming", "信号屏蔽"),
    "gnss_antenna_cut": ("GNSS antenna cut", "GNSS 天线断开"),
    "gnss_antenna_short": ("GNSS antenna short circuit", "GNSS 天线短路"),
    "gnss_fault": ("GNSS fault", "GNSS 模块故障"),
    "fatigue": ("Fatigue driving", "疲劳驾驶"),
    "collision": ("Collision", "碰撞"),
    "rollover": ("Rollover", "侧翻"),
    "theft": ("Theft", "被盗"),
    "illegal_ignition": ("Unauthorised ignition", "非法点火"),
    "illegal_move": ("Unauthorised movement", "非法移位"),
    "harsh_acceleration": ("Harsh acceleration", "急加速"),
    "harsh_braking": ("Harsh braking", "急刹车"),
    "harsh_cornering": ("Harsh cornering", "急转弯"),
}

SEVERITY_NAMES: dict[str, tuple[str, str]] = {
    "low": ("Low", "低"),
    "medium": ("Medium", "中"),
    "high": ("High", "高"),
    "critical": ("Critical", "严重"),
}

STATUS_NAMES: dict[str, tuple[str, str]] = {
    "open": ("Open", "未处理"),
    "acknowledged": ("Acknowledged", "已确认"),
    "resolved": ("Resolved", "已解决"),
    "false_positive": ("False positive", "误报"),
}


@dataclass(frozen=True, slots=True)
class Phrases:
    """Labels and ``str.format`` patterns of one locale (placeholders named in braces)."""

    type: str
    severity: str
    status: str
    asset: str
    device: str
    subject: str
    time: str
    repeats: str
    location: str
    details: str
    tenant: str
    alarm_title: str  # {severity} {type} {target}
    device_target: str  # {device}
    escalation_title: str  # {step} {title}
    escalation_intro: str  # {step}
    summary_title: str  # {count} {type} {target}
    summary_intro: str
    digest_title: str  # {count}
    test_title: str
    test_intro: str
    open_link: str
    short_alarm: str  # {severity} {type} {target} {time}
    short_escalation: str  # {step} {text}
    short_digest: str  # {count} {types}
    list_separator: str
    colon: str  # between a label and its value


EN = Phrases(
    type="Type",
    severity="Severity",
    status="Status",
    asset="Asset",
    device="Device",
    subject="Subject",
    time="Time",
    repeats="Repeats",
    location="Location (WGS-84)",
    details="Details",
    tenant="Tenant",
    alarm_title="[{severity}] {type} — {target}",
    device_target="device {device}",
    escalation_title="Unacknowledged (escalation step {step}): {title}",
    escalation_intro="This alarm has not been acknowledged yet (escalation step {step}).",
    summary_title="{count} more {type} alarms on asset {target} were suppressed",
    summary_intro=(
        "Every alarm is still recorded; only the one-by-one notifications were held back "
        "to avoid an alarm storm."
    ),
    digest_title="Alarm digest: {count} alarms",
    test_title="Test notification from assetwatch",
    test_intro="This is a test message: the notification channel works.",
    open_link="Open in assetwatch",
    short_alarm="[{severity}] {type}: {target}, {time}",
    short_escalation="Unacknowledged (step {step}): {text}",
    short_digest="{count} alarms: {types}",
    list_separator=", ",
    colon=": ",
)

ZH_CN = Phrases(
    type="类型",
    severity="级别",
    status="状态",
    asset="资产",
    device="设备",
    subject="对象",
    time="时间",
    repeats="重复次数",
    location="位置（WGS-84）",
    details="详情",
    tenant="租户",
    alarm_title="【{severity}】{type} — {target}",
    device_target="设备 {device}",
    escalation_title="告警未确认（第 {step} 级升级）：{title}",
    escalation_intro="该告警仍未确认（第 {step} 级升级）。",
    summary_title="资产 {target} 另有 {count} 条「{type}」告警已被抑制",
    summary_intro="所有告警均已记录，为避免告警风暴，未逐条发送通知。",
    digest_title="告警汇总：共 {count} 条",
    test_title="assetwatch 测试通知",
    test_intro="这是一条测试消息：通知渠道工作正常。",
    open_link="在 assetwatch 中查看",
    short_alarm="【{severity}】{type}：{target}，{time}",
    short_escalation="告警未确认（第{step}级）：{text}",
    short_digest="{count} 条告警：{types}",
    list_separator="、",
    colon="：",
)

_PHRASES: dict[Locale, Phrases] = {"en": EN, "zh-CN": ZH_CN}


def pick_locale(locale: str) -> Locale:
    """``zh-CN`` for any Chinese tag (``zh``, ``zh_CN``, ``zh-Hans``…), else ``en``."""
    return "zh-CN" if locale.strip().lower().startswith("zh") else "en"


def phrases(locale: Locale) -> Phrases:
    return _PHRASES[locale]


def readable_code(code: str) -> str:
    """``second_mortgage_dwell`` → ``Second mortgage dwell``."""
    words = code.replace("-", " ").replace("_", " ").split()
    text = " ".join(words)
    return text[:1].upper() + text[1:] if text else code


def _named(table: dict[str, tuple[str, str]], code: str, locale: Locale) -> str:
    names = table.get(code)
    if names is None:
        return readable_code(code)
    return names[1] if locale == "zh-CN" else names[0]


def alarm_type_name(code: str, locale: Locale) -> str:
    return _named(ALARM_TYPE_NAMES, code, locale)


def severity_name(code: str, locale: Locale) -> str:
    return _named(SEVERITY_NAMES, code, locale)


def status_name(code: str, locale: Locale) -> str:
    return _named(STATUS_NAMES, code, locale)
