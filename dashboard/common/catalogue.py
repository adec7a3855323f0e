"""The indicator catalogue read a bounded piece at a time: counts, themes and searchable menus.

No page reads "every indicator" to fill a menu: a warehouse may hold a million of them. A menu is
at most :data:`dashboard.common.limits.MENU_LIMIT` rows of the indicators matching a search
(:func:`indicator_menu`), always with the indicator already chosen, so any indicator can be
reached by searching and a link to one keeps working.
"""

from __future__ import annotations

import pandas as pd

from dashboard.warehouse import Warehouse

__all__ = ["indicator_count", "indicator_menu", "indicator_themes"]


def indicator_count(wh: Warehouse, theme: str | None = None) -> int:
    """How many indicators the warehouse holds (in ``theme`` only, when given)."""
    return int(wh.query("indicator_count", theme=theme or "")["indicators"].iloc[0])


def indicator_themes(wh: Warehouse) -> list[str]:
    """The indicator themes in alphabetical order."""
    return wh.query("indicator_themes")["theme"].tolist()


def indicator_menu(wh: Warehouse, find: str, current: str | None, limit: int) -> pd.DataFrame:
    """Up to ``limit`` indicators whose name, theme or code contains ``find`` (any case; "" for
    all), in theme order, plus ``current`` when it exists. Columns as ``indicator_list``:
    indicator_id, name, theme, unit, polarity, description, source, decimals, polarity_reason,
    source_url, and matched (False for ``current`` when it does not match)."""
    return wh.query("indicator_menu", find=find, current=current or "", limit=limit)
