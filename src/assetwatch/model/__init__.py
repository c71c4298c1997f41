"""Pure types used everywhere: observations, the alarm vocabulary, scopes."""

from assetwatch.model.alarms import AlarmCode
from assetwatch.model.observation import FixSource, Observation, ObservationKind
from assetwatch.model.scope import Scope

__all__ = ["AlarmCode", "FixSource", "Observation", "ObservationKind", "Scope"]
