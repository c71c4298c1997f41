"""Simulated fleets that speak the real device protocols, for demos, tests and benchmarks.

* :mod:`~assetwatch.simulate.routes`: road-like routes on street grids;
* :mod:`~assetwatch.simulate.vehicle`: a pure kinematic car model (:class:`SimulatedVehicle`);
* :mod:`~assetwatch.simulate.jt808_client`: a JT/T 808 terminal over real TCP
  (:class:`Jt808Terminal`) that retransmits and backfills like real hardware;
* :mod:`~assetwatch.simulate.gt06_client`: a GT06 tracker connection (:class:`Gt06Tracker`);
* :mod:`~assetwatch.simulate.scenario`: scripted incidents on a timeline;
* :mod:`~assetwatch.simulate.fleet`: the demo fleet (``demo_fleet.yaml``) and its scenario;
* :mod:`~assetwatch.simulate.runner`: :func:`run_fleet` in real time and :func:`run_load`.
"""

from assetwatch.simulate.events import EventCallback, SimulationEvent
from assetwatch.simulate.fleet import (
    Fleet,
    demo_fleet_path,
    demo_fleet_yaml,
    demo_scenario,
    load_fleet,
)
from assetwatch.simulate.gt06_client import Gt06Tracker
from assetwatch.simulate.jt808_client import Jt808Terminal, TerminalMetrics, TerminalSettings
from assetwatch.simulate.jt808_link import TerminalIdentity
from assetwatch.simulate.load import LoadStats, load_phone
from assetwatch.simulate.routes import LatLon, Route, route_through, street_grid_route
from assetwatch.simulate.runner import SimulationStats, run_fleet, run_load
from assetwatch.simulate.scenario import Incident, IncidentKind, Scenario, VehiclePlan
from assetwatch.simulate.vehicle import Fix, SimulatedVehicle

__all__ = [
    "EventCallback",
    "Fix",
    "Fleet",
    "Gt06Tracker",
    "Incident",
    "IncidentKind",
    "Jt808Terminal",
    "LatLon",
    "LoadStats",
    "Route",
    "Scenario",
    "SimulatedVehicle",
    "SimulationEvent",
    "SimulationStats",
    "TerminalIdentity",
    "TerminalMetrics",
    "TerminalSettings",
    "VehiclePlan",
    "demo_fleet_path",
    "demo_fleet_yaml",
    "demo_scenario",
    "load_fleet",
    "load_phone",
    "route_through",
    "run_fleet",
    "run_load",
    "street_grid_route",
]
