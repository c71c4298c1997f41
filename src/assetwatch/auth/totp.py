"""TOTP second factor (RFC 6238: SHA-1, 6 digits, 30 s), each code accepted once.

A code is checked against the current step and one either side (clock drift); the step it
matched is stored, and a code of that step or an earlier one is refused, so a code seen over a
shoulder or in a log cannot be replayed.
"""

from __future__ import annotations

import hmac
from typing import Final

import pyotp

STEP_S: Final = 30
ISSUER: Final = "assetwatch"


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI an authenticator app scans."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def matching_step(secret: str, code: str, now_s: float, last_step: int | None) -> int | None:
    """The time step ``code`` is valid for (within +-1 step), if later than ``last_step``."""
    code = code.strip()
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    step = int(now_s // STEP_S)
    for candidate in (step - 1, step, step + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if hmac.compare_digest(totp.at(candidate * STEP_S), code):
            return candidate
    return None


def code_at(secret: str, now_s: float) -> str:
    """The code an authenticator shows at ``now_s`` (for tests and the CLI's check)."""
    return pyotp.TOTP(secret).at(int(now_s))
