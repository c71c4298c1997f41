"""The curated public surface of assetwatch.simulate stays complete and importable."""

from __future__ import annotations

import assetwatch.simulate as simulate


def test_every_exported_name_exists() -> None:
    assert len(set(simulate.__all__)) == len(simulate.__all__)
    for name in simulate.__all__:
        assert getattr(simulate, name) is not None, name


def test_the_main_entry_points_are_exported() -> None:
    wanted = {"run_fleet", "run_load", "demo_scenario", "demo_fleet_yaml", "Jt808Terminal"}
    assert wanted <= set(simulate.__all__)
