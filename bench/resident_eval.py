"""Resident places on real GPS data: GeoLife users (trackintel's ``geolife_long_10_MB``).

For each user: the stays our detector finds in the user's .plt files, the resident places
clustered from them (home = most night dwell in Beijing time), the same on each half of the
user's days (is the home stable?), and — for the user that trackintel's own test data covers
(``geolife/geolife_staypoints.csv``) — how our stays and trackintel's staypoints overlap.
GeoLife is non-commercial research data: it is read from ``--data``, never copied.

    .venv/bin/python bench/resident_eval.py [--data DIR] [--staypoints CSV]
"""

from __future__ import annotations

import argparse
import csv
import sys
from datetime import UTC, datetime
from pathlib import Path

from assetwatch.analytics.model import Fix, Stay, StayParams
from assetwatch.analytics.resident import ResidentParams, ResidentPlace, resident_places
from assetwatch.analytics.stays import detect
from assetwatch.geo.distance import haversine_m

DEFAULT = Path(__file__).resolve().parents[2] / "shared/data/gps/trackintel_geolife"
PARAMS = StayParams(radius_m=100.0, min_duration_s=300.0, max_gap_s=3600.0)  # trackintel's
RESIDENT = ResidentParams(timezone="Asia/Shanghai", min_home_nights=2)


def read_plt(path: Path) -> list[Fix]:
    """GeoLife .plt: 6 header lines, then lat, lon, 0, altitude (ft), days, date, time (UTC)."""
    fixes = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for n, line in enumerate(handle):
            parts = line.strip().split(",")
            if n < 6 or len(parts) < 7:
                continue
            moment = datetime.fromisoformat(f"{parts[5]}T{parts[6]}").replace(tzinfo=UTC)
            fixes.append(Fix(int(moment.timestamp() * 1000), float(parts[0]), float(parts[1])))
    return fixes


def user_fixes(user_dir: Path) -> list[Fix]:
    fixes = [f for plt in sorted(user_dir.glob("**/*.plt")) for f in read_plt(plt)]
    fixes.sort(key=lambda f: f.time_ms)
    unique, last = [], None
    for fix in fixes:
        if fix.time_ms != last:
            unique.append(fix)
            last = fix.time_ms
    return unique


def home_of(stays: list[Stay]) -> ResidentPlace | None:
    return next((p for p in resident_places(stays, RESIDENT) if p.label == "home"), None)


def halves(stays: list[Stay]) -> tuple[list[Stay], list[Stay]]:
    middle = stays[len(stays) // 2].start_ms if stays else 0
    return [s for s in stays if s.end_ms < middle], [s for s in stays if s.start_ms >= middle]


def evaluate_user(user_dir: Path) -> tuple[dict[str, object], list[Stay]]:
    fixes = user_fixes(user_dir)
    stays, _ = detect(fixes, PARAMS)
    home = home_of(stays)
    first, second = halves(stays)
    h1, h2 = home_of(first), home_of(second)
    days = len({datetime.fromtimestamp(f.time_ms / 1000, UTC).date() for f in fixes})
    row: dict[str, object] = {
        "user": user_dir.name, "fixes": len(fixes), "days": days, "stays": len(stays),
        "home": f"{home.lat:.5f},{home.lon:.5f}" if home else "-",
        "home_nights": len(home.nights) if home else 0,
        "halves": f"{'yes' if h1 else 'no'}/{'yes' if h2 else 'no'}",
        "halves_apart_m": round(haversine_m(h1.lat, h1.lon, h2.lat, h2.lon)) if h1 and h2 else None,
    }  # fmt: skip
    return row, stays


def trackintel_staypoints(sp_tpls: Path) -> dict[str, list[tuple[int, int]]]:
    """trackintel's own staypoints of the ``geolife_long`` users: user → [(start, end)]."""
    out: dict[str, list[tuple[int, int]]] = {}
    with sp_tpls.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["type"] == "staypoint":
                start = datetime.fromisoformat(row["started_at"]).timestamp()
                end = datetime.fromisoformat(row["finished_at"]).timestamp()
                user = f"{int(float(row['user_id'])):03d}"
                out.setdefault(user, []).append((int(start * 1000), int(end * 1000)))
    return out


def _same(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two stays are the same when they overlap for at least half the shorter one."""
    return min(a[1], b[1]) - max(a[0], b[0]) >= 0.5 * min(a[1] - a[0], b[1] - b[0])


def comparison(base: Path) -> list[str]:
    """Our stays against trackintel's staypoints, per ``geolife_long`` user."""
    lines = []
    for user, theirs in sorted(trackintel_staypoints(base / "sp_tpls.csv").items()):
        stays, _ = detect(user_fixes(base / user), PARAMS)
        ours = [(st.start_ms, st.end_ms) for st in stays]
        found = sum(1 for t in theirs if any(_same(t, o) for o in ours))
        kept = sum(1 for o in ours if any(_same(o, t) for t in theirs))
        lines.append(f"user {user}: trackintel staypoints {len(theirs)}, found by us {found}; "
                     f"our stays {len(ours)}, also trackintel's {kept}")  # fmt: skip
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT / "geolife_long_10_MB")
    parser.add_argument(
        "--compare", type=Path, default=DEFAULT / "geolife_long",
        help="trackintel's geolife_long (.plt files and sp_tpls.csv)",
    )  # fmt: skip
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"skipped: no GeoLife data at {args.data} (see ../shared/data/README.md)")
        return 0
    rows = [evaluate_user(d)[0] for d in sorted(p for p in args.data.iterdir() if p.is_dir())]
    columns = list(rows[0])
    print(" | ".join(columns))
    for row in rows:
        print(" | ".join(str(row[c]) for c in columns))
    homes = sum(1 for r in rows if r["home"] != "-")
    stable = [r["halves_apart_m"] for r in rows if r["halves_apart_m"] is not None]
    close = sum(1 for d in stable if isinstance(d, int) and d <= 200)
    print(
        f"home found for {homes}/{len(rows)} users; in both halves for {len(stable)}, "
        f"of which within 200 m of each other: {close}"
    )
    if (args.compare / "sp_tpls.csv").is_file():
        print("stays vs trackintel staypoints (same time, overlapping ≥ half the shorter):")
        for line in comparison(args.compare):
            print("  " + line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
