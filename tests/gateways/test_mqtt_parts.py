"""The pure parts of MQTT ingestion: topic layout, dead-letter records, broker URL, the
Mosquitto password hash (checked against the real ``mosquitto_passwd``) and the ACL."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from assetwatch.errors import ConfigurationError
from assetwatch.gateways import mosquitto_files
from assetwatch.gateways.mqtt import MqttSettings
from assetwatch.gateways.mqtt_topics import (
    UnknownTopic,
    dead_letter_record,
    dead_letter_topic,
    parse_topic,
)
from assetwatch.registry.credentials import (
    mosquitto_hash,
    mosquitto_matches,
    new_token,
    token_hash,
    token_matches,
)
from assetwatch.settings import Settings

PREFIX = "assetwatch/v1"


@pytest.mark.parametrize("kind", ["position", "reading", "event", "batch"])
def test_device_topics(kind: str) -> None:
    assert parse_topic(PREFIX, f"{PREFIX}/860000000000001/{kind}") == ("860000000000001", kind)


def test_own_dead_letters_are_recognised() -> None:
    assert parse_topic(PREFIX, f"{PREFIX}/deadletter/dev/position") is None


@pytest.mark.parametrize(
    ("topic", "words"),
    [
        ("other/v1/dev/position", "not under assetwatch/v1/"),
        (f"{PREFIX}/dev", "is not assetwatch/v1/{device}/{position|reading|event|batch}"),
        (f"{PREFIX}/dev/location", "is not"),
        (f"{PREFIX}/dev/position/extra", "is not"),
        (f"{PREFIX}/bad key/position", "not a device key"),
    ],
)
def test_unknown_topics(topic: str, words: str) -> None:
    with pytest.raises(UnknownTopic, match=None) as caught:
        parse_topic(PREFIX, topic)
    assert words in str(caught.value)


def test_dead_letters_keep_the_topic_reason_and_payload() -> None:
    assert (
        dead_letter_topic(PREFIX, f"{PREFIX}/dev/position") == f"{PREFIX}/deadletter/dev/position"
    )
    text = json.loads(
        dead_letter_record("t", b'{"lat": 95}', "schema", "bad lat", 1_767_225_600_000)
    )
    assert text == {
        "topic": "t",
        "reason": "schema",
        "error": "bad lat",
        "received": "2026-01-01T00:00:00.000Z",
        "truncated": False,
        "payload": '{"lat": 95}',
    }
    binary = json.loads(dead_letter_record("t", b"\xff" * 70_000, "json", "x", 0))
    assert binary["truncated"] is True and len(binary["payload_base64"]) == 87_384  # 64 KiB


def settings(url: str) -> MqttSettings:
    return MqttSettings.of(Settings(mqtt_url=url, mqtt_client_id="p1", unknown_devices="reject"))


def test_broker_urls() -> None:
    plain = settings("mqtt://assetwatch:p%40ss@broker.local")
    assert (plain.host, plain.port, plain.username, plain.password, plain.tls) == (
        "broker.local",
        1883,
        "assetwatch",
        "p@ss",
        False,
    )
    assert (plain.client_id, plain.unknown_policy, plain.topic_prefix) == ("p1", "reject", PREFIX)
    secure = settings("mqtts://10.0.0.1")
    assert (secure.port, secure.tls, secure.username) == (8883, True, None)
    assert settings("mqtt://127.0.0.1:11883").port == 11883
    for bad in ("http://x", "mqtt://", "mqtt://h:99999"):
        with pytest.raises(ConfigurationError):
            settings(bad)


def test_tokens_are_random_and_checked_by_hash() -> None:
    token = new_token()
    assert len(token) >= 43 and token != new_token()
    assert token_matches(token, token_hash(token))
    assert not token_matches(token + "x", token_hash(token))


def test_mosquitto_hash_format() -> None:
    hashed = mosquitto_hash("s3cret", salt=b"0123456789ab", iterations=101)
    assert hashed.startswith("$7$101$MDEyMzQ1Njc4OWFi$")
    assert len(hashed.rsplit("$", 1)[1]) == 88  # 64 bytes, base64
    assert mosquitto_matches("s3cret", hashed) and not mosquitto_matches("secret", hashed)
    assert mosquitto_matches("s3cret", mosquitto_hash("s3cret"))
    assert not mosquitto_matches("s3cret", "garbage")


@pytest.mark.skipif(
    shutil.which("mosquitto_passwd") is None and os.environ.get("CI") != "true",
    reason="no mosquitto_passwd",
)
def test_a_hash_written_by_mosquitto_passwd_verifies(tmp_path: Path) -> None:
    passwd = tmp_path / "passwd"
    subprocess.run(["mosquitto_passwd", "-c", "-b", str(passwd), "dev1", "tok-1"], check=True)
    user, hashed = passwd.read_text().strip().split(":", 1)
    assert user == "dev1" and hashed.startswith("$7$")
    assert mosquitto_matches("tok-1", hashed) and not mosquitto_matches("tok-2", hashed)


def test_the_generated_files(tmp_path: Path) -> None:
    paths = mosquitto_files.write_files(
        tmp_path / "broker",
        hashes={"b-dev": "$7$1$c2FsdA==$aGFzaA==", "a-dev": "$7$1$c2FsdA==$aGFzaA=="},
        prefix="fleet/v1",
        platform_user="assetwatch",
        platform_password="pw",
    )
    passwd, acl, conf = (p.read_text() for p in paths)
    users = [line.split(":", 1)[0] for line in passwd.splitlines()]
    assert users == ["assetwatch", "a-dev", "b-dev"]
    assert mosquitto_matches("pw", passwd.splitlines()[0].split(":", 1)[1])
    assert (paths[0].stat().st_mode & 0o777) == 0o600
    assert "pattern write fleet/v1/%u/#" in acl.splitlines()
    assert "user assetwatch\ntopic read fleet/v1/#\ntopic write fleet/v1/deadletter/#" in acl
    assert conf.splitlines()[1:] == [
        "allow_anonymous false",
        f"password_file {paths[0]}",
        f"acl_file {paths[1]}",
    ]
