"""A real SMTP server (aiosmtpd) on loopback for the email channel tests.

It runs on the test's own event loop: the channel talks to it from a worker thread, so the
loop stays free to serve. Recipients can be refused with a chosen reply (``550 …``, ``451 …``).
"""

from __future__ import annotations

import asyncio
import email
import email.policy
import ssl
import subprocess
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

USERNAME, PASSWORD = "alerts@bank.example", "s3cret-pass"


@dataclass(frozen=True)
class Mail:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    login: str | None  # the AUTH user name, None without AUTH

    def message(self) -> EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class Mailbox:
    """The handler: collects accepted mail; ``refuse`` maps an address to an RCPT reply."""

    mails: list[Mail] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    port: int = 0

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        auth = session.auth_data
        login = auth.login.decode() if isinstance(auth, LoginPassword) else None
        assert isinstance(envelope.content, bytes)
        self.mails.append(
            Mail(str(envelope.mail_from), list(envelope.rcpt_tos), envelope.content, login)
        )
        return "250 2.0.0 queued"


def check_password(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data == (
        USERNAME.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False, auth_data=auth_data)  # False: 535 on failure


def self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """A throwaway certificate for localhost / 127.0.0.1 (made with the openssl CLI)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=DNS:localhost,IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@asynccontextmanager
async def smtp_server(
    *,
    starttls: ssl.SSLContext | None = None,
    implicit_tls: ssl.SSLContext | None = None,
    auth: bool = False,
) -> AsyncIterator[Mailbox]:
    """Serve a :class:`Mailbox` on 127.0.0.1 (a free port) until the block ends.
    ``starttls``: offer and require STARTTLS; ``implicit_tls``: TLS from the first byte;
    ``auth``: require AUTH as :data:`USERNAME` / :data:`PASSWORD` (over TLS only)."""
    mailbox = Mailbox()
    loop = asyncio.get_running_loop()

    def protocol() -> SMTP:
        return SMTP(
            mailbox,
            hostname="mx.test",
            tls_context=starttls,
            require_starttls=starttls is not None,
            auth_required=auth,
            authenticator=check_password if auth else None,
            loop=loop,
        )

    server = await loop.create_server(protocol, "127.0.0.1", 0, ssl=implicit_tls)
    mailbox.port = server.sockets[0].getsockname()[1]
    try:
        yield mailbox
    finally:
        server.close()
        await server.wait_closed()
