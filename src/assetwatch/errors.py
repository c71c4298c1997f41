"""The assetwatch exception tree.

::

    AssetwatchError
    ├── ProtocolError          a frame or message that cannot be decoded
    │   ├── ChecksumError
    │   └── CommandNotSupported a command the device's protocol cannot express
    ├── ValidationError        bad user input (files, API payloads); may carry a line number
    ├── NotFoundError          an entity that does not exist in the caller's scope
    ├── ConflictError          an operation that contradicts current state
    ├── UnauthorizedError      missing, malformed, expired or revoked credentials
    ├── ForbiddenError         a caller whose role does not allow the operation
    └── ConfigurationError     settings that cannot work

Boundaries convert them: the API into RFC 9457 problem+json, the CLI into one red line and a
non-zero exit, gateways into a metric and a skipped frame.
"""

from __future__ import annotations


class AssetwatchError(Exception):
    """Root of every error raised on purpose by assetwatch."""

    status_code = 500
    title = "Internal error"


class ProtocolError(AssetwatchError):
    """A device frame or message that cannot be decoded."""

    status_code = 400
    title = "Undecodable frame"


class ChecksumError(ProtocolError):
    """The frame's checksum does not match its content."""


class CommandNotSupported(ProtocolError):
    """The device's protocol (or this codec) has no way to express the command."""

    status_code = 422
    title = "Command not supported by the device's protocol"


class ValidationError(AssetwatchError):
    """Invalid user input. ``line`` is 1-based when the input was a file."""

    status_code = 422
    title = "Invalid input"

    def __init__(self, message: str, *, line: int | None = None, source: str | None = None):
        self.line = line
        self.source = source
        where = ""
        if source is not None and line is not None:
            where = f"{source}:{line}: "
        elif line is not None:
            where = f"line {line}: "
        super().__init__(f"{where}{message}")


class NotFoundError(AssetwatchError):
    """The entity does not exist, or is outside the caller's scope."""

    status_code = 404
    title = "Not found"


class ConflictError(AssetwatchError):
    """The request contradicts the current state (e.g. resolving a resolved alarm)."""

    status_code = 409
    title = "Conflict"


class UnauthorizedError(AssetwatchError):
    """No valid credentials: missing, malformed, expired or revoked (the client signs in)."""

    status_code = 401
    title = "Unauthorized"


class ForbiddenError(AssetwatchError):
    """Valid credentials whose role does not allow the operation."""

    status_code = 403
    title = "Forbidden"


class ConfigurationError(AssetwatchError):
    """Settings that cannot work."""

    status_code = 500
    title = "Configuration error"
