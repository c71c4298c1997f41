"""Rendering notices: localised names, times in the recipient's zone, HTML escaping."""

from __future__ import annotations

import re

import pytest

from assetwatch.model.alarms import AlarmCode
from assetwatch.notify.locales import ALARM_TYPE_NAMES, alarm_type_name, pick_locale
from assetwatch.notify.templates import render

from .samples import alarm, english, notice, recipient

CANONICAL = (
    "sos removal tamper light power_cut low_battery low_voltage vibration overspeed "
    "geofence_enter geofence_exit offline jamming gnss_antenna_cut"
).split()
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_alarm_in_chinese_shows_shanghai_time():
    rendered = render(notice())
    assert rendered.title == "【严重】设备拆除 — Camry 京A·12345 (LSVAB4182E2000001)"
    assert "类型：设备拆除" in rendered.text
    assert "级别：严重" in rendered.text
    assert "状态：未处理" in rendered.text
    assert "时间：2026-12-01 16:05:09 CST" in rendered.text
    assert "设备：868120000000001" in rendered.text
    assert "位置（WGS-84）：39.908722, 116.397499" in rendered.text
    assert rendered.short == (
        "【严重】设备拆除：Camry 京A·12345 (LSVAB4182E2000001)，2026-12-01 16:05 CST"
    )
    assert "**类型**：设备拆除" in rendered.markdown
    assert "<td>2026-12-01 16:05:09 CST</td>" in rendered.html


def test_alarm_in_english_shows_berlin_time():
    rendered = render(english())
    assert rendered.title == "[Critical] Device removal — Camry 京A·12345 (LSVAB4182E2000001)"
    assert "Time: 2026-12-01 09:05:09 CET" in rendered.text
    assert "Severity: Critical" in rendered.text
    assert rendered.short.endswith(", 2026-12-01 09:05 CET")
    assert '<html lang="en">' in rendered.html


@pytest.mark.parametrize("code", CANONICAL)
def test_every_canonical_type_has_a_chinese_and_an_english_name(code):
    assert code in {member.value for member in AlarmCode}
    zh, en = render(notice(alarms=(alarm(type=code),))), render(english(alarms=(alarm(type=code),)))
    assert CJK.search(alarm_type_name(code, "zh-CN"))
    assert alarm_type_name(code, "zh-CN") in zh.title
    assert alarm_type_name(code, "en") in en.title
    assert "_" not in en.title


def test_some_names_exactly():
    assert ALARM_TYPE_NAMES["geofence_exit"] == ("Geofence left", "离开围栏")
    assert alarm_type_name("offline", "zh-CN") == "设备离线"
    assert alarm_type_name("power_cut", "en") == "Power cut"


def test_unknown_type_is_shown_readably_in_both_locales():
    facts = (alarm(type="second_mortgage_dwell"),)
    assert "Second mortgage dwell" in render(notice(alarms=facts)).title
    assert "Second mortgage dwell" in render(english(alarms=facts)).title


@pytest.mark.parametrize(
    ("severity", "zh", "en"),
    [
        ("low", "低", "Low"),
        ("medium", "中", "Medium"),
        ("high", "高", "High"),
        ("critical", "严重", "Critical"),
    ],
)
def test_severity_names(severity, zh, en):
    facts = (alarm(severity=severity),)
    assert render(notice(alarms=facts)).title.startswith(f"【{zh}】")
    assert render(english(alarms=facts)).title.startswith(f"[{en}]")


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Asia/Shanghai", "2026-12-01 16:05:09 CST"),
        ("+08:00", "2026-12-01 16:05:09 +08:00"),
        ("-0330", "2026-12-01 04:35:09 -03:30"),
        ("Asia/Dubai", "2026-12-01 12:05:09 +04:00"),  # no letter abbreviation in tzdata
        ("UTC", "2026-12-01 08:05:09 UTC"),
        ("Mars/Olympus_Mons", "2026-12-01 08:05:09 UTC"),  # unknown: UTC, not a failure
    ],
)
def test_times_in_the_recipients_zone(zone, shown):
    rendered = render(notice(recipient=recipient(locale="en", timezone=zone)))
    assert f"Time: {shown}" in rendered.text


@pytest.mark.parametrize(
    ("tag", "locale"), [("zh", "zh-CN"), ("zh_CN", "zh-CN"), ("en-GB", "en"), ("fr", "en")]
)
def test_locale_fallback(tag, locale):
    assert pick_locale(tag) == locale


def test_unknown_locale_renders_english():
    rendered = render(notice(recipient=recipient(locale="fr")))
    assert rendered.title.startswith("[Critical] Device removal")


def test_escalation_says_unacknowledged_and_step():
    zh = render(notice(kind="escalation", escalation_step=2))
    assert zh.title.startswith("告警未确认（第 2 级升级）：【严重】设备拆除")
    assert "该告警仍未确认（第 2 级升级）。" in zh.text
    assert zh.short.startswith("告警未确认（第2级）：")
    en = render(english(kind="escalation", escalation_step=3))
    assert en.title.startswith("Unacknowledged (escalation step 3): [Critical] Device removal")
    assert "has not been acknowledged yet (escalation step 3)" in en.text


def test_summary_counts_suppressed_alarms():
    en = render(english(kind="summary", suppressed=12))
    expected = "12 more Device removal alarms on asset Camry 京A·12345 (LSVAB4182E2000001)"
    assert en.title == expected + " were suppressed"
    assert en.short == en.title
    zh = render(notice(kind="summary", suppressed=12))
    assert zh.title == "资产 Camry 京A·12345 (LSVAB4182E2000001) 另有 12 条「设备拆除」告警已被抑制"


def test_digest_lists_every_alarm():
    facts = (
        alarm(),
        alarm(alarm_id=42, type="offline", severity="high", opened_ms=alarm().opened_ms + 60_000),
        alarm(alarm_id=43, type="geofence_exit", severity="medium", asset="VIN3", asset_name=None),
    )
    en = render(english(kind="digest", alarms=facts))
    assert en.title == "Alarm digest: 3 alarms"
    assert "- 2026-12-01 09:06:09 CET [High] Device offline — Camry" in en.text
    assert "[Medium] Geofence left — VIN3" in en.text
    assert en.short == "3 alarms: Device removal, Device offline, Geofence left"
    assert en.html.count("<tr>") == 1 + 3 + 1  # header, alarms, tenant
    zh = render(notice(kind="digest", alarms=facts))
    assert zh.title == "告警汇总：共 3 条"
    assert zh.short == "3 条告警：设备拆除、设备离线、离开围栏"


def test_test_notice_without_alarms():
    zh = render(notice(kind="test", alarms=()))
    assert zh.title == "assetwatch 测试通知"
    assert "通知渠道工作正常" in zh.text
    assert render(english(kind="test", alarms=())).short == "Test notification from assetwatch"


def test_html_escapes_every_value():
    hostile = notice(
        tenant="a&b",
        alarms=(alarm(asset_name="<script>alert(1)</script>", details={"<k>": '"v"'}),),
        link='https://aw.example/alarms/41?x="><script>',
    )
    page = render(hostile).html
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a&amp;b" in page
    assert "&lt;k&gt;=&quot;v&quot;" in page
    assert 'href="https://aw.example/alarms/41?x=&quot;&gt;&lt;script&gt;"' in page


def test_link_in_every_long_form_when_set():
    rendered = render(english(link="https://aw.example/alarms/41"))
    assert "Open in assetwatch: https://aw.example/alarms/41" in rendered.text
    assert "[Open in assetwatch](https://aw.example/alarms/41)" in rendered.markdown
    assert '<a href="https://aw.example/alarms/41">Open in assetwatch</a>' in rendered.html
    plain = render(english())
    assert "Open in assetwatch" not in plain.text + plain.html + plain.markdown


def test_only_http_links_become_hrefs():
    rendered = render(english(link="javascript:alert(1)"))
    assert "javascript:" not in rendered.html + rendered.text + rendered.markdown


def test_line_breaks_in_values_do_not_break_the_layout():
    rendered = render(notice(alarms=(alarm(asset_name="Camry\n### fake heading"),)))
    assert "\n" not in rendered.short and "\n" not in rendered.title
    assert "\n### fake heading" not in rendered.markdown
