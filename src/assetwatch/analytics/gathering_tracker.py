"""Abnormal gathering over time: groups that persist across sweeps raise one alarm.

:class:`GatheringTracker` keeps the groups of the previous sweep as *tracks* (candidate
gatherings with the time they were first seen) and matches each new sweep's groups to them:

* a track and a new group *overlap* when they share at least half of the smaller one's
  assets (overlap coefficient |T ∩ G| / min(|T|, |G|) ≥ 0.5), so a yard that fills up or
  empties out keeps its identity;
* matching is one-to-one: candidate pairs are taken by most shared assets first, then the
  older track, then the smaller track key and seed asset id (deterministic);
* a matched track takes the new group's members, centre and radius and keeps its
  ``first_seen_ms``; an unmatched group starts a track ``"<first_seen_ms>-<seed asset id>"``;
  an unmatched track ends (a gathering is broken as soon as one sweep does not see it).

A track becomes a :class:`Gathering` once ``now - first_seen_ms >= min_minutes``; the sweep
that crosses that line returns it in ``started`` (event ``gathering``, an alarm), and the
sweep in which it dissolves returns it in ``ended`` (event ``gathering_ended``, no alarm).
Tracks that end before that are dropped silently. :meth:`GatheringTracker.state` is plain
JSON, and :meth:`GatheringTracker.from_state` continues from it after a restart.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np

from assetwatch.analytics.gathering import (
    AssetGroup,
    BoolArray,
    GatheringParams,
    LivePositions,
    find_groups,
)
from assetwatch.rules.events import RuleEvent

STATE_VERSION = 1
MIN_OVERLAP = 0.5


@dataclass(frozen=True, slots=True)
class Gathering:
    """A group that has stayed together since ``first_seen_ms`` (its latest sighting)."""

    key: str
    group: AssetGroup
    first_seen_ms: int
    last_seen_ms: int

    @property
    def asset_ids(self) -> tuple[int, ...]:
        return self.group.asset_ids

    @property
    def counterparty_ids(self) -> tuple[int, ...]:
        return self.group.counterparty_ids

    @property
    def duration_s(self) -> float:
        return (self.last_seen_ms - self.first_seen_ms) / 1000

    def details(self) -> dict[str, Any]:
        g = self.group
        return {
            "assets": list(g.asset_ids),
            "counterparties": list(g.counterparty_ids),
            "unknown_counterparties": g.unknown_counterparties,
            "centre": {"lat": g.lat, "lon": g.lon},
            "radius_m": round(g.radius_m, 1),
            "since": self.first_seen_ms,
        }

    def started_event(self) -> RuleEvent:
        return RuleEvent("gathering", self.last_seen_ms, subject=self.key, details=self.details())

    def ended_event(self, now_ms: int) -> RuleEvent:
        details = {**self.details(), "until": self.last_seen_ms}
        return RuleEvent("gathering_ended", now_ms, subject=self.key, alarm=False, details=details)


@dataclass(frozen=True, slots=True)
class _Track:
    gathering: Gathering
    reported: bool


@dataclass(frozen=True, slots=True)
class SweepOutcome:
    """What one sweep changed: gatherings that just qualified, and reported ones that ended."""

    now_ms: int
    started: tuple[Gathering, ...] = ()
    ended: tuple[Gathering, ...] = ()

    @property
    def events(self) -> list[RuleEvent]:
        return [g.started_event() for g in self.started] + [
            g.ended_event(self.now_ms) for g in self.ended
        ]


class GatheringTracker:
    """Persistence of sweep groups over time (see the module doc)."""

    def __init__(self, params: GatheringParams | None = None):
        self.params = params or GatheringParams()
        self._tracks: list[_Track] = []
        self.last_sweep_ms: int | None = None

    def sweep(
        self,
        positions: LivePositions,
        *,
        now_ms: int,
        at_own_premises: BoolArray | None = None,
    ) -> SweepOutcome:
        """Find the groups of ``positions`` at ``now_ms`` and :meth:`update` with them."""
        groups = find_groups(
            positions, now_ms=now_ms, params=self.params, at_own_premises=at_own_premises
        )
        return self.update(groups, now_ms=now_ms)

    def update(self, groups: Sequence[AssetGroup], *, now_ms: int) -> SweepOutcome:
        """Match one sweep's groups (at ``now_ms``, after the previous sweep) to the tracks."""
        if self.last_sweep_ms is not None and now_ms <= self.last_sweep_ms:
            raise ValueError(f"sweep at {now_ms} is not after the last one ({self.last_sweep_ms})")
        self.last_sweep_ms = now_ms
        matches = _match([t.gathering.group for t in self._tracks], groups, self._tracks)
        min_ms = self.params.min_minutes * 60_000
        tracks: list[_Track] = []
        started: list[Gathering] = []
        for gi, group in enumerate(groups):
            ti = matches.get(gi)
            if ti is None:
                key = f"{now_ms}-{group.seed_asset_id}"
                track = _Track(Gathering(key, group, now_ms, now_ms), reported=False)
            else:
                old = self._tracks[ti]
                first_seen = old.gathering.first_seen_ms
                track = _Track(
                    Gathering(old.gathering.key, group, first_seen, now_ms), old.reported
                )
            if not track.reported and now_ms - track.gathering.first_seen_ms >= min_ms:
                track = _Track(track.gathering, reported=True)
                started.append(track.gathering)
            tracks.append(track)
        kept = set(matches.values())
        ended = [t.gathering for i, t in enumerate(self._tracks) if i not in kept and t.reported]
        tracks.sort(key=lambda t: t.gathering.key)
        self._tracks = tracks
        return SweepOutcome(now_ms, tuple(started), tuple(ended))

    def active(self) -> list[Gathering]:
        """The gatherings that have persisted long enough (reported), by key."""
        return [t.gathering for t in self._tracks if t.reported]

    def candidates(self) -> list[Gathering]:
        """Every tracked group, reported or not yet, by key."""
        return [t.gathering for t in self._tracks]

    def state(self) -> dict[str, Any]:
        """Everything needed to continue after a restart, as JSON-serialisable data."""
        return {
            "version": STATE_VERSION,
            "last_sweep_ms": self.last_sweep_ms,
            "tracks": [_track_state(t) for t in self._tracks],
        }

    @classmethod
    def from_state(
        cls, state: dict[str, Any], params: GatheringParams | None = None
    ) -> GatheringTracker:
        if state.get("version") != STATE_VERSION:
            raise ValueError(f"unknown gathering tracker state version {state.get('version')!r}")
        tracker = cls(params)
        last = state.get("last_sweep_ms")
        tracker.last_sweep_ms = None if last is None else int(last)
        tracker._tracks = [_track_from_state(t) for t in state["tracks"]]
        return tracker


def _match(
    previous: Sequence[AssetGroup], groups: Sequence[AssetGroup], tracks: Sequence[_Track]
) -> dict[int, int]:
    """Group index → track index, one-to-one (see the module doc for the rule)."""
    if not previous or not groups:
        return {}
    old_ids, old_of = _flatten(previous)
    new_ids, new_of = _flatten(groups)
    _, old_at, new_at = np.intersect1d(old_ids, new_ids, assume_unique=True, return_indices=True)
    pair = old_of[old_at] * len(groups) + new_of[new_at]
    pairs, shared = np.unique(pair, return_counts=True)
    candidates = []
    for p, n in zip(pairs.tolist(), shared.tolist(), strict=True):
        ti, gi = divmod(p, len(groups))
        if n >= MIN_OVERLAP * min(len(previous[ti].asset_ids), len(groups[gi].asset_ids)):
            g = tracks[ti].gathering
            candidates.append((-n, g.first_seen_ms, g.key, groups[gi].seed_asset_id, ti, gi))
    candidates.sort()
    matches: dict[int, int] = {}
    used: set[int] = set()
    for *_, ti, gi in candidates:
        if gi not in matches and ti not in used:
            matches[gi] = ti
            used.add(ti)
    return matches


def _flatten(groups: Sequence[AssetGroup]) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """All member ids and, for each, the index of its group."""
    sizes = [len(g.asset_ids) for g in groups]
    members = chain.from_iterable(g.asset_ids for g in groups)
    ids = np.fromiter(members, dtype=np.int64, count=sum(sizes))
    return ids, np.repeat(np.arange(len(groups)), sizes)


def _track_state(track: _Track) -> dict[str, Any]:
    g = track.gathering
    group = g.group
    return {
        "key": g.key,
        "first_seen_ms": g.first_seen_ms,
        "last_seen_ms": g.last_seen_ms,
        "reported": track.reported,
        "seed_asset_id": group.seed_asset_id,
        "lat": group.lat,
        "lon": group.lon,
        "radius_m": group.radius_m,
        "asset_ids": list(group.asset_ids),
        "counterparty_ids": list(group.counterparty_ids),
        "unknown_counterparties": group.unknown_counterparties,
        "time_ms": group.time_ms,
    }


def _track_from_state(data: dict[str, Any]) -> _Track:
    group = AssetGroup(
        seed_asset_id=int(data["seed_asset_id"]),
        lat=float(data["lat"]),
        lon=float(data["lon"]),
        radius_m=float(data["radius_m"]),
        asset_ids=tuple(map(int, data["asset_ids"])),
        counterparty_ids=tuple(map(int, data["counterparty_ids"])),
        unknown_counterparties=int(data.get("unknown_counterparties", 0)),
        time_ms=int(data.get("time_ms", data["last_seen_ms"])),
    )
    gathering = Gathering(
        str(data["key"]), group, int(data["first_seen_ms"]), int(data["last_seen_ms"])
    )
    return _Track(gathering, bool(data["reported"]))
