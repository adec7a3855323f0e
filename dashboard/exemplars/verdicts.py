"""The finder's answer in words: each exemplar with its reason, each near miss with one sentence
saying why it missed and what the rule needs, and which bars the composite chart shows.

Everything here reads the rule's public output (:func:`dashboard.exemplars.rule.evaluate`'s
frame: ``cond_*`` columns, ``failed``, ``reason``, ``composite_rank``) and the rule's own words
(:meth:`~dashboard.exemplars.rule.ExemplarRule.requirement`), so when the rule changes its
tests or its wording, the sentences follow. Pure functions: text and frames, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from dashboard.common.text import markdown
from dashboard.exemplars.rule import CONDITIONS, ExemplarRule

__all__ = [
    "TOP_BARS",
    "BARS_PAST_CUT",
    "failed_conditions",
    "missed_sentence",
    "top_cut_rank",
    "ranking_rows",
    "summary_sentence",
    "answer_markdown",
    "near_miss_markdown",
    "interval_rows",
]

TOP_BARS = 15  # the composite chart always shows at least the best 15 councils...
BARS_PAST_CUT = 5  # ...and five past the top-share cut, so the councils just outside it show
FAILED_ORDER = ("cond_complete", "cond_top", "cond_improving", "cond_maturity")  # as the rule's failed text


def failed_conditions(row: Mapping[Any, Any]) -> list[str]:
    """The rule's conditions ``row`` fails, in the order the rule's ``failed`` text lists them
    (completeness or level first, then improvement, then maturity); "top" is left out when
    "complete" fails (an incomplete council has no rank to judge)."""
    order = sorted(CONDITIONS, key=lambda c: FAILED_ORDER.index(c) if c in FAILED_ORDER else len(FAILED_ORDER))
    failed = [c for c in order if not bool(row.get(c, True))]
    if "cond_complete" in failed and "cond_top" in failed:
        failed.remove("cond_top")
    return failed


def missed_sentence(row: Mapping[Any, Any], rule: ExemplarRule) -> str:
    """Why a council is not an exemplar, in one sentence: the rule's own account of what failed
    (``failed``) and what the rule needs instead, e.g. "Missed: composite fell by 0.011 over 3
    periods (the rule needs composite not lower than 3 periods ago and more indicators improving
    than worsening)." Empty for an exemplar. Plain text (escape it for Markdown)."""
    conditions = failed_conditions(row)
    if not conditions:
        return ""
    needs = " and ".join(rule.requirement(c) for c in conditions)
    what = str(row.get("failed") or "").strip() or "a condition of the rule is not met"
    return f"Missed: {what} (the rule needs {needs})."


def top_cut_rank(table: pd.DataFrame) -> int:
    """The worst composite rank inside the rule's top share (``cond_top``), 0 when no council is."""
    inside = table.loc[table["cond_top"].astype(bool), "composite_rank"]
    return int(inside.max()) if len(inside) else 0


def ranking_rows(table: pd.DataFrame, council: str | None = None, show_all: bool = False) -> pd.DataFrame:
    """The ranked councils the composite chart shows: the top of the group (at least
    :data:`TOP_BARS`, and :data:`BARS_PAST_CUT` past the rule's top-share cut) and ``council``
    wherever it ranks; every ranked council when ``show_all``. Best first."""
    ranked = table[table["composite"].notna()].sort_values(["composite_rank", "authority_code"])
    if show_all:
        return ranked.reset_index(drop=True)
    reach = max(TOP_BARS, top_cut_rank(table) + BARS_PAST_CUT)
    keep = (ranked["composite_rank"] <= reach) | (ranked["authority_code"] == council)
    return ranked[keep].reset_index(drop=True)


def _council_heading(row: Mapping[Any, Any], names: Mapping[str, str]) -> str:
    """ "**Name**" with the name escaped (the reason that follows gives the rank)."""
    code = str(row["authority_code"])
    return f"**{markdown(names.get(code, code))}**"


def summary_sentence(table: pd.DataFrame, misses: pd.DataFrame) -> str:
    """The finder's answer in one line: how many exemplars and near misses among how many ranked
    councils, and how many were not ranked for incomplete data (Markdown, numbers only)."""
    ranked = int(table["composite"].notna().sum())
    exemplars = int(table["is_exemplar"].sum())
    unranked = len(table) - ranked
    return (
        f"**{exemplars} exemplar{'s' if exemplars != 1 else ''}** and {len(misses)} near "
        f"miss{'es' if len(misses) != 1 else ''} among {ranked} ranked councils; {len(table)} councils in "
        f"the group, {unranked} not ranked for incomplete data."
    )


def answer_markdown(exemplars: pd.DataFrame, names: Mapping[str, str]) -> str:
    """The exemplars as a numbered Markdown list, best first: name and the rule's reason in full
    (which gives the rank). Every piece of data is escaped."""
    items = [
        f"{n}. {_council_heading(row, names)}: {markdown(row['reason'])}"
        for n, row in enumerate(exemplars.sort_values("composite_rank").to_dict("records"), start=1)
    ]
    return "\n".join(items)


def near_miss_markdown(misses: pd.DataFrame, names: Mapping[str, str], rule: ExemplarRule) -> str:
    """The near misses as a Markdown list, best first: name and rank, why it missed (one
    sentence), then the rule's reason in full. Every piece of data is escaped."""
    items = [
        f"- {_council_heading(row, names)}: {markdown(missed_sentence(row, rule))}  \n"
        f"  Where it stands: {markdown(row['reason'])}"
        for row in misses.sort_values(["composite_rank", "authority_code"]).to_dict("records")
    ]
    return "\n".join(items)


def interval_rows(table: pd.DataFrame, misses: pd.DataFrame, names: Mapping[str, str]) -> pd.DataFrame:
    """The rank-stability figure's rows: the exemplars, then the near misses, each with its
    short name, status, rank, resampled rank interval and share of draws in the top share.

    Columns: authority_code, short_name, status ("Exemplar" / "Near miss"), composite_rank,
    n_composite, rank_p05, rank_p95, top_share_draws. Rows without a resampled interval are left out.
    """
    columns = ["authority_code", "composite_rank", "n_composite", "rank_p05", "rank_p95", "top_share_draws"]
    exemplars = table.loc[table["is_exemplar"].astype(bool), columns].assign(status="Exemplar")
    near = misses[columns].assign(status="Near miss") if not misses.empty else exemplars.iloc[0:0]
    rows = pd.concat([exemplars, near], ignore_index=True).dropna(subset=["rank_p05", "rank_p95"])
    rows["short_name"] = rows["authority_code"].map(lambda c: names.get(c, c))
    ordered = ["authority_code", "short_name", "status", *columns[1:]]
    return rows.sort_values(["composite_rank", "authority_code"])[ordered].reset_index(drop=True)
