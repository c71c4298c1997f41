"""docs/security.md shows the role table of the code, not an older one."""

from __future__ import annotations

from pathlib import Path

from assetwatch.auth.roles import PERMISSIONS, ROLE_PERMISSIONS, ROLES

DOC = Path(__file__).parents[2] / "docs" / "security.md"


def test_the_documented_role_table_is_the_code() -> None:
    rows = [line for line in DOC.read_text().splitlines() if line.startswith("| `")]
    documented = {}
    for line in rows:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) == len(ROLES) + 1 and cells[0].strip("`") in PERMISSIONS:
            marks = zip(ROLES, cells[1:], strict=True)
            documented[cells[0].strip("`")] = {r for r, c in marks if c == "✓"}
    assert set(documented) == set(PERMISSIONS)
    for permission, roles in documented.items():
        assert roles == {r for r in ROLES if permission in ROLE_PERMISSIONS[r]}, permission
