"""The demo fleet (a provisioning file shipped with the package) and its incident scenario.

:func:`demo_scenario` plays, within about a minute of real time:

* 013900000001 drives out of ``dealer-001-lot`` at 5 s → ``geofence_exit`` (about 15 s);
* 013900000002 loses main power from 10 s to 40 s → ``power_cut`` (10 s);
* 013900000008 drives into ``pawn-zone`` at 2 s and parks there → ``geofence_enter`` (~15 s);
* 013900000009 goes silent at 7 s → ``offline`` (about 20 s); meanwhile its car visits
  ``pawn-zone`` and leaves; at 45 s it reconnects and backfills the silence as 0x0704 type 1
  → retrospective ``geofence_enter pawn-zone``;
* the other cars stand or move about in their dealer's lot, or drive around town.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assetwatch.simulate.routes import LatLon, destination, distance_m
from assetwatch.simulate.scenario import (
    LOT_MANOEUVRING,
    Incident,
    Scenario,
    VehiclePlan,
    enter_forbidden,
    leave_lot,
    parked,
    power_cut,
    roaming,
    silent_visit,
)

DEMO_FLEET_FILE = "demo_fleet.yaml"

LEAVES_LOT = "013900000001"
LOSES_POWER = "013900000002"
ENTERS_PAWN_ZONE = "013900000008"
VISITS_WHILE_SILENT = "013900000009"


@dataclass(frozen=True, slots=True)
class CirclePlace:
    key: str
    kind: str  # allowed | forbidden | watch
    centre: LatLon
    radius_m: float

    def contains(self, point: LatLon) -> bool:
        return distance_m(self.centre, point) <= self.radius_m


@dataclass(frozen=True, slots=True)
class PolygonPlace:
    key: str
    kind: str
    vertices: tuple[LatLon, ...]

    def contains(self, point: LatLon) -> bool:
        """Even-odd ray casting in lon/lat degrees (fine for city-sized polygons)."""
        inside = False
        ring = self.vertices
        for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
            if (a.lat > point.lat) != (b.lat > point.lat):
                lon_at = a.lon + (point.lat - a.lat) * (b.lon - a.lon) / (b.lat - a.lat)
                if point.lon < lon_at:
                    inside = not inside
        return inside


Place = CirclePlace | PolygonPlace


@dataclass(frozen=True, slots=True)
class FleetDevice:
    """A tracker of the fleet: terminal phone, the VIN of its car and who owes for the car."""

    key: str
    vin: str
    counterparty: str
    report_interval_s: float
    offline_tolerance: float


@dataclass(frozen=True, slots=True)
class Fleet:
    tenant: str
    devices: tuple[FleetDevice, ...]
    places: tuple[Place, ...]
    addresses: dict[str, LatLon]  # counterparty key -> first declared address
    lots: dict[str, str]  # counterparty key -> key of its allowed circle

    def device(self, key: str) -> FleetDevice:
        for d in self.devices:
            if d.key == key:
                return d
        raise KeyError(key)

    def place(self, key: str) -> Place:
        for p in self.places:
            if p.key == key:
                return p
        raise KeyError(key)

    def lot_of(self, counterparty: str) -> CirclePlace | None:
        key = self.lots.get(counterparty)
        place = self.place(key) if key else None
        return place if isinstance(place, CirclePlace) else None


def demo_fleet_path() -> Path:
    """Where the demo provisioning file is installed (for ``apply -f``)."""
    return Path(str(resources.files("assetwatch.simulate").joinpath(DEMO_FLEET_FILE)))


def demo_fleet_yaml() -> str:
    """The demo provisioning file, as text (for ``assetwatch apply``)."""
    return resources.files("assetwatch.simulate").joinpath(DEMO_FLEET_FILE).read_text("utf-8")


def load_fleet(text: str | None = None) -> Fleet:
    """Parse a provisioning document (default: the demo fleet)."""
    doc: dict[str, Any] = yaml.safe_load(text if text is not None else demo_fleet_yaml())
    contract_owner = {c["key"]: c["counterparty"] for c in doc.get("contracts", [])}
    asset_owner = {a["key"]: contract_owner.get(a.get("contract", ""), "") for a in doc["assets"]}
    devices = tuple(
        FleetDevice(
            key=str(d["key"]),
            vin=d["asset"],
            counterparty=asset_owner.get(d["asset"], ""),
            report_interval_s=float(d.get("report_interval_s", 30)),
            offline_tolerance=float(d.get("offline_tolerance", 3)),
        )
        for d in doc.get("devices", [])
    )
    places = tuple(_place(p) for p in doc.get("places", []))
    lots = {
        p["applies_to"]["counterparty"]: p["key"]
        for p in doc.get("places", [])
        if p["kind"] == "allowed" and isinstance(p.get("applies_to"), dict)
    }
    addresses = {
        c["key"]: LatLon(c["addresses"][0]["lat"], c["addresses"][0]["lon"])
        for c in doc.get("counterparties", [])
        if c.get("addresses")
    }
    return Fleet(doc["tenant"], devices, places, addresses, lots)


def _place(entry: dict[str, Any]) -> Place:
    shape = entry["shape"]
    if "circle" in shape:
        c = shape["circle"]
        return CirclePlace(entry["key"], entry["kind"], LatLon(c["lat"], c["lon"]), c["radius_m"])
    vertices = tuple(LatLon(lat, lon) for lon, lat in shape["polygon"])
    return PolygonPlace(entry["key"], entry["kind"], vertices)


_VIN_VALUES = {
    **{str(d): d for d in range(10)},
    **dict(zip("ABCDEFGH", range(1, 9), strict=True)),
    **dict(zip("JKLMN", range(1, 6), strict=True)),
    "P": 7,
    "R": 9,
    **dict(zip("STUVWXYZ", range(2, 10), strict=True)),
}
_VIN_WEIGHTS = (8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2)


def vin_check_digit(vin: str) -> str:
    """The check digit (position 9) of a 17-character VIN (ISO 3779 / GB 16735)."""
    total = sum(_VIN_VALUES[c] * w for c, w in zip(vin.upper(), _VIN_WEIGHTS, strict=True))
    remainder = total % 11
    return "X" if remainder == 10 else str(remainder)


def is_valid_vin(vin: str) -> bool:
    if len(vin) != 17 or any(c not in _VIN_VALUES for c in vin.upper()):
        return False
    return vin_check_digit(vin) == vin[8].upper()


def demo_scenario(fleet: Fleet | None = None) -> Scenario:
    """The demo incidents on the demo fleet (see the module docstring for the timeline)."""
    fleet = fleet or load_fleet()
    plans: list[VehiclePlan] = []
    incidents: list[Incident] = []
    for seed, device in enumerate(fleet.devices, start=1):
        interval = device.report_interval_s
        if device.key == LEAVES_LOT:
            lot = _lot(fleet, device)
            plan, incident = leave_lot(
                device.key, device.vin, lot=lot.key, centre=lot.centre, radius_m=lot.radius_m,
                at_s=5.0, seed=seed, interval_s=interval,
            )  # fmt: skip
            incidents.append(incident)
        elif device.key == LOSES_POWER:
            plan = parked(device.key, device.vin, at=_stall(_lot(fleet, device), seed), seed=seed)
            incidents.append(power_cut(device.key, at_s=10.0, duration_s=30.0))
        elif device.key == ENTERS_PAWN_ZONE:
            plan, incident = enter_forbidden(
                device.key, device.vin, place="pawn-zone", start=LatLon(22.5468, 114.0726),
                inside=LatLon(22.5500, 114.0738), at_s=2.0, seed=seed, interval_s=interval,
            )  # fmt: skip
            incidents.append(incident)
        elif device.key == VISITS_WHILE_SILENT:
            plan, visit = _silent_pawn_visit(device, seed)
            incidents.extend(visit)
        else:
            plan = _ordinary(fleet, device, seed)
        plans.append(plan)
    return Scenario(tuple(plans), tuple(incidents), name="demo")


def _lot(fleet: Fleet, device: FleetDevice) -> CirclePlace:
    lot = fleet.lot_of(device.counterparty)
    if lot is None:
        raise ValueError(f"{device.key}: counterparty {device.counterparty!r} has no lot")
    return lot


def _stall(lot: CirclePlace, seed: int) -> LatLon:
    """A parking stall in the lot, well inside its edge (different for each car)."""
    return destination(
        lot.centre, (seed * 137.5) % 360.0, lot.radius_m * (0.15 + 0.05 * (seed % 6))
    )


def _silent_pawn_visit(device: FleetDevice, seed: int) -> tuple[VehiclePlan, list[Incident]]:
    start, pawn_shop = LatLon(22.5505, 114.0697), LatLon(22.5505, 114.0716)
    return silent_visit(
        device.key,
        device.vin,
        place="pawn-zone",
        path_in=[start, pawn_shop],
        path_out=[pawn_shop, LatLon(22.5505, 114.0688), LatLon(22.5488, 114.0688)],
        visit_s=10.0,
        silent_at_s=7.0,
        resume_at_s=45.0,
        seed=seed,
        interval_s=device.report_interval_s,
    )


def _ordinary(fleet: Fleet, device: FleetDevice, seed: int) -> VehiclePlan:
    """Dealer stock stands or is moved about inside the lot; a borrower drives around town."""
    lot = fleet.lot_of(device.counterparty)
    interval = device.report_interval_s
    if lot is not None and seed % 2:
        return roaming(
            device.key, device.vin, centre=lot.centre, radius_m=lot.radius_m * 0.4,
            block_m=40.0, seed=seed, park_s=(20.0, 90.0), first_park_s=10.0, interval_s=interval,
            style=LOT_MANOEUVRING,
        )  # fmt: skip
    if lot is not None:
        return parked(device.key, device.vin, at=_stall(lot, seed), seed=seed, interval_s=interval)
    home = fleet.addresses[device.counterparty]
    return roaming(
        device.key, device.vin, centre=home, radius_m=800.0, seed=seed, interval_s=interval
    )
