"""``assetwatch.api.uploads``: the file of a request body or of a multipart form."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from assetwatch.api.uploads import read_body, uploaded_file
from assetwatch.errors import ValidationError

FORM = "multipart/form-data; boundary=XyZ"
CONTENT = b"key,category\r\n\xb5\xe4,--XyZ not a delimiter\r\n"


def form(*parts: bytes, preamble: bytes = b"") -> bytes:
    return preamble + b"".join(b"--XyZ\r\n" + p + b"\r\n" for p in parts) + b"--XyZ--\r\n"


def test_a_plain_body_is_the_file() -> None:
    file = uploaded_file("Text/CSV; charset=gbk", CONTENT)
    assert (file.data, file.content_type, file.filename) == (CONTENT, "text/csv", "")
    assert uploaded_file(None, b"x").content_type == ""


def test_the_file_part_is_taken_byte_exact() -> None:
    body = form(
        b'Content-Disposition: form-data; name="note"\r\n\r\nhello',
        b'Content-Disposition: form-data; name="upload"; filename="shops.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n" + CONTENT,
        preamble=b"ignored preamble\r\n",
    )
    file = uploaded_file(FORM, body)
    assert (file.data, file.content_type, file.filename) == (CONTENT, "text/csv", "shops.csv")


def test_a_part_named_file_without_a_filename() -> None:
    body = form(b'Content-Disposition: form-data; name="file"\r\n\r\n' + CONTENT)
    assert uploaded_file(FORM, body).data == CONTENT


@pytest.mark.parametrize(
    ("content_type", "body", "message"),
    [
        ("multipart/form-data", b"", "without a boundary"),
        (FORM, form(b'Content-Disposition: form-data; name="x"\r\n\r\n1'), "no file part"),
        (FORM, b"no delimiter at all", "malformed"),
    ],
)
def test_forms_without_a_file(content_type: str, body: bytes, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        uploaded_file(content_type, body)


def test_read_body_stops_past_the_limit() -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"x" * 10

    assert asyncio.run(read_body(chunks(), limit=50)) == b"x" * 50
    with pytest.raises(ValidationError, match="larger than 49 bytes"):
        asyncio.run(read_body(chunks(), limit=49))
