"""SMS length rules: GSM-7 vs UCS-2, segment counts, and fitting a text to N segments."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assetwatch.notify.channels.sms_length import fit_sms, sms_segments


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("gsm7", 1)),
        ("a" * 160, ("gsm7", 1)),
        ("a" * 161, ("gsm7", 2)),
        ("a" * 306, ("gsm7", 2)),
        ("a" * 307, ("gsm7", 3)),
        ("€" * 80, ("gsm7", 1)),  # extension characters take two septets
        ("€" * 81, ("gsm7", 2)),
        ("a" * 152 + "€" + "a" * 10, ("gsm7", 2)),
        ("a" * 152 + "€" + "a" * 152, ("gsm7", 3)),  # 306 septets, but € is not split
        ("Üñäöü? Ça va: £5 @ 10:00, è à ù", ("gsm7", 1)),
        ("naïve", ("ucs2", 1)),  # ï is not in GSM 03.38
        ("中" * 70, ("ucs2", 1)),
        ("中" * 71, ("ucs2", 2)),
        ("中" * 134, ("ucs2", 2)),
        ("中" * 135, ("ucs2", 3)),
        ("a" * 69 + "…", ("ucs2", 1)),  # one non-GSM character makes it all UCS-2
        ("a" * 70 + "…", ("ucs2", 2)),
        ("😀" * 35, ("ucs2", 1)),  # an emoji is two UTF-16 units
        ("😀" * 36, ("ucs2", 2)),
        ("a" * 66 + "😀" + "a" * 66, ("ucs2", 3)),  # 134 units, but the pair is not split
    ],
)
def test_sms_segments(text, expected):
    assert sms_segments(text) == expected


def test_fit_leaves_a_fitting_text_alone():
    assert fit_sms("a" * 160, 1) == "a" * 160
    assert fit_sms("中" * 134, 2) == "中" * 134


def test_fit_cuts_chinese_to_70_characters_for_one_segment():
    fitted = fit_sms("中" * 100, 1)
    assert fitted == "中" * 69 + "…"
    assert len(fitted) == 70


def test_fit_cuts_chinese_to_two_segments():
    assert fit_sms("中" * 200, 2) == "中" * 133 + "…"


def test_fit_keeps_gsm7_text_in_gsm7():
    fitted = fit_sms("a" * 200, 1)
    assert fitted == "a" * 157 + "..."
    assert sms_segments(fitted) == ("gsm7", 1)
    assert fit_sms("a" * 400, 2) == "a" * 303 + "..."


def test_fit_drops_trailing_space_before_the_ellipsis():
    assert fit_sms("中" * 68 + " " + "中" * 40, 1) == "中" * 68 + "…"


def test_fit_needs_a_segment():
    with pytest.raises(ValueError, match="at least 1"):
        fit_sms("hello", 0)


@given(st.text(max_size=800), st.integers(min_value=1, max_value=6))
def test_fit_always_fits(text, segments):
    fitted = fit_sms(text, segments)
    assert sms_segments(fitted)[1] <= segments
    if sms_segments(text)[1] <= segments:
        assert fitted == text
    else:
        assert fitted.endswith(("…", "..."))
        kept = fitted.removesuffix("...") if fitted.endswith("...") else fitted[:-1]
        assert text.startswith(kept)


@given(st.text(alphabet="abc€中😀", max_size=400), st.integers(min_value=1, max_value=4))
def test_fit_is_as_long_as_possible(text, segments):
    fitted = fit_sms(text, segments)
    if fitted != text:
        kept = fitted.removesuffix("...") if fitted.endswith("...") else fitted[:-1]
        ellipsis = fitted[len(kept) :]
        longer = text[: len(kept) + 1] + ellipsis
        assert sms_segments(longer)[1] > segments
