"""The risk-point categories, and the names Chinese catalogues give them.

A leaf module (no imports from assetwatch) so that :mod:`assetwatch.places.models` can check
the category of a ``risk_point`` place without importing the risk-point domain.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

Category = Literal[
    "pawn_shop",
    "used_car_market",
    "scrapyard",
    "auction",
    "port",
    "border",
    "repair_shop",
    "custom",
]
CATEGORIES: Final[tuple[str, ...]] = get_args(Category)

CATEGORY_ALIASES: Final[dict[str, str]] = {
    "典当行": "pawn_shop",
    "典当": "pawn_shop",
    "当铺": "pawn_shop",
    "二手车市场": "used_car_market",
    "二手车": "used_car_market",
    "二手车交易市场": "used_car_market",
    "报废厂": "scrapyard",
    "报废车回收": "scrapyard",
    "拆车厂": "scrapyard",
    "废品站": "scrapyard",
    "拍卖行": "auction",
    "拍卖": "auction",
    "港口": "port",
    "码头": "port",
    "边境": "border",
    "口岸": "border",
    "修理厂": "repair_shop",
    "维修厂": "repair_shop",
    "汽修厂": "repair_shop",
    "其他": "custom",
    "自定义": "custom",
}
"""Exact names (after trimming) that mean a category; English names also accept ``-`` and
spaces for ``_`` and any letter case."""


def category_of(text: str) -> str | None:
    """The category ``text`` names (``"pawn_shop"``, ``"Pawn shop"``, ``"典当行"``), or
    ``None`` when it names none."""
    cleaned = text.strip()
    if cleaned in CATEGORY_ALIASES:
        return CATEGORY_ALIASES[cleaned]
    english = cleaned.lower().replace("-", "_").replace(" ", "_")
    return english if english in CATEGORIES else None
