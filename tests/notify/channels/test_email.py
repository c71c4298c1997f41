"""The email channel against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import aclosing
from pathlib import Path
from typing import Any

import pytest

from assetwatch.errors import ConfigurationError
from assetwatch.notify.channels.base import build_channel
from assetwatch.notify.channels.email import message_id
from assetwatch.notify.templates import render

from ..samples import english, notice, recipient
from .smtp_server import PASSWORD, USERNAME, self_signed_cert, server_context, smtp_server

FROM = "alerts@bank.example"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Path]]:
    yield self_signed_cert(tmp_path_factory.mktemp("tls"))


def settings(port: int, **changes: Any) -> dict[str, Any]:
    return {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "from_addr": FROM,
        "from_name": "北方银行 资产监控",
        "timeout_s": 5,
        "local_hostname": "assetwatch.test",
        **changes,
    }


async def test_plain_smtp_delivers_an_english_multipart_message():
    async with smtp_server() as mailbox:
        async with aclosing(build_channel("email", settings(mailbox.port))) as ch:
            delivery = await ch.send(english())
    assert delivery.ok and delivery.status_code == 250
    (mail,) = mailbox.mails
    assert mail.mail_from == FROM
    assert mail.rcpt_tos == ["li.wei@bank.example"]
    assert mail.login is None
    message = mail.message()
    rendered = render(english())
    assert message["Subject"] == rendered.title
    assert message["To"].addresses[0].addr_spec == "li.wei@bank.example"
    assert message["From"].addresses[0].display_name == "北方银行 资产监控"
    assert message["Message-ID"] == message_id("ntf-7-email-li.wei", FROM)
    assert message["X-Assetwatch-Idempotency-Key"] == "ntf-7-email-li.wei"
    assert message.get_content_type() == "multipart/alternative"
    plain, page = message.iter_parts()
    assert plain.get_content_type() == "text/plain"
    assert plain.get_content().replace("\r\n", "\n") == rendered.text
    assert page.get_content_type() == "text/html"
    assert page.get_content().replace("\r\n", "\n") == rendered.html


async def test_starttls_with_auth_delivers_a_chinese_subject(certificate):
    cert, key = certificate
    async with smtp_server(starttls=server_context(cert, key), auth=True) as mailbox:
        config = settings(
            mailbox.port,
            security="starttls",
            username=USERNAME,
            password=PASSWORD,
            ca_file=str(cert),
        )
        async with aclosing(build_channel("email", config)) as ch:
            delivery = await ch.send(notice())
    assert delivery.ok, delivery.detail
    (mail,) = mailbox.mails
    assert mail.login == USERNAME
    message = mail.message()
    assert message["Subject"] == "【严重】设备拆除 — Camry 京A·12345 (LSVAB4182E2000001)"
    assert "Subject: =?utf-8?" in mail.raw.decode("ascii")  # RFC 2047, 7-bit on the wire
    assert message["To"].addresses[0].display_name == "李伟"
    plain, page = message.iter_parts()
    assert "时间：2026-12-01 16:05:09 CST" in plain.get_content()
    assert "<td>设备拆除</td>" in page.get_content()


async def test_implicit_tls(certificate):
    cert, key = certificate
    async with smtp_server(implicit_tls=server_context(cert, key)) as mailbox:
        config = settings(mailbox.port, security="tls", ca_file=str(cert))
        async with aclosing(build_channel("email", config)) as ch:
            assert (await ch.send(english())).ok
    assert len(mailbox.mails) == 1


async def test_retries_carry_the_same_message_id():
    async with smtp_server() as mailbox:
        async with aclosing(build_channel("email", settings(mailbox.port))) as ch:
            await ch.send(english(attempt=1))
            await ch.send(english(attempt=2))
    first, second = (mail.message()["Message-ID"] for mail in mailbox.mails)
    assert first == second


@pytest.mark.parametrize(
    ("reply", "retryable"),
    [("550 5.1.1 No such user", False), ("451 4.7.1 Greylisted, try again later", True)],
)
async def test_refused_recipient(reply, retryable):
    async with smtp_server() as mailbox:
        mailbox.refuse["li.wei@bank.example"] = reply
        async with aclosing(build_channel("email", settings(mailbox.port))) as ch:
            delivery = await ch.send(english())
    assert (delivery.ok, delivery.retryable) == (False, retryable)
    assert delivery.status_code == int(reply[:3])
    assert delivery.detail == reply
    assert mailbox.mails == []


async def test_wrong_password_is_final(certificate):
    cert, key = certificate
    async with smtp_server(starttls=server_context(cert, key), auth=True) as mailbox:
        config = settings(
            mailbox.port,
            security="starttls",
            username=USERNAME,
            password="wrong",
            ca_file=str(cert),
        )
        async with aclosing(build_channel("email", config)) as ch:
            delivery = await ch.send(english())
    assert (delivery.ok, delivery.retryable, delivery.status_code) == (False, False, 535)


async def test_untrusted_certificate_is_final(certificate):
    cert, key = certificate
    async with smtp_server(starttls=server_context(cert, key)) as mailbox:
        config = settings(mailbox.port, security="starttls")  # system CAs only
        async with aclosing(build_channel("email", config)) as ch:
            delivery = await ch.send(english())
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert "certificate" in delivery.detail


async def test_server_without_starttls_is_final():
    async with smtp_server() as mailbox:
        config = settings(mailbox.port, security="starttls")
        async with aclosing(build_channel("email", config)) as ch:
            delivery = await ch.send(english())
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert "STARTTLS" in delivery.detail


async def test_connection_refused_is_retryable(refused_port: int):
    async with aclosing(build_channel("email", settings(refused_port))) as ch:
        delivery = await ch.send(english())
    assert (delivery.ok, delivery.retryable) == (False, True)
    assert "ConnectionRefusedError" in delivery.detail


async def test_recipient_without_email_is_not_retryable():
    async with aclosing(build_channel("email", settings(25))) as ch:
        delivery = await ch.send(english(recipient=recipient(email=None)))
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert delivery.detail == "recipient li.wei has no email"


@pytest.mark.parametrize("address", ["plain", "a@b@c", "<x@y>", "a@b.c\nBcc: x@y.z"])
async def test_invalid_address_is_not_retryable(address):
    async with aclosing(build_channel("email", settings(25))) as ch:
        delivery = await ch.send(english(recipient=recipient(email=address)))
    assert (delivery.ok, delivery.retryable) == (False, False)
    assert delivery.detail.startswith("invalid message")


async def test_line_breaks_in_names_are_folded():
    async with smtp_server() as mailbox:
        config = settings(mailbox.port, from_name="Bank\nAlerts")
        async with aclosing(build_channel("email", config)) as ch:
            assert (await ch.send(english(recipient=recipient(name="Li\r\nWei")))).ok
    message = mailbox.mails[0].message()
    assert message["To"].addresses[0].display_name == "Li Wei"
    assert message["From"].addresses[0].display_name == "Bank Alerts"


def test_unreadable_ca_file_is_a_configuration_error(tmp_path: Path):
    config = settings(25, security="starttls", ca_file=str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigurationError, match="ca_file"):
        build_channel("email", config)
