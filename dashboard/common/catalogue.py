"""The indicator catalogue read a bounded piece at a time: counts, themes and searchable menus.

No page reads "every indicator" to fill a menu: a warehouse may hold a million of them. A menu is
at most :data:`dashboard.common.limits.MENU_LIMIT` rows of the indicators matching a search
(:func:`indicator_menu`), always with the indicator already chosen, so any indicator can be
reached by searching and a link to one keeps working.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.warehouse import Warehouse

__all__ = ["indicator_count", "indicator_menu", "indicator_themes"]


def indicator_count(wh: Warehouse, theme: str | None = None, rankable_only: bool = False) -> int:
    """How many indicators the warehouse holds (in ``theme`` only, when given; only those where
    higher or lower is better, when ``rankable_only``)."""
    frame = wh.query("indicator_count", theme=theme or "", rankable_only=rankable_only)
    return int(frame["indicators"].iloc[0])


def indicator_themes(wh: Warehouse) -> list[str]:
    """The indicator themes in alphabetical order."""
    return wh.query("indicator_themes")["theme"].tolist()


def indicator_menu(
    wh: Warehouse, find: str, chosen: Sequence[str], limit: int, rankable_only: bool = False
) -> pd.DataFrame:
    """Up to ``limit`` indicators whose name, theme or code contains ``find`` (any case; "" for
    all), in theme order, plus every one of ``chosen`` that exists; only those where higher or
    lower is better when ``rankable_only``. Columns as ``indicator_list``: indicator_id, name,
    theme, unit, polarity, description, source, decimals, polarity_reason, source_url, and
    matched (False for a chosen one that does not match)."""
    return wh.query("indicator_menu", find=find, chosen=list(chosen), limit=limit, rankable_only=rankable_only)
