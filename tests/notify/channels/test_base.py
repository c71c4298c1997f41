"""Channel settings: building by kind, validation messages, and redaction for API output."""

from __future__ import annotations

import copy
from contextlib import aclosing

import pytest

from assetwatch.errors import ValidationError
from assetwatch.notify.channels import CHANNEL_KINDS, build_channel, redact, validate_config

SECRET = "whsec-0123456789abcdef"
WECOM_URL = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6-7xxx-4bc4-97a0"
DINGTALK_URL = "https://oapi.dingtalk.com/robot/send?access_token=5e8a0f9c2d"
SMS = {"url": "https://sms.example/send", "body_template": {"to": "{phone}", "text": "{text}"}}
VALID = {
    "inapp": {},
    "email": {"host": "smtp.bank.example", "from_addr": "alerts@bank.example"},
    "sms": SMS,
    "webhook": {"url": "https://hooks.example/aw", "secret": SECRET},
    "wecom": {"url": WECOM_URL},
    "dingtalk": {"url": DINGTALK_URL, "secret": "SECabc"},
}


@pytest.mark.parametrize("kind", CHANNEL_KINDS)
async def test_every_kind_builds(kind):
    async with aclosing(build_channel(kind, VALID[kind], publish=lambda message: None)) as ch:
        assert ch.kind == kind


def test_validate_fills_in_defaults():
    email = validate_config("email", VALID["email"])
    assert email["port"] == 587 and email["security"] == "starttls"
    assert email["timeout_s"] == 10 and email["verify_tls"] is True
    assert validate_config("email", {**VALID["email"], "security": "tls"})["port"] == 465
    assert validate_config("email", {**VALID["email"], "security": "none"})["port"] == 25
    sms = validate_config("sms", {**SMS, "method": "post"})
    assert (sms["method"], sms["encoding"], sms["max_segments"]) == ("POST", "json", 1)
    assert validate_config("wecom", VALID["wecom"]) == {
        "url": WECOM_URL,
        "mentioned_mobile_list": [],
        "mentioned_list": [],
        "timeout_s": 10.0,
    }


@pytest.mark.parametrize(
    ("kind", "config", "message"),
    [
        ("pager", {}, "unknown channel kind 'pager'; known kinds: inapp, email, sms"),
        ("webhook", {"secret": SECRET}, "webhook channel: url: Field required"),
        ("webhook", {"url": "ftp://x/", "secret": SECRET}, "is not an http:// or https:// URL"),
        (
            "webhook",
            {"url": "https://h/", "secret": "short"},
            "secret: String should have at least 16",
        ),
        (
            "webhook",
            {"url": "https://h/", "secret": SECRET, "headers": {"X-Assetwatch-Signature": "x"}},
            "headers may not set X-Assetwatch-Signature",
        ),
        (
            "webhook",
            {"url": "https://h/", "secret": SECRET, "headers": {"Bad Name": "x"}},
            "'Bad Name'",
        ),
        (
            "email",
            {**VALID["email"], "port": 70000},
            "email channel: port: Input should be less than",
        ),
        ("email", {**VALID["email"], "port": "smtp"}, "port: Input should be a valid integer"),
        (
            "email",
            {**VALID["email"], "security": "ssl"},
            "security: Input should be 'starttls', 'tls'",
        ),
        ("email", {"host": "smtp.x"}, "from_addr: Field required"),
        ("email", {**VALID["email"], "from_addr": "alerts"}, "from_addr: String should match"),
        ("email", {**VALID["email"], "password": "p"}, "password is set but username is not"),
        ("email", {**VALID["email"], "passwd": "p"}, "passwd: Extra inputs are not permitted"),
        ("sms", {**SMS, "method": "GET"}, "method GET sends no body: use encoding 'query'"),
        ("sms", {**SMS, "body_template": {"to": "{phone}"}}, "must use both {phone} and {text}"),
        (
            "sms",
            {**SMS, "max_segments": 0},
            "max_segments: Input should be greater than or equal to 1",
        ),
        (
            "sms",
            {**SMS, "encoding": "form", "body_template": {"to": "{phone}", "x": {"t": "{text}"}}},
            "form encoding needs flat text values",
        ),
        ("wecom", {"url": WECOM_URL, "mentioned_mobile_list": ["call me"]}, "is not a mobile"),
        (
            "dingtalk",
            {"url": DINGTALK_URL, "timeout_s": 0},
            "timeout_s: Input should be greater than 0",
        ),
        ("inapp", {"topic": "x"}, "inapp channel: topic: Extra inputs are not permitted"),
        ("wecom", ["url"], "settings must be a mapping"),
    ],
)
def test_bad_settings_explain_themselves(kind, config, message):
    with pytest.raises(ValidationError) as caught:
        validate_config(kind, config)
    assert message in str(caught.value)
    with pytest.raises(ValidationError):
        build_channel(kind, config, publish=lambda message: None)


def test_all_problems_are_reported_at_once():
    with pytest.raises(ValidationError) as caught:
        validate_config("email", {"port": 0})
    text = str(caught.value)
    assert "host: Field required" in text and "from_addr: Field required" in text
    assert "port: Input should be greater than or equal to 1" in text


def test_redact_masks_secrets():
    email = {**VALID["email"], "username": "alerts", "password": "hunter2"}
    assert redact("email", email) == {**email, "password": "***"}
    assert redact("webhook", VALID["webhook"])["secret"] == "***"
    assert redact("wecom", VALID["wecom"])["url"] == (
        "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=***"
    )
    assert redact("dingtalk", VALID["dingtalk"]) == {
        "url": "https://oapi.dingtalk.com/robot/send?access_token=***",
        "secret": "***",
    }


def test_redact_masks_auth_headers_template_keys_and_url_passwords():
    sms = {
        "url": "https://user:pa55@sms.example/send?route=7&api_key=abc",
        "headers": {"Authorization": "Basic QUM6eA==", "Accept": "application/json"},
        "body_template": {"to": "{phone}", "text": "{text}", "AccessKeySecret": "xyz", "n": 1},
        "sender": "Bank",
    }
    sms["body_template"]["Signature"] = "{sender}"  # a slot, shown as it is
    before = copy.deepcopy(sms)
    shown = redact("sms", sms)
    assert shown == {
        "url": "https://user:***@sms.example/send?route=7&api_key=***",
        "headers": {"Authorization": "***", "Accept": "application/json"},
        "body_template": {
            "to": "{phone}",
            "text": "{text}",
            "AccessKeySecret": "***",
            "n": 1,
            "Signature": "{sender}",
        },
        "sender": "Bank",
    }
    assert sms == before  # the input is not changed


def test_redact_keeps_unset_secrets_visible_as_unset():
    assert redact("dingtalk", {"url": "https://robot.example/send", "secret": None}) == {
        "url": "https://robot.example/send",
        "secret": None,
    }


def test_redact_refuses_unknown_kinds():
    with pytest.raises(ValidationError, match="unknown channel kind"):
        redact("fax", {})
