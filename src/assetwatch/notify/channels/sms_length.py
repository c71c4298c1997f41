"""How long an SMS is: GSM-7 or UCS-2, and how many segments (pure functions).

A text made only of GSM 03.38 characters is sent in GSM-7: 160 septets in one SMS, 153 per
segment of a concatenated one (the user data header takes 7). Characters of the extension
table (``^ { } \\ [ ~ ] | €`` and form feed) take two septets and are never split across
segments. Any other character (Chinese, emoji, ``…``) makes the whole text UCS-2: 70 UTF-16
code units in one SMS, 67 per segment; an emoji (a surrogate pair) takes two units and is
never split either.

>>> sms_segments("a" * 160), sms_segments("a" * 161), sms_segments("中" * 71)
(('gsm7', 1), ('gsm7', 2), ('ucs2', 2))
>>> fit_sms("中" * 100, 1) == "中" * 69 + "…"
True
"""

from __future__ import annotations

from typing import Literal

SmsEncoding = Literal["gsm7", "ucs2"]

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("\f^{}\\[~]|€")
SINGLE_SEGMENT = {"gsm7": 160, "ucs2": 70}  # septets / UTF-16 units in a lone SMS
MULTI_SEGMENT = {"gsm7": 153, "ucs2": 67}  # per segment of a concatenated SMS
ELLIPSIS = {"gsm7": "...", "ucs2": "…"}  # "…" is not GSM-7: it would force UCS-2


def sms_encoding(text: str) -> SmsEncoding:
    """``gsm7`` when every character is in the GSM 03.38 tables, else ``ucs2``."""
    if all(ch in GSM7_BASIC or ch in GSM7_EXTENSION for ch in text):
        return "gsm7"
    return "ucs2"


def _units(text: str, encoding: SmsEncoding) -> list[int]:
    """The size of each character: septets for GSM-7, UTF-16 code units for UCS-2."""
    if encoding == "gsm7":
        return [2 if ch in GSM7_EXTENSION else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def sms_segments(text: str) -> tuple[SmsEncoding, int]:
    """The encoding of ``text`` and how many SMS segments it takes (an empty text takes 1)."""
    encoding = sms_encoding(text)
    units = _units(text, encoding)
    if sum(units) <= SINGLE_SEGMENT[encoding]:
        return encoding, 1
    per_segment = MULTI_SEGMENT[encoding]
    segments, used = 1, 0
    for size in units:  # a character never straddles two segments
        if used + size > per_segment:
            segments, used = segments + 1, 0
        used += size
    return encoding, segments


def fit_sms(text: str, max_segments: int) -> str:
    """``text`` itself when it fits in ``max_segments`` SMS, else its longest prefix that fits
    followed by an ellipsis (``…`` for UCS-2 text, ``...`` for GSM-7 text so that it stays
    GSM-7)."""
    if max_segments < 1:
        raise ValueError(f"max_segments must be at least 1, not {max_segments}")
    encoding, segments = sms_segments(text)
    if segments <= max_segments:
        return text
    ellipsis = ELLIPSIS[encoding]

    def candidate(length: int) -> str:
        return text[:length].rstrip() + ellipsis

    low, high = 0, len(text) - 1  # candidate(low) always fits, candidate(len(text)) does not
    while low < high:
        middle = (low + high + 1) // 2
        if sms_segments(candidate(middle))[1] <= max_segments:
            low = middle
        else:
            high = middle - 1
    return candidate(low)
