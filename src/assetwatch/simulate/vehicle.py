"""A kinematic model of a car following an itinerary of drives and parking stops.

The model is pure: :meth:`SimulatedVehicle.fix_at` depends only on the elapsed simulated time
and the constructor arguments (seeded randomness, no clock, no I/O). Motion is planned as
pieces of constant acceleration: the car accelerates from standstill, cruises at an urban
speed, slows for turns, stops at red lights (ignition on) and parks at the end of a drive
(ignition off).

Units: seconds, metres, m/s inside; km/h, degrees and kilometres in :class:`Fix`.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count

from assetwatch.simulate.routes import LatLon, Route, offset, seeded_rng

SIMULATION_EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
"""Default time of ``t = 0``; the real-time runner re-bases fixes onto the wall clock."""

_KMH = 3.6
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class Fix:
    """What a tracker measures at one instant.

    ``time`` is timezone-aware UTC; ``course`` degrees clockwise from north; ``mileage_km``
    the odometer.
    """

    lat: float
    lon: float
    speed_kmh: float
    course: float
    ignition: bool
    mileage_km: float
    time: datetime

    @property
    def position(self) -> LatLon:
        return LatLon(self.lat, self.lon)


@dataclass(frozen=True, slots=True)
class Drive:
    """Drive ``route`` from its start to its end, starting and ending at standstill."""

    route: Route


@dataclass(frozen=True, slots=True)
class Park:
    """Stand still for ``duration_s`` seconds (``math.inf`` for good)."""

    duration_s: float
    ignition: bool = False


Stint = Drive | Park


@dataclass(frozen=True, slots=True)
class DrivingStyle:
    """How a driver drives in town. Speeds km/h, accelerations m/s², times s."""

    cruise_kmh: tuple[float, float] = (30.0, 60.0)
    turn_kmh: float = 15.0
    accel_mps2: float = 1.8
    brake_mps2: float = 2.5
    red_light_probability: float = 0.3
    red_light_s: tuple[float, float] = (5.0, 25.0)

    @property
    def max_speed_kmh(self) -> float:
        return max(self.cruise_kmh)


@dataclass(frozen=True, slots=True)
class _Phase:
    """A piece of constant acceleration (or standstill) on a route."""

    start_s: float
    duration_s: float
    route: Route
    along0_m: float
    speed0_mps: float
    accel_mps2: float
    ignition: bool
    odometer0_m: float
    course_deg: float | None = None  # standing still: the heading it arrived with

    @property
    def end_s(self) -> float:
        return self.start_s + self.duration_s

    def along_at(self, tau: float) -> float:
        return self.along0_m + self.speed0_mps * tau + 0.5 * self.accel_mps2 * tau * tau

    def speed_at(self, tau: float) -> float:
        return max(0.0, self.speed0_mps + self.accel_mps2 * tau)


class SimulatedVehicle:
    """A car that follows an itinerary of :class:`Drive` and :class:`Park` stints.

    The itinerary may be infinite; it is planned lazily as far as it is queried, and always in
    the same order, so the result does not depend on the order of queries.

    Parameters
    ----------
    itinerary
        Stints in order. Before the first drive the car stands at that drive's start.
    seed
        Seeds every random choice (cruise speeds, red lights, GPS noise).
    epoch
        The time of ``t = 0`` (UTC).
    odometer_km
        Odometer reading at ``t = 0``.
    gps_jitter_m
        Standard deviation of the GPS noise added to positions, metres (0 for exact).
    """

    def __init__(
        self,
        itinerary: Iterable[Stint],
        *,
        seed: int = 0,
        epoch: datetime = SIMULATION_EPOCH,
        odometer_km: float = 0.0,
        style: DrivingStyle | None = None,
        gps_jitter_m: float = 2.0,
    ):
        self.seed = seed
        self.epoch = epoch
        self.style = style or DrivingStyle()
        self.gps_jitter_m = gps_jitter_m
        self._rng = seeded_rng(seed)
        self._pending: list[Stint] = []
        self._stints: Iterator[Stint] = iter(itinerary)
        self._phases: list[_Phase] = []
        self._starts: list[float] = []
        self._odometer_m = odometer_km * 1000.0
        self._route, self._along = self._first_place()
        self._clock_s = 0.0
        self._exhausted = False

    def _first_place(self) -> tuple[Route, float]:
        for stint in self._stints:
            self._pending.append(stint)
            if isinstance(stint, Drive):
                return stint.route, 0.0
        raise ValueError("an itinerary needs at least one Drive (use parked_at for none)")

    @classmethod
    def parked_at(
        cls,
        where: LatLon,
        *,
        seed: int = 0,
        epoch: datetime = SIMULATION_EPOCH,
        odometer_km: float = 0.0,
        gps_jitter_m: float = 2.0,
    ) -> SimulatedVehicle:
        """A car that never moves (ignition off), e.g. stock in a showroom."""
        return cls(
            [Drive(Route([where])), Park(math.inf)],
            seed=seed,
            epoch=epoch,
            odometer_km=odometer_km,
            gps_jitter_m=gps_jitter_m,
        )

    def fix_at(self, t: float) -> Fix:
        """The fix at ``t`` seconds after the epoch (clamped at 0)."""
        t = max(t, 0.0)
        self._plan_until(t)
        i = bisect_right(self._starts, t) - 1
        if i < 0 or t >= self._phases[i].end_s:
            return self._parked_fix(t)
        phase = self._phases[i]
        tau = t - phase.start_s
        along = phase.along_at(tau)
        point, course = phase.route.position_at(along)
        if phase.course_deg is not None:
            course = phase.course_deg
        return self._fix(
            point,
            t,
            speed_mps=phase.speed_at(tau),
            course=course,
            ignition=phase.ignition,
            odometer_m=phase.odometer0_m + along - phase.along0_m,
        )

    def track(self, until_s: float, step_s: float = 1.0) -> list[Fix]:
        """Fixes every ``step_s`` seconds from 0 to ``until_s`` inclusive."""
        steps = int(until_s / step_s + _EPS)
        return [self.fix_at(k * step_s) for k in range(steps + 1)]

    def _parked_fix(self, t: float) -> Fix:
        """After the end of a finite itinerary: parked where it ended, ignition off."""
        point, course = self._route.position_at(self._along)
        return self._fix(
            point, t, speed_mps=0.0, course=course, ignition=False, odometer_m=self._odometer_m
        )

    def _fix(
        self,
        point: LatLon,
        t: float,
        *,
        speed_mps: float,
        course: float,
        ignition: bool,
        odometer_m: float,
    ) -> Fix:
        if self.gps_jitter_m > 0:
            noise = seeded_rng(self.seed * 1_000_003 + round(t * 1000))
            point = offset(
                point,
                north_m=noise.gauss(0.0, self.gps_jitter_m),
                east_m=noise.gauss(0.0, self.gps_jitter_m),
            )
        return Fix(
            lat=point.lat,
            lon=point.lon,
            speed_kmh=speed_mps * _KMH,
            course=course,
            ignition=ignition,
            mileage_km=odometer_m / 1000.0,
            time=self.epoch + timedelta(seconds=t),
        )

    def _plan_until(self, t: float) -> None:
        while self._clock_s <= t and not self._exhausted:
            stint = self._pending.pop(0) if self._pending else next(self._stints, None)
            if stint is None:
                self._exhausted = True
            elif isinstance(stint, Park):
                self._add_park(stint)
            else:
                self._add_drive(stint.route)

    def _append(self, phase: _Phase) -> None:
        if phase.duration_s > _EPS:
            self._phases.append(phase)
            self._starts.append(phase.start_s)
            self._clock_s = phase.end_s

    def _add_park(self, park: Park) -> None:
        self._append(self._standstill(park.duration_s, ignition=park.ignition))
        if math.isinf(park.duration_s):
            self._exhausted = True

    def _standstill(self, duration_s: float, *, ignition: bool) -> _Phase:
        _, arrived_heading = self._route.position_at(self._along - 0.5)
        return _Phase(
            start_s=self._clock_s,
            duration_s=duration_s,
            route=self._route,
            along0_m=self._along,
            speed0_mps=0.0,
            accel_mps2=0.0,
            ignition=ignition,
            odometer0_m=self._odometer_m,
            course_deg=arrived_heading,
        )

    def _add_drive(self, route: Route) -> None:
        self._route, self._along = route, 0.0
        limits = _vertex_speed_limits(route, self.style, self._rng)
        speeds = _feasible_speeds(route, limits, self.style)
        vertex_along = 0.0
        for k, length in enumerate(route.segment_lengths_m):
            cruise = self._rng.uniform(*self.style.cruise_kmh) / _KMH
            speed = speeds[k]
            for duration, accel in _segment_profile(
                length, speed, speeds[k + 1], cruise, self.style
            ):
                phase = _Phase(
                    start_s=self._clock_s,
                    duration_s=duration,
                    route=route,
                    along0_m=self._along,
                    speed0_mps=speed,
                    accel_mps2=accel,
                    ignition=True,
                    odometer0_m=self._odometer_m,
                )
                self._append(phase)
                travelled = phase.along_at(duration) - phase.along0_m
                self._along += travelled
                self._odometer_m += travelled
                speed = phase.speed_at(duration)
            vertex_along += length
            self._along = vertex_along  # no drift of float sums
            if 0 < k + 1 < len(speeds) - 1 and speeds[k + 1] == 0.0:
                dwell = self._rng.uniform(*self.style.red_light_s)
                self._append(self._standstill(dwell, ignition=True))


def _vertex_speed_limits(route: Route, style: DrivingStyle, rng: random.Random) -> list[float]:
    """Speed limit at each vertex, m/s: 0 at both ends and at red lights, slow for turns."""
    cruise = style.max_speed_kmh / _KMH
    limits = [0.0]
    for angle in route.turn_angles_deg():
        if rng.random() < style.red_light_probability:
            limits.append(0.0)
        elif angle > 30.0:
            limits.append(style.turn_kmh / _KMH)
        else:
            limits.append(cruise)
    limits.append(0.0)
    return limits if len(route.points) > 1 else [0.0]


def _feasible_speeds(route: Route, limits: list[float], style: DrivingStyle) -> list[float]:
    """Vertex speeds reachable under the acceleration and braking limits (two passes)."""
    lengths = route.segment_lengths_m
    v = list(limits)
    for k in range(len(lengths) - 1, -1, -1):
        v[k] = min(v[k], math.sqrt(v[k + 1] ** 2 + 2 * style.brake_mps2 * lengths[k]))
    for k, length in enumerate(lengths):
        v[k + 1] = min(v[k + 1], math.sqrt(v[k] ** 2 + 2 * style.accel_mps2 * length))
    return v


def _segment_profile(
    length: float, v_in: float, v_out: float, cruise: float, style: DrivingStyle
) -> list[tuple[float, float]]:
    """(duration s, acceleration m/s²) pieces covering ``length`` from ``v_in`` to ``v_out``.

    Trapezoidal: accelerate to ``cruise``, hold it, brake; triangular if the segment is too
    short to reach the cruise speed.
    """
    a, b = style.accel_mps2, style.brake_mps2
    peak = max(cruise, v_in, v_out)
    d_acc = (peak**2 - v_in**2) / (2 * a)
    d_dec = (peak**2 - v_out**2) / (2 * b)
    if d_acc + d_dec > length:
        peak = math.sqrt((2 * a * b * length + b * v_in**2 + a * v_out**2) / (a + b))
        peak = max(peak, v_in, v_out)
        d_acc = (peak**2 - v_in**2) / (2 * a)
        d_dec = (peak**2 - v_out**2) / (2 * b)
    pieces = [((peak - v_in) / a, a)]
    cruise_m = length - d_acc - d_dec
    if cruise_m > _EPS and peak > _EPS:
        pieces.append((cruise_m / peak, 0.0))
    pieces.append(((peak - v_out) / b, -b))
    return [(d, acc) for d, acc in pieces if d > _EPS]


def shuttle_itinerary(
    route: Route,
    *,
    seed: int,
    park_s: tuple[float, float] = (60.0, 300.0),
    first_park_s: float = 0.0,
) -> Iterator[Stint]:
    """Forever: park, drive ``route``, park, drive it back, ... (random parking times)."""
    rng = seeded_rng(seed ^ 0x5EED)
    if first_park_s > 0:
        yield Park(first_park_s)
    back = route.reversed()
    for lap in count():
        yield Drive(route if lap % 2 == 0 else back)
        yield Park(rng.uniform(*park_s))
