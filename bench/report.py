"""The human-readable table of an ingest benchmark result (see ``bench/ingest.py``)."""

from __future__ import annotations

from typing import Any

TARGET = 50_000


def _round_rows(name: str, r: dict[str, Any]) -> list[str]:
    rows = [
        f"{name:<10} {r['positions_per_s']:>10,.0f} pos/s   acked {r['acked']:>8,}"
        f"   failed {r['failed']}   p50 {r['p50_ms']:7.1f} ms   p99 {r['p99_ms']:7.1f} ms"
        f"   max {r['max_ms']:7.1f} ms",
        f"{'':<10} server CPU {r['server_cpu_util'] * 100:5.1f}% of a core"
        f" ({r['server_cpu_us_per_position']:.1f} µs/position; its core busy"
        f" {(r['server_core_busy'] or 0) * 100:.0f}%),"
        f" client CPU {r['client_cpu_util'] * 100:5.1f}%"
        f" ({r['client_cpu_us_per_position']:.1f} µs/position)",
    ]
    if "batches" in r:
        rows.append(
            f"{'':<10} processor: {r['batches']:,} batches, mean {r['mean_batch']:.0f}"
            f" observations, Processor.process {r['process_us_per_observation']:.1f}"
            f" µs/observation ({r['process_s']:.2f} s in the commit thread)"
        )
    return rows


def _micro_rows(m: dict[str, Any]) -> list[str]:
    c, g, p = m["codec"], m["geofence"], m["processor"]
    rows = [
        f"component costs (in-process, best of 5, {m['frames']:,} frames):",
        f"  split            {c['split_us']:7.2f} µs/frame",
        f"  decode_frame     {c['decode_us']:7.2f} µs/frame",
        f"  to_observations  {c['to_observations_us']:7.2f} µs/frame",
        f"  split+decode+obs {c['split_decode_observe_us']:7.2f} µs/frame",
        f"  encode 0x8001    {c['encode_ack_us']:7.2f} µs/frame",
        f"  STRtree within   {g['containing_us']:7.2f} µs/point ({g['fences']:.0f} fences,"
        f" batches of {g['batch_points']:.0f}, {g['fences_per_point']:.2f} fences/point)",
        f"    alternative: bbox query + contains_xy on prepared polygons"
        f" {g['bbox_contains_xy_prepared_us']:.2f} µs/point"
        f" (same hits: {g['prepared_same_hits']})",
        f"  Processor.process{p['process_us']:7.2f} µs/observation (batches of {p['batch']})",
        "  processor stages (cProfile, % of process time):",
    ]
    rows += [f"    {label:<40} {pct:5.1f}%" for label, pct in p["stages_pct"].items()]
    return rows


def _profile_rows(profile: dict[str, Any]) -> list[str]:
    total = profile["samples"][0][1] if profile["samples"] else 0
    split = ", ".join(f"{name} {pct:.0f}%" for name, pct in profile["threads"])
    rows = [f"server profile (py-spy, {total:,.0f} samples; {split}), top self time:"]
    rows += [f"  {pct:5.1f}%  {name}" for name, pct in profile["self"]]
    rows.append("inclusive share of hot-path functions:")
    rows += [f"  {pct:5.1f}%  {name}" for name, pct in profile["focus"]]
    return rows


def render(result: dict[str, Any]) -> str:
    params, mach, prov = result["params"], result["machine"], result["provision"]
    plat, base = result["platform"], result["baseline"]
    cpu_ratio = plat["server_cpu_us_per_position"] / max(base["server_cpu_us_per_position"], 1e-9)
    rows = [
        "",
        f"assetwatch ingest benchmark — {mach['cpu_model']}, {mach['nproc']} cores,"
        f" Python {mach['python']}, SQLite {mach['sqlite']}",
        f"{params['devices']} devices x {params['reports']} reports, depth {params['depth']},"
        f" {params['fences']} fences; provisioning {prov['entities_created']:.0f} entities"
        f" took {prov['apply_s']:.2f} s",
        "-" * 100,
    ]
    rows += _round_rows("baseline", result["baseline"])
    rows += _round_rows("platform", plat)
    if "profiled" in result:
        rows += _round_rows("(py-spy)", result["profiled"])
    db = plat["db"]
    verdict = "MET" if plat["positions_per_s"] >= TARGET else "NOT MET"
    rows += [
        f"stored: {db['observations']:,} observations ({db['late']:,} late),"
        f" {db['events']:,} events, {db['alarms']:,} alarms",
        f"platform / baseline = {result['ratio']:.3f} (positions/s); server CPU per position"
        f" {cpu_ratio:.1f}x the baseline's;"
        f" target ≥ {TARGET:,} pos/s end to end: {verdict}",
        "-" * 100,
    ]
    if "micro" in result:
        rows += _micro_rows(result["micro"])
    if "profile" in result:
        rows += _profile_rows(result["profile"])
    return "\n".join(rows)
