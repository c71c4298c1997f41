"""Request bodies as blocking binary files, for imports that run in a worker thread.

:class:`BodyReader` lets synchronous code (a CSV reader, ``gzip``) consume an ASGI request
body while it is still arriving: each ``read`` in the worker thread waits for the next
chunk from the event loop. Memory holds one chunk; the client is slowed down by TCP, not
buffered.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator


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
