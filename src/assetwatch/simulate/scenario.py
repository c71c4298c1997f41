"""Scripted incidents on a timeline, and the vehicles that act them out.

A :class:`Scenario` is a set of :class:`VehiclePlan` (a terminal, its car and its report
interval) plus :class:`Incident` records on a timeline in seconds from the start. Movement
incidents (``leave_lot``, ``enter_forbidden``, the drive during a silence) are baked into the
car's itinerary by the builders below; the runner applies the others to the terminal:
``power_cut`` sets alarm bit 8 on the reports, ``go_silent`` drops the link while the terminal
keeps recording, ``backfill`` reconnects and uploads the recording as 0x0704 type 1.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import count

from assetwatch.simulate.routes import LatLon, destination, route_through, street_grid_route
from assetwatch.simulate.vehicle import (
    Drive,
    DrivingStyle,
    Park,
    SimulatedVehicle,
    Stint,
    shuttle_itinerary,
)

ALARM_SOS = 1 << 0
ALARM_MAIN_POWER_CUT = 1 << 8
"""JT/T 808 alarm flag bits (main power lost = 主电源掉电)."""


LOT_MANOEUVRING = DrivingStyle(
    cruise_kmh=(8.0, 15.0),
    turn_kmh=6.0,
    accel_mps2=1.0,
    brake_mps2=1.5,
    red_light_probability=0.2,
    red_light_s=(2.0, 8.0),
)
"""How stock is moved about inside a dealer's lot (km/h, m/s², s)."""


class IncidentKind(StrEnum):
    LEAVE_LOT = "leave_lot"
    ENTER_FORBIDDEN = "enter_forbidden"
    POWER_CUT = "power_cut"
    GO_SILENT = "go_silent"
    BACKFILL = "backfill"


@dataclass(frozen=True, slots=True)
class Incident:
    """One scripted incident.

    ``at_s`` is when it begins (seconds from the start); ``until_s`` when a lasting incident
    (a power cut) ends. ``expect`` says what the platform should raise, for humans and tests.
    """

    at_s: float
    kind: IncidentKind
    device: str
    until_s: float | None = None
    place: str = ""
    expect: str = ""


@dataclass(frozen=True, slots=True, eq=False)
class VehiclePlan:
    """A tracker (terminal phone number) in a car (VIN) that reports every interval."""

    device: str
    vin: str
    vehicle: SimulatedVehicle
    report_interval_s: float = 5.0
    role: str = "normal"


@dataclass(frozen=True, slots=True)
class Scenario:
    vehicles: tuple[VehiclePlan, ...]
    incidents: tuple[Incident, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        known = {plan.device for plan in self.vehicles}
        strangers = sorted({i.device for i in self.incidents} - known)
        if strangers:
            raise ValueError(f"incidents for unknown devices: {strangers}")

    def plan(self, device: str) -> VehiclePlan:
        for plan in self.vehicles:
            if plan.device == device:
                return plan
        raise KeyError(device)

    def timeline(self) -> list[Incident]:
        """All incidents in time order."""
        return sorted(self.incidents, key=lambda i: (i.at_s, i.device))

    def incidents_of(self, device: str) -> list[Incident]:
        return [i for i in self.timeline() if i.device == device]

    def alarm_flags_at(self, device: str, t: float) -> int:
        """JT/T 808 alarm flags the device reports at ``t`` seconds."""
        flags = 0
        for i in self.incidents_of(device):
            if i.kind is IncidentKind.POWER_CUT and i.at_s <= t < (i.until_s or math.inf):
                flags |= ALARM_MAIN_POWER_CUT
        return flags

    def silent_windows(self, device: str) -> list[tuple[float, float]]:
        """``[start, end)`` intervals during which the device has no link."""
        windows: list[tuple[float, float]] = []
        start: float | None = None
        for i in self.incidents_of(device):
            if i.kind is IncidentKind.GO_SILENT and start is None:
                start = i.at_s
            elif i.kind is IncidentKind.BACKFILL and start is not None:
                windows.append((start, i.at_s))
                start = None
        if start is not None:
            windows.append((start, math.inf))
        return windows

    def is_silent_at(self, device: str, t: float) -> bool:
        return any(a <= t < b for a, b in self.silent_windows(device))

    def report_times(self, device: str) -> Iterator[float]:
        """When the device reports (seconds, ascending, forever): every interval, plus at
        once when an alarm starts or ends and when the link comes back (JT/T 808 §6.2)."""
        interval = self.plan(device).report_interval_s
        extra = sorted(
            t
            for i in self.incidents_of(device)
            if i.kind in (IncidentKind.POWER_CUT, IncidentKind.BACKFILL)
            for t in (i.at_s, i.until_s)
            if t is not None
        )
        ticks = (k * interval for k in count())
        last = -math.inf
        for t in heapq.merge(ticks, extra):
            if t - last > 1e-6:
                last = t
                yield t


def parked(device: str, vin: str, *, at: LatLon, seed: int, interval_s: float = 5.0) -> VehiclePlan:
    """Stock standing in a showroom or lot, ignition off."""
    car = SimulatedVehicle.parked_at(at, seed=seed, odometer_km=_odometer(seed))
    return VehiclePlan(device, vin, car, interval_s, role="parked")


def roaming(
    device: str,
    vin: str,
    *,
    centre: LatLon,
    radius_m: float,
    seed: int,
    block_m: float = 200.0,
    park_s: tuple[float, float] = (30.0, 120.0),
    first_park_s: float = 0.0,
    interval_s: float = 5.0,
    style: DrivingStyle | None = None,
) -> VehiclePlan:
    """A car driving back and forth on a street grid within ``radius_m`` of ``centre``."""
    route = street_grid_route(
        centre, seed=seed, length_m=radius_m * 3, block_m=block_m, radius_m=radius_m
    )
    itinerary = shuttle_itinerary(route, seed=seed, park_s=park_s, first_park_s=first_park_s)
    car = SimulatedVehicle(itinerary, seed=seed, odometer_km=_odometer(seed), style=style)
    return VehiclePlan(device, vin, car, interval_s, role="roaming")


def leave_lot(
    device: str,
    vin: str,
    *,
    lot: str,
    centre: LatLon,
    radius_m: float,
    at_s: float,
    seed: int,
    heading: float = 90.0,
    inside_margin_m: float = 40.0,
    interval_s: float = 5.0,
) -> tuple[VehiclePlan, Incident]:
    """Parked ``inside_margin_m`` inside the lot's edge, it drives out at ``at_s``."""
    start = destination(centre, heading, radius_m - inside_margin_m)
    outside = destination(centre, heading, radius_m + 350.0)
    away = destination(outside, (heading + 90.0) % 360.0, 300.0)
    route = route_through([start, outside, away], along_streets=False)
    itinerary: list[Stint] = [Park(at_s), Drive(route), Park(math.inf)]
    car = SimulatedVehicle(itinerary, seed=seed, odometer_km=_odometer(seed))
    incident = Incident(
        at_s, IncidentKind.LEAVE_LOT, device, place=lot, expect=f"geofence_exit {lot}"
    )
    return VehiclePlan(device, vin, car, interval_s, role="leaves its lot"), incident


def enter_forbidden(
    device: str,
    vin: str,
    *,
    place: str,
    start: LatLon,
    inside: LatLon,
    at_s: float,
    seed: int,
    interval_s: float = 5.0,
) -> tuple[VehiclePlan, Incident]:
    """Standing at ``start`` (outside the place), it drives at ``at_s`` to ``inside`` and
    parks there for good."""
    route = route_through([start, inside])
    itinerary: list[Stint] = [Park(at_s, ignition=True), Drive(route), Park(math.inf)]
    car = SimulatedVehicle(
        itinerary,
        seed=seed,
        odometer_km=_odometer(seed),
    )
    incident = Incident(
        at_s, IncidentKind.ENTER_FORBIDDEN, device, place=place, expect=f"geofence_enter {place}"
    )
    return VehiclePlan(device, vin, car, interval_s, role="enters a forbidden place"), incident


def power_cut(device: str, *, at_s: float, duration_s: float) -> Incident:
    """Main power lost (alarm bit 8) from ``at_s`` for ``duration_s`` seconds."""
    return Incident(
        at_s, IncidentKind.POWER_CUT, device, until_s=at_s + duration_s, expect="power_cut"
    )


def silent_visit(
    device: str,
    vin: str,
    *,
    place: str,
    path_in: Sequence[LatLon],
    path_out: Sequence[LatLon],
    visit_s: float,
    silent_at_s: float,
    resume_at_s: float,
    seed: int,
    interval_s: float = 5.0,
) -> tuple[VehiclePlan, list[Incident]]:
    """The tracker goes silent, the car visits ``place`` and leaves, then the tracker comes
    back and backfills: only the backfill shows the visit.

    The car drives ``path_in`` from the start, stops ``visit_s`` seconds at its last point
    (ignition off), and drives ``path_out`` (which starts where ``path_in`` ends).
    """
    itinerary: list[Stint] = [
        Drive(route_through(path_in)),
        Park(visit_s),
        Drive(route_through(path_out)),
        Park(math.inf),
    ]
    car = SimulatedVehicle(
        itinerary,
        seed=seed,
        odometer_km=_odometer(seed),
    )
    incidents = [
        Incident(silent_at_s, IncidentKind.GO_SILENT, device, expect="offline"),
        Incident(
            resume_at_s,
            IncidentKind.BACKFILL,
            device,
            place=place,
            expect=f"geofence_enter {place} (retrospective, from the 0x0704 backfill)",
        ),
    ]
    plan = VehiclePlan(device, vin, car, interval_s, role="visits a forbidden place while silent")
    return plan, incidents


def _odometer(seed: int) -> float:
    """A plausible odometer for a young car, km (deterministic per seed)."""
    return 1_000.0 + (seed * 7_919) % 40_000
