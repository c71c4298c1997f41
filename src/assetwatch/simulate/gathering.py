"""Gathering scenarios (异常聚众): financed cars of several borrowers converge on one yard.

Every car starts at its borrower's home (a premises circle of 100 m, 2–5 km from the yard,
one home per borrower), waits up to ``depart_within_s``, drives there along the streets and
parks for good. Three builders share that shape:

* :func:`yard_gathering`: all cars park within 25 m of the yard's centre: it must be caught,
  with exactly these cars as members;
* :func:`dispersed_control`: the same cars park in the same district, each spot more than
  twice the radius from every other: no gathering;
* :func:`auto_mall_control`: each borrower is a dealer whose lot (premises, 60 m) is one of
  a row of lots 130 m apart in one auto mall, and its cars park in its own lot: within
  ``radius_m`` of each other but at their own premises, so no gathering.

:meth:`GatheringScenario.positions_at` gives the live positions (each car's last report) at
a time, as the sweep takes them; :meth:`GatheringScenario.at_own_premises` the mask.

Example
-------
>>> s = yard_gathering(LatLon(22.6012, 113.8735), cars=6, counterparties=4, seed=1)
>>> len(s.positions_at(3600.0)), sorted(s.expected) == [1, 2, 3, 4, 5, 6]
(6, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from assetwatch.analytics.gathering import BoolArray, LivePositions
from assetwatch.analytics.premises import PremisesCircle, PremisesIndex
from assetwatch.simulate.fleet import vin_check_digit
from assetwatch.simulate.routes import LatLon, destination, route_through, seeded_rng
from assetwatch.simulate.scenario import Scenario, VehiclePlan
from assetwatch.simulate.vehicle import SIMULATION_EPOCH, Drive, Park, SimulatedVehicle

HOME_RADIUS_M = 100.0
LOT_RADIUS_M = 60.0
LOT_SPACING_M = 130.0
_EPOCH_MS = int(SIMULATION_EPOCH.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class FinancedCar:
    """A simulated car with the asset and counterparty ids the platform knows it by."""

    asset_id: int
    counterparty_id: int
    plan: VehiclePlan


@dataclass(frozen=True, slots=True)
class GatheringScenario:
    """Cars, their borrowers' premises, and which cars must be flagged together."""

    name: str
    yard: LatLon
    cars: tuple[FinancedCar, ...]
    premises: tuple[PremisesCircle, ...]
    expected: frozenset[int]  # asset ids of the gathering to catch (empty for a control)
    epoch_ms: int = _EPOCH_MS  # time of t = 0

    def scenario(self) -> Scenario:
        """The cars as a :class:`Scenario` for :func:`~assetwatch.simulate.run_fleet`."""
        return Scenario(tuple(c.plan for c in self.cars), name=self.name)

    def positions_at(self, t_s: float) -> LivePositions:
        """Each car's last report at or before ``t_s`` seconds (reports every interval)."""
        fixes, times = [], []
        for car in self.cars:
            interval = car.plan.report_interval_s
            reported = math.floor(t_s / interval + 1e-9) * interval
            fixes.append(car.plan.vehicle.fix_at(reported))
            times.append(self.epoch_ms + round(reported * 1000))
        return LivePositions(
            asset_id=np.array([c.asset_id for c in self.cars], dtype=np.int64),
            counterparty_id=np.array([c.counterparty_id for c in self.cars], dtype=np.int64),
            lat=np.array([f.lat for f in fixes]),
            lon=np.array([f.lon for f in fixes]),
            time_ms=np.array(times, dtype=np.int64),
        )

    def at_own_premises(self, positions: LivePositions) -> BoolArray:
        index = PremisesIndex(circles=self.premises)
        return index.contains(positions.counterparty_id, positions.lat, positions.lon)

    def time_ms(self, t_s: float) -> int:
        return self.epoch_ms + round(t_s * 1000)


def yard_gathering(
    yard: LatLon,
    *,
    cars: int = 6,
    counterparties: int = 4,
    seed: int = 1,
    interval_s: float = 30.0,
    depart_within_s: float = 300.0,
) -> GatheringScenario:
    """``cars`` cars of ``counterparties`` borrowers park within 25 m of ``yard``."""
    stalls = [yard] + [destination(yard, 360.0 * i / (cars - 1), 25.0) for i in range(cars - 1)]
    owners = [i % counterparties for i in range(cars)]
    built = _build("yard gathering", yard, stalls, owners, seed, interval_s, depart_within_s)
    return replace(built, expected=frozenset(c.asset_id for c in built.cars))


def dispersed_control(
    yard: LatLon,
    *,
    cars: int = 6,
    counterparties: int = 4,
    radius_m: float = 200.0,
    seed: int = 1,
    interval_s: float = 30.0,
    depart_within_s: float = 300.0,
) -> GatheringScenario:
    """The same cars parked around ``yard`` on a ring, neighbours 2.2 ``radius_m`` apart."""
    ring_m = 1.1 * radius_m / math.sin(math.pi / cars)  # chord = 2.2 radius_m
    stalls = [destination(yard, 360.0 * i / cars, ring_m) for i in range(cars)]
    owners = [i % counterparties for i in range(cars)]
    return _build("dispersed control", yard, stalls, owners, seed, interval_s, depart_within_s)


def auto_mall_control(
    yard: LatLon,
    *,
    cars: int = 6,
    dealers: int = 4,
    seed: int = 1,
    interval_s: float = 30.0,
    depart_within_s: float = 300.0,
) -> GatheringScenario:
    """Dealers' lots in a row through ``yard``; each car parks in its own dealer's lot."""
    offsets = [(j - (dealers - 1) / 2) * LOT_SPACING_M for j in range(dealers)]
    lots = [destination(yard, 90.0, x) if x >= 0 else destination(yard, 270.0, -x) for x in offsets]
    owners = [i % dealers for i in range(cars)]
    stalls = [destination(lots[o], 360.0 * i / cars, 20.0) for i, o in enumerate(owners)]
    built = _build("auto mall control", yard, stalls, owners, seed, interval_s, depart_within_s)
    lot_premises = tuple(
        PremisesCircle(o + 1, p.lat, p.lon, LOT_RADIUS_M) for o, p in enumerate(lots)
    )
    return replace(built, premises=built.premises + lot_premises)


def _build(
    name: str,
    yard: LatLon,
    stalls: Sequence[LatLon],
    owners: Sequence[int],
    seed: int,
    interval_s: float,
    depart_within_s: float,
) -> GatheringScenario:
    """Cars ``1..n`` of counterparties ``owner + 1`` drive from home to their stall."""
    rng = seeded_rng(seed)
    homes: dict[int, LatLon] = {}
    cars = []
    for i, (stall, owner) in enumerate(zip(stalls, owners, strict=True)):
        if owner not in homes:
            bearing = rng.uniform(0.0, 360.0)
            homes[owner] = destination(yard, bearing, rng.uniform(2_000.0, 5_000.0))
        start = destination(homes[owner], rng.uniform(0.0, 360.0), rng.uniform(0.0, 40.0))
        route = route_through([start, stall], bearing_deg=rng.uniform(0.0, 90.0))
        wait = rng.uniform(0.0, depart_within_s)
        car = SimulatedVehicle(
            [Park(max(wait, 1.0)), Drive(route), Park(math.inf)], seed=seed * 1000 + i
        )
        device = f"0139{seed % 10_000:04d}{i + 1:04d}"
        plan = VehiclePlan(device, _vin(seed, i + 1), car, interval_s, role=name)
        cars.append(FinancedCar(asset_id=i + 1, counterparty_id=owner + 1, plan=plan))
    premises = tuple(
        PremisesCircle(owner + 1, home.lat, home.lon, HOME_RADIUS_M)
        for owner, home in homes.items()
    )
    return GatheringScenario(name, yard, tuple(cars), premises, frozenset())


def _vin(seed: int, serial: int) -> str:
    """A valid 17-character VIN for car ``serial`` of scenario ``seed``."""
    body = f"LGW{seed % 1000:03d}AB0N{serial:07d}"
    return body[:8] + vin_check_digit(body) + body[9:]
