"""The fleet the command tests run against."""

from __future__ import annotations

from dataclasses import dataclass

T0 = 1_780_000_000_000  # a fixed "now" (epoch ms)

FLEET = """
tenant: bank-a
assets:
  - {key: LSVAU2180N2183294, kind: vehicle}
devices:
  - {key: "013912345678", protocol: jt808, asset: LSVAU2180N2183294}
  - {key: "013900000002", protocol: jt808}
  - {key: "013900000003", protocol: jt808, status: revoked}
"""


@dataclass
class Clock:
    now: int = T0

    def __call__(self) -> int:
        return self.now
