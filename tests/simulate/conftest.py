"""A tiny JT/T 808 platform on a real socket, answering with the codec, for terminal tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest

from assetwatch.protocols import jt808

AUTH_CODE = "AW-7F3A"


class FakePlatform:
    """Answers 0x0100 with 0x8100 (auth code), 0x0102/0x0002 with 0x8001, and 0x0200/0x0704
    with 0x8001 unless ``ack_locations`` is False. Records every decoded message."""

    def __init__(self) -> None:
        self.messages: list[jt808.Message] = []
        self.ack_locations = True
        self.connections = 0
        self._writers: set[asyncio.StreamWriter] = set()
        self._changed = asyncio.Event()
        self._serial = 0
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = int(self._server.sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        self.drop_connections()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    def notify(self, *_: object) -> None:
        """Wake :meth:`wait_for` (pass as a terminal's ``on_event``)."""
        self._changed.set()

    def drop_connections(self) -> None:
        """The platform hangs up on every terminal."""
        for writer in list(self._writers):
            writer.close()

    def send(self, phone: str, msg_id: int, body: bytes) -> int:
        """A platform command to every connected terminal; its serial."""
        serial = self._next_serial()
        for writer in self._writers:
            writer.write(jt808.encode_frame(msg_id, phone, serial, body))
        return serial

    async def wait_for(self, condition: Callable[[], bool], timeout_s: float = 10.0) -> None:
        async with asyncio.timeout(timeout_s):
            while not condition():
                self._changed.clear()
                await self._changed.wait()

    def of(self, msg_id: int) -> list[jt808.Message]:
        return [m for m in self.messages if m.header.msg_id == msg_id]

    def locations(self) -> list[jt808.LocationReport]:
        return [m.body for m in self.of(jt808.LOCATION) if isinstance(m.body, jt808.LocationReport)]

    def batches(self) -> list[jt808.BatchUpload]:
        return [
            m.body for m in self.of(jt808.BATCH_LOCATION) if isinstance(m.body, jt808.BatchUpload)
        ]

    def _next_serial(self) -> int:
        self._serial = (self._serial + 1) & 0xFFFF
        return self._serial

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.add(writer)
        splitter = jt808.FrameSplitter()
        try:
            while data := await reader.read(65536):
                for content in splitter.feed(data):
                    message = jt808.decode_frame(content)
                    assert message.checksum_ok
                    self.messages.append(message)
                    self._answer(writer, message)
                self._changed.set()
        except ConnectionError:
            pass
        finally:
            self._writers.discard(writer)
            writer.close()
            self._changed.set()

    def _answer(self, writer: asyncio.StreamWriter, message: jt808.Message) -> None:
        header = message.header
        if header.msg_id == jt808.REGISTRATION:
            body = jt808.encode_registration_reply(header.serial, 0, AUTH_CODE)
            reply_id = jt808.REGISTRATION_REPLY
        elif header.msg_id in (jt808.LOCATION, jt808.BATCH_LOCATION) and not self.ack_locations:
            return
        elif header.msg_id == jt808.TERMINAL_RESPONSE:
            return
        else:
            ok = not isinstance(message.body, jt808.Authentication) or (
                message.body.auth_code == AUTH_CODE
            )
            body = jt808.encode_platform_response(header.serial, header.msg_id, 0 if ok else 1)
            reply_id = jt808.PLATFORM_RESPONSE
        writer.write(jt808.encode_reply(header, reply_id, self._next_serial(), body))


@pytest.fixture
async def platform() -> AsyncIterator[FakePlatform]:
    fake = FakePlatform()
    await fake.start()
    yield fake
    await fake.close()
