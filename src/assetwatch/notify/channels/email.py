"""Email channel: a multipart (plain + HTML) message over SMTP, with STARTTLS or implicit TLS.

The standard library's :mod:`smtplib` runs in a worker thread (:func:`asyncio.to_thread`), one
connection per message. SMTP answers are classified by their code: 4xx (greylisting, a full
mailbox, "try again later") is retryable, 5xx (unknown recipient, refused sender, failed
AUTH) is final. Connection problems and timeouts are retryable; a certificate that does not
verify, or a server that lacks STARTTLS / AUTH, is a setup problem and final.

The ``Message-ID`` is derived from the notice's idempotency key, so every retry of one
notification carries the same id and mail systems can drop the duplicates.
"""

from __future__ import annotations

import asyncio
import hashlib
import smtplib
import ssl
from datetime import UTC, datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints, model_validator

from assetwatch.errors import ConfigurationError
from assetwatch.notify.channels.config import DEFAULT_TIMEOUT_S, ChannelConfig, TimeoutSeconds
from assetwatch.notify.model import Delivery, Notice
from assetwatch.notify.templates import one_line, render

DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
POLICY = SMTP.clone(cte_type="7bit")  # CRLF; non-ASCII bodies as base64 / quoted-printable
MailAddress = Annotated[str, StringConstraints(pattern=r"^[^@\s<>]+@[^@\s<>]+$", max_length=254)]
HostName = Annotated[str, StringConstraints(pattern=r"^[^\s/]+$", min_length=1, max_length=253)]


class EmailConfig(ChannelConfig):
    """SMTP settings. ``port`` defaults by ``security``: 587 (starttls), 465 (tls), 25 (none).
    AUTH is used only when ``username`` is given."""

    host: HostName
    port: int = Field(ge=1, le=65535)
    security: Literal["starttls", "tls", "none"] = "starttls"
    username: str | None = None
    password: str | None = None
    from_addr: MailAddress
    from_name: str = "assetwatch"
    timeout_s: TimeoutSeconds = DEFAULT_TIMEOUT_S
    verify_tls: bool = True
    ca_file: str | None = None  # PEM bundle trusted instead of the system's
    local_hostname: HostName | None = None  # the name sent in EHLO; default: this host's FQDN

    @model_validator(mode="before")
    @classmethod
    def _default_port(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("port") is None:
            security = data.get("security", "starttls")
            return {**data, "port": DEFAULT_PORTS.get(security, DEFAULT_PORTS["starttls"])}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> EmailConfig:
        if self.password is not None and not self.username:
            raise ValueError("password is set but username is not (AUTH needs both)")
        if self.security == "none" and (self.ca_file or not self.verify_tls):
            raise ValueError("ca_file / verify_tls only apply with security starttls or tls")
        return self


def tls_context(config: EmailConfig) -> ssl.SSLContext | None:
    """The client TLS context, or None without TLS. An unreadable ``ca_file`` is a
    :class:`ConfigurationError` (raised when the channel is built, not on every send)."""
    if config.security == "none":
        return None
    try:
        context = ssl.create_default_context(cafile=config.ca_file)
    except (OSError, ssl.SSLError) as error:
        raise ConfigurationError(f"email channel: cannot load ca_file: {error}") from error
    if not config.verify_tls:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


def message_id(idempotency_key: str, from_addr: str) -> str:
    """A ``Message-ID`` that is the same for every attempt of one notification."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:32]
    return f"<aw.{digest}@{from_addr.rsplit('@', 1)[1]}>"


def email_message(notice: Notice, config: EmailConfig, to_addr: str) -> EmailMessage:
    """The message for ``notice``: plain text with an HTML alternative, UTF-8 throughout,
    7-bit clean on the wire (any relay takes it, with or without 8BITMIME)."""
    rendered = render(notice)
    message = EmailMessage(policy=POLICY)
    message["Subject"] = rendered.title
    message["From"] = Address(display_name=one_line(config.from_name), addr_spec=config.from_addr)
    message["To"] = Address(display_name=one_line(notice.recipient.name), addr_spec=to_addr)
    message["Date"] = format_datetime(datetime.fromtimestamp(notice.created_ms / 1000, UTC))
    message["Message-ID"] = message_id(notice.idempotency_key, config.from_addr)
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
    message["X-Assetwatch-Idempotency-Key"] = notice.idempotency_key
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    return message


def _reply_failure(code: int, reply: bytes | str) -> Delivery:
    text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else reply
    return Delivery(
        ok=False,
        retryable=not 500 <= code < 600,
        detail=" ".join(f"{code} {text}".split()),
        status_code=code,
    )


def _open(config: EmailConfig, context: ssl.SSLContext | None) -> smtplib.SMTP:
    if config.security == "tls":
        return smtplib.SMTP_SSL(
            config.host,
            config.port,
            local_hostname=config.local_hostname,
            timeout=config.timeout_s,
            context=context,
        )
    return smtplib.SMTP(
        config.host, config.port, local_hostname=config.local_hostname, timeout=config.timeout_s
    )


def deliver(config: EmailConfig, context: ssl.SSLContext | None, message: EmailMessage) -> Delivery:
    """Send ``message`` over one SMTP session (blocking; run it in a thread)."""
    try:
        with _open(config, context) as smtp:
            if config.security == "starttls":
                smtp.starttls(context=context)
            if config.username:
                smtp.login(config.username, config.password or "")
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as error:
        code, reply = next(iter(error.recipients.values()))
        return _reply_failure(code, reply)
    except smtplib.SMTPResponseException as error:  # sender refused, data, auth, helo, greeting
        return _reply_failure(error.smtp_code, error.smtp_error)
    except smtplib.SMTPNotSupportedError as error:  # no STARTTLS / AUTH / SMTPUTF8 on offer
        return Delivery(ok=False, retryable=False, detail=f"not supported by server: {error}")
    except ssl.SSLCertVerificationError as error:
        return Delivery(ok=False, retryable=False, detail=f"TLS certificate rejected: {error}")
    except (smtplib.SMTPException, OSError) as error:  # refused, reset, timeout, TLS handshake
        reason = str(error) or type(error).__name__
        return Delivery(ok=False, retryable=True, detail=f"{type(error).__name__}: {reason}")
    return Delivery(ok=True, detail="250 accepted", status_code=250)


class EmailChannel:
    kind = "email"

    def __init__(self, config: EmailConfig):
        self.config = config
        self._context = tls_context(config)

    async def send(self, notice: Notice) -> Delivery:
        to_addr = notice.recipient.email
        if not to_addr:
            return Delivery(
                ok=False, retryable=False, detail=f"recipient {notice.recipient.key} has no email"
            )
        try:
            message = email_message(notice, self.config, to_addr)
        except (ValueError, MessageError) as error:  # an address that cannot be a header
            return Delivery(ok=False, retryable=False, detail=f"invalid message: {error}")
        return await asyncio.to_thread(deliver, self.config, self._context, message)

    async def aclose(self) -> None:
        return None
