"""Time series across reorganisations: a successor council's history from its predecessors.

Before a successor existed (Buckinghamshire 2020, North Yorkshire 2023...), its series can be
continued with its predecessors' values, **marked as derived**:

- ``sum`` indicators (counts, totals): the predecessors' values added up;
- ``mean`` indicators (rates, shares): the population-weighted mean of the predecessors'
  values (weights: the register's populations; if one is unknown, no value is derived);
- indicators without an ``aggregation`` are never derived.

Which predecessors: those the register says were replaced by the successor. In a two-tier area
a county and its districts cover the same ground, so they are never added together: the
predecessors are split into the lower tier (districts and unitaries) and the upper tier
(counties and unitaries), and the first of the two in which **every** member has a value in the
period is used (lower first). A predecessor split between several successors (Cumbria county,
Northamptonshire county) cannot be apportioned, so a tier containing one is not used. A
predecessor that itself did not exist yet is derived from its own predecessors the same way.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.common.register import belongs_to_period, to_date
from dashboard.warehouse import Warehouse

__all__ = [
    "SeriesPoint",
    "derive_series",
    "predecessors_of",
    "successor_series",
    "with_predecessors",
    "former_councils",
    "successor_notice",
    "indicator_aggregation",
    "has_predecessors",
    "trend_with_predecessors",
    "newest_successor",
]

LOWER_TIERS = ("district", "unitary")  # tiers that together cover an area once, bottom up
UPPER_TIERS = ("county", "unitary")  # ... and top down


@dataclass(frozen=True)
class SeriesPoint:
    """A value in one period, the councils it came from, and their combined population."""

    value: float
    population: float | None
    contributors: tuple[str, ...]


def predecessors_of(authorities: pd.DataFrame) -> dict[str, list[str]]:
    """Successor code -> the codes the register says it replaced (sorted)."""
    found: dict[str, list[str]] = {}
    for code, successors in zip(authorities["authority_code"], authorities["successor_codes"], strict=True):
        for successor in list(successors) if successors is not None else []:
            found.setdefault(successor, []).append(code)
    return {k: sorted(v) for k, v in found.items()}


class _Deriver:
    """Recursive look-ups over one indicator's values (see the module docstring)."""

    def __init__(self, authorities: pd.DataFrame, values: pd.DataFrame, aggregation: str) -> None:
        facts = authorities.set_index("authority_code")
        self.tier = facts["tier"].to_dict()
        self.start = {k: to_date(v) for k, v in facts["start_date"].items()}
        self.end = {k: to_date(v) for k, v in facts["end_date"].items()}
        self.population = {k: (None if pd.isna(v) else float(v)) for k, v in facts["population"].items()}
        self.successor_count = {k: len(list(v)) if v is not None else 0 for k, v in facts["successor_codes"].items()}
        self.predecessors = predecessors_of(authorities)
        known = values.dropna(subset=["value"])
        self.values = {
            (c, p): float(v) for c, p, v in zip(known["authority_code"], known["period"], known["value"], strict=True)
        }
        self.aggregation = aggregation

    def belongs(self, code: str, period: str, start: dt.date, end: dt.date) -> bool:
        """True when ``code`` belongs to the period by the one existence rule (it existed then, or
        the data reports a value for it then)."""
        reported = (code, period) in self.values
        return belongs_to_period(self.start.get(code), self.end.get(code), start, end, reported=reported)

    def point(self, code: str, period: str, start: dt.date, end: dt.date) -> SeriesPoint | None:
        """The council's own value, or (if it did not exist then) one derived from predecessors."""
        if (code, period) in self.values:
            return SeriesPoint(self.values[(code, period)], self.population.get(code), (code,))
        if self.belongs(code, period, start, end):
            return None  # it existed and has no value: nothing to derive
        return self.derived(code, period, start, end)

    def derived(self, code: str, period: str, start: dt.date, end: dt.date) -> SeriesPoint | None:
        """A value for ``code`` in ``period`` combined from its predecessors, or None."""
        predecessors = self.predecessors.get(code, [])
        lower = [p for p in predecessors if self.tier.get(p) in LOWER_TIERS]
        upper = [p for p in predecessors if self.tier.get(p) in UPPER_TIERS]
        candidates = [lower]
        if any(self.tier.get(p) == "county" for p in upper):  # a distinct top-down cover
            candidates.append(upper)
        for members in candidates:
            found = self._combine(members, period, start, end)
            if found is not None:
                return found
        return None

    def _combine(self, members: list[str], period: str, start: dt.date, end: dt.date) -> SeriesPoint | None:
        if not members or any(self.successor_count.get(m, 0) > 1 for m in members):
            return None
        points = []
        for member in members:
            found = self.point(member, period, start, end)
            if found is None:
                return None
            points.append(found)
        weights = [p.population for p in points if p.population is not None]
        total_population = sum(weights) if len(weights) == len(points) else None
        contributors = tuple(c for p in points for c in p.contributors)
        if self.aggregation == "sum":
            return SeriesPoint(sum(p.value for p in points), total_population, contributors)
        if total_population is None or total_population <= 0:
            return None  # a weighted mean needs every weight
        value = sum(p.value * w for p, w in zip(points, weights, strict=True)) / total_population
        return SeriesPoint(value, total_population, contributors)


def derive_series(
    authorities: pd.DataFrame, values: pd.DataFrame, periods: pd.DataFrame, successor: str, aggregation: str | None
) -> pd.DataFrame:
    """The successor's series in every period of ``periods``: its own values, and derived ones
    before it existed (see the module docstring).

    ``authorities``: authority_code, short_name, tier, start_date, end_date, population,
    successor_codes. ``values``: authority_code, period, value. ``periods``: period,
    period_start, period_end. Returns period, period_start, value, derived, contributors
    (names of the predecessor councils used, "" for own values), one row per period with a value.
    """
    columns = ["period", "period_start", "value", "derived", "contributors"]
    deriver = _Deriver(authorities, values, aggregation or "")
    names = dict(zip(authorities["authority_code"], authorities["short_name"], strict=True))
    rows = []
    for period, start, end in zip(periods["period"], periods["period_start"], periods["period_end"], strict=True):
        start_day, end_day = to_date(start), to_date(end)
        if start_day is None or end_day is None:  # every period in the warehouse has both dates
            continue
        if (successor, period) in deriver.values:
            rows.append((period, start, deriver.values[(successor, period)], False, ""))
            continue
        if aggregation not in ("sum", "mean") or deriver.belongs(successor, period, start_day, end_day):
            continue
        found = deriver.derived(successor, period, start_day, end_day)
        if found is not None:
            rows.append(
                (period, start, found.value, True, ", ".join(sorted(names.get(c, c) for c in found.contributors)))
            )
    return pd.DataFrame(rows, columns=columns)


def _codes_behind(predecessors: dict[str, list[str]], code: str) -> list[str]:
    """The council and every predecessor behind it, however many reorganisations back."""
    seen, todo = [], [code]
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.append(current)
            todo.extend(predecessors.get(current, []))
    return seen


def successor_series(wh: Warehouse, council: str, indicator: str, aggregation: str | None) -> pd.DataFrame:
    """:func:`derive_series` for ``council`` and ``indicator`` read from the warehouse."""
    authorities = wh.query("reorg_authorities")
    codes = _codes_behind(predecessors_of(authorities), council)
    values = wh.query("reorg_values", indicator=indicator, codes=codes)
    periods = wh.query("indicator_periods_all", indicator=indicator)
    return derive_series(authorities, values, periods, council, aggregation)


def indicator_aggregation(wh: Warehouse, indicator: str) -> str | None:
    """The indicator's ``aggregation`` (sum, mean) or None when it has none."""
    frame = wh.query("indicator_aggregation", indicator=indicator)
    if frame.empty or pd.isna(frame["aggregation"].iloc[0]):
        return None
    return str(frame["aggregation"].iloc[0])


def with_predecessors(trend: pd.DataFrame, series: pd.DataFrame) -> pd.DataFrame:
    """A peer trend frame (``period``, ``council_value``...) with derived values filled in where
    the council has none, and a ``council_derived_from`` column naming the predecessors."""
    derived = series[series["derived"]].set_index("period")
    out = trend.copy()
    fill = out["period"].map(derived["value"])
    use = out["council_value"].isna() & fill.notna()
    out.loc[use, "council_value"] = fill[use]
    if "council_status" in out:
        out.loc[use, "council_status"] = "derived from predecessors"
    out["council_derived_from"] = out["period"].map(derived["contributors"]).where(use, "")
    return out


def trend_with_predecessors(
    wh: Warehouse, trend: pd.DataFrame, council: str, indicator: str
) -> tuple[pd.DataFrame, str]:
    """A page's peer trend with the council's predecessors' history filled in where it has no
    value, and a sentence saying which periods are derived ("" when none are)."""
    series = successor_series(wh, council, indicator, indicator_aggregation(wh, indicator))
    filled = with_predecessors(trend, series)
    derived = filled[filled["council_derived_from"] != ""]
    if derived.empty:
        return filled, ""
    names = sorted({n.strip() for text in derived["council_derived_from"] for n in text.split(",")})
    periods = derived["period"].tolist()
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    return filled, (
        f"Values for {span} are derived from the predecessor councils ({', '.join(names)}), "
        "not published for this council; status 'derived from predecessors'."
    )


def newest_successor(authorities: pd.DataFrame) -> str | None:
    """The successor council created most recently (its predecessors have the fullest facts)."""
    successors = authorities[authorities["authority_code"].isin(predecessors_of(authorities))]
    if successors.empty:
        return None
    ordered = successors.sort_values(["start_date", "authority_code"], ascending=[False, True], na_position="last")
    return str(ordered["authority_code"].iloc[0])


def has_predecessors(wh: Warehouse, council: str) -> bool:
    """True when the register says ``council`` replaced other councils."""
    return council in predecessors_of(wh.query("reorg_authorities"))


def former_councils(wh: Warehouse) -> pd.DataFrame:
    """Councils that no longer exist, newest abolition first, with a notice naming successors."""
    frame = wh.query("former_councils")
    frame["notice"] = [
        successor_notice(n, e, s)
        for n, e, s in zip(frame["short_name"], frame["end_date"], frame["successor_names"], strict=True)
    ]
    return frame


def successor_notice(name: str, end_date: Any, successors: Any) -> str:
    """``"Allerdale was abolished on 1 April 2023; its area is now served by Cumberland."``"""
    day = to_date(end_date)
    when = f" on {day.day} {day:%B %Y}" if day else ""
    names = [str(s) for s in (list(successors) if successors is not None else [])]
    if not names:
        return f"{name} no longer exists{when}; the register names no successor."
    joined = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"{name} was abolished{when}; its area is now served by {joined}."
