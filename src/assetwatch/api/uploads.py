"""Request bodies as blocking binary files, for imports that run in a worker thread.

:class:`BodyReader` lets synchronous code (a CSV reader, ``gzip``) consume an ASGI request
body while it is still arriving: each ``read`` in the worker thread waits for the next
chunk from the event loop. Memory holds one chunk; the client is slowed down by TCP, not
buffered.

Small files that must be read whole (risk-point catalogues) use :func:`read_body` with a
size limit and :func:`uploaded_file`, which also takes the file out of a
``multipart/form-data`` form (a browser's file upload).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass
from email.message import Message

from assetwatch.errors import ValidationError


class BodyReader(io.RawIOBase):
    """A read-only binary file over ``chunks``; use it only from a thread other than
    ``loop``'s (reading on the loop itself would deadlock)."""

    def __init__(self, chunks: AsyncIterator[bytes], loop: asyncio.AbstractEventLoop):
        self._chunks = chunks
        self._loop = loop
        self._pending = b""
        self._done = False

    def readable(self) -> bool:
        return True

    async def _next_chunk(self) -> bytes | None:
        try:
            return await anext(self._chunks)
        except StopAsyncIteration:
            return None

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        while not self._pending and not self._done:
            chunk = asyncio.run_coroutine_threadsafe(self._next_chunk(), self._loop).result()
            if chunk is None:
                self._done = True
            else:
                self._pending = chunk
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """A file sent as the request body, or as one part of a ``multipart/form-data`` body."""

    data: bytes
    content_type: str = ""  # without parameters, lower-case; "" when not given
    filename: str = ""


async def read_body(chunks: AsyncIterator[bytes], *, limit: int) -> bytes:
    """The whole body; ``ValidationError`` once it exceeds ``limit`` bytes (for files that
    must be read whole, such as catalogues checked before anything is written)."""
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise ValidationError(f"the file is larger than {limit:,} bytes")
    return bytes(body)


def uploaded_file(content_type: str | None, body: bytes) -> UploadedFile:
    """The file in a request: its body, or for ``multipart/form-data`` the first part with a
    filename (else the part named ``file``), split byte-exact; ``ValidationError`` when
    there is no file part."""
    header = Message()
    header["content-type"] = content_type or "application/octet-stream"
    if header.get_content_type() != "multipart/form-data":
        return UploadedFile(body, _bare(content_type))
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise ValidationError("multipart/form-data without a boundary")
    parts = [_part(raw) for raw in _split(body, boundary.encode("latin-1"))]
    chosen = next((p for p in parts if p.filename), None) or next(
        (p for p in parts if p.name == "file"), None
    )
    if chosen is None:
        raise ValidationError("the multipart form has no file part")
    return UploadedFile(chosen.data, chosen.content_type, chosen.filename)


@dataclass(frozen=True, slots=True)
class _Part:
    name: str
    filename: str
    content_type: str
    data: bytes


def _bare(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _split(body: bytes, boundary: bytes) -> list[bytes]:
    """The raw parts (headers, blank line, content) between ``--boundary`` delimiters."""
    delimiter = b"--" + boundary
    chunks = body.split(b"\r\n" + delimiter)
    if chunks[0].startswith(delimiter):
        chunks[0] = chunks[0][len(delimiter) :]
    else:
        chunks = chunks[1:]  # a preamble
    if not chunks:
        raise ValidationError("malformed multipart/form-data body")
    parts = []
    for chunk in chunks:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        parts.append(chunk.partition(b"\r\n")[2])
    return parts


def _part(raw: bytes) -> _Part:
    head, _, data = raw.partition(b"\r\n\r\n")
    headers = Message()
    for line in head.decode("utf-8", "replace").split("\r\n"):
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip()] = value.strip()
    disposition_name = headers.get_param("name", header="content-disposition")
    content_type = _bare(headers.get("content-type"))
    return _Part(
        name=disposition_name if isinstance(disposition_name, str) else "",
        filename=headers.get_filename() or "",
        content_type=content_type,
        data=data,
    )
