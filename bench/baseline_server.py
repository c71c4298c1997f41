"""Baseline JT/T 808 server: split frames and ack each at once. No decode, no storage.

Run as a subprocess by ``bench/ingest.py``: ``python bench/baseline_server.py [--port N]``
prints ``jt808_port=N`` once listening and serves until SIGTERM/SIGINT. It reads only the
message id, phone and serial from each frame's fixed 2013 header (bytes 0–1, 4–9, 10–11), so
it can answer registration (0x8100 with a canned auth code) and echo the serial in a 0x8001
"ok" for everything else, which is all the load client waits for.
"""

from __future__ import annotations

import argparse
import asyncio
import signal
from typing import cast

import uvloop

from assetwatch.protocols.jt808 import (
    FrameSplitter,
    encode_frame,
    encode_platform_response,
    encode_registration_reply,
)

REGISTRATION, REGISTRATION_REPLY, PLATFORM_RESPONSE = 0x0100, 0x8100, 0x8001
AUTH_CODE = "bench"


class EchoAck(asyncio.Protocol):
    """One connection: every complete frame gets its ack written immediately."""

    def __init__(self) -> None:
        self.splitter = FrameSplitter()
        self.transport: asyncio.Transport | None = None
        self.serial = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        replies = []
        for content in self.splitter.feed(data):
            if len(content) < 13:
                continue
            msg_id = content[0] << 8 | content[1]
            phone = content[4:10].hex()
            serial = content[10] << 8 | content[11]
            self.serial = (self.serial + 1) & 0xFFFF
            if msg_id == REGISTRATION:
                body = encode_registration_reply(serial, 0, AUTH_CODE)
                replies.append(encode_frame(REGISTRATION_REPLY, phone, self.serial, body))
            else:
                body = encode_platform_response(serial, msg_id, 0)
                replies.append(encode_frame(PLATFORM_RESPONSE, phone, self.serial, body))
        if replies and self.transport is not None:
            self.transport.write(b"".join(replies))


async def serve(host: str, port: int) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(EchoAck, host, port)
    bound = server.sockets[0].getsockname()[1]
    print(f"jt808_port={bound}", flush=True)
    stop = asyncio.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    server.close()
    await server.wait_closed()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    uvloop.install()
    asyncio.run(serve(args.host, args.port))


if __name__ == "__main__":
    main()
