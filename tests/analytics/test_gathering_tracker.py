"""GatheringTracker matching: splits, merges and ties resolve to one deterministic answer."""

from __future__ import annotations

from assetwatch.analytics.gathering import AssetGroup, GatheringParams
from assetwatch.analytics.gathering_tracker import GatheringTracker
from tests.analytics.gathering_fixtures import MINUTE, T0, YARD


def group(*ids: int, seed: int | None = None) -> AssetGroup:
    return AssetGroup(
        seed_asset_id=seed if seed is not None else ids[0],
        lat=YARD[0],
        lon=YARD[1],
        radius_m=50.0,
        asset_ids=ids,
        counterparty_ids=(1, 2, 3),
    )


def test_a_split_yard_keeps_its_key_on_the_bigger_half() -> None:
    tracker = GatheringTracker(GatheringParams(min_minutes=10))
    tracker.update([group(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)], now_ms=T0)
    tracker.update([group(1, 2, 3, 4, 5, 6, 7, 8, 9, 10)], now_ms=T0 + 10 * MINUTE)
    (key,) = [g.key for g in tracker.active()]
    outcome = tracker.update(
        [group(1, 2, 3, 4, 5, 6), group(7, 8, 9, 10, 11)], now_ms=T0 + 15 * MINUTE
    )
    assert not outcome.events  # nothing ended, nothing new is old enough yet
    by_key = {g.key: g.asset_ids for g in tracker.candidates()}
    assert by_key == {key: (1, 2, 3, 4, 5, 6), f"{T0 + 15 * MINUTE}-7": (7, 8, 9, 10, 11)}


def test_when_two_gatherings_merge_the_older_keeps_its_key_and_the_other_ends() -> None:
    tracker = GatheringTracker(GatheringParams(min_minutes=0))
    tracker.update([group(1, 2, 3, 4, 5)], now_ms=T0)
    tracker.update([group(1, 2, 3, 4, 5), group(11, 12, 13, 14, 15)], now_ms=T0 + MINUTE)
    merged = tracker.update([group(1, 2, 3, 4, 5, 11, 12, 13, 14, 15)], now_ms=T0 + 2 * MINUTE)
    (ended,) = merged.ended
    assert ended.key == f"{T0 + MINUTE}-11" and ended.asset_ids == (11, 12, 13, 14, 15)
    (alive,) = tracker.active()
    assert alive.key == f"{T0}-1" and alive.first_seen_ms == T0
    assert [e.type for e in merged.events] == ["gathering_ended"]


def test_less_than_half_in_common_is_a_new_gathering() -> None:
    tracker = GatheringTracker(GatheringParams(min_minutes=0))
    tracker.update([group(1, 2, 3, 4, 5, 6)], now_ms=T0)
    outcome = tracker.update([group(1, 2, 7, 8, 9, 10)], now_ms=T0 + MINUTE)
    assert [g.key for g in outcome.started] == [f"{T0 + MINUTE}-1"]
    assert [g.key for g in outcome.ended] == [f"{T0}-1"]


def test_half_in_common_is_the_same_gathering() -> None:
    tracker = GatheringTracker(GatheringParams(min_minutes=0))
    tracker.update([group(1, 2, 3, 4, 5, 6)], now_ms=T0)
    outcome = tracker.update([group(1, 2, 3, 7, 8, 9)], now_ms=T0 + MINUTE)
    assert not outcome.events
    assert [g.key for g in tracker.active()] == [f"{T0}-1"]
