"""The exemplar finder: composite score, completeness, improvement and the exemplar rule.

Everything is computed *within a peer group* (a list of authority codes) for one period. The
composite itself is computed in SQL (``dashboard/sql/exemplar_scores.sql``); this module chooses
the parameters, derives improvement from two periods, applies the exemplar rule and words the
reasons. The method is written up in ``docs/exemplar-method.md``.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_MIN_COMPLETENESS",
    "DEFAULT_K",
    "DEFAULT_TOP_SHARE",
    "Weights",
    "ExemplarRule",
    "GroupScores",
    "theme_slug",
    "rankable_indicators",
    "period_sequence",
    "base_period",
    "group_scores",
    "composite_scores",
    "improvement",
    "maturity_available",
    "peer_maturity",
    "evaluate",
    "near_misses",
    "theme_profile",
    "national_overview",
]

DEFAULT_MIN_COMPLETENESS = 0.75  # the default: a council must report 3 in 4 indicators
DEFAULT_K = 3  # periods to look back for improvement: long enough to see a trend, short enough to be current
DEFAULT_TOP_SHARE = 0.25  # "top quartile"
SCORE_COLUMNS = [  # per-council columns of exemplar_scores.sql
    "group_key",
    "period",
    "authority_code",
    "n_values",
    "n_applicable",
    "completeness",
    "raw_composite",
    "composite",
    "composite_rank",
    "n_composite",
]


def theme_slug(theme: str) -> str:
    """A URL-safe slug of a theme name (``w_<slug>`` is the theme weight's query key)."""
    return re.sub(r"[^a-z0-9]+", "-", theme.lower()).strip("-")


@dataclass(frozen=True)
class Weights:
    """Theme weights and indicator weights (missing entries weigh 1; 0 leaves a theme or
    indicator out). Within a council, indicator *i* of theme *t* counts
    ``theme[t] / sum(theme weights of themes where it has a value)``
    ``* indicator[i] / sum(indicator weights of its valued indicators in t)``."""

    theme: Mapping[str, float] = field(default_factory=dict)
    indicator: Mapping[str, float] = field(default_factory=dict)

    def as_params(self) -> dict[str, list]:
        """The weights as the SQL's parallel-list parameters (sorted; unlisted weigh 1)."""
        ids, themes = sorted(self.indicator), sorted(self.theme)
        return {  # a sentinel entry keeps each list typed when there is no weight to pass
            "weight_ids": ids or [""],
            "weight_values": [float(self.indicator[i]) for i in ids] or [1.0],
            "themes": themes or [""],
            "theme_weights": [float(self.theme[t]) for t in themes] or [1.0],
        }


@dataclass(frozen=True)
class ExemplarRule:
    """The exemplar rule's conditions; every default is the issue's."""

    top_share: float = DEFAULT_TOP_SHARE  # composite percentile rank >= 1 - top_share
    min_completeness: float = DEFAULT_MIN_COMPLETENESS
    k: int = DEFAULT_K
    require_improving: bool = True
    require_maturity: bool = True  # only applied when self-assessment results are available

    def describe(self) -> str:
        """The rule in one sentence (for captions and exports)."""
        parts = [
            f"composite in the top {self.top_share:.0%} of the peer group",
            f"completeness at least {self.min_completeness:.0%}",
        ]
        if self.require_improving:
            parts.append(
                f"improving over the last {self.k} periods (composite not lower than "
                f"{self.k} periods ago and more indicators improving than worsening)"
            )
        if self.require_maturity:
            parts.append("mean self-assessment maturity above the peer median (when available)")
        return "; ".join(parts)


@dataclass
class GroupScores:
    """What one peer group's scoring produced: per-council rows and per-indicator rows."""

    councils: pd.DataFrame  # one row per council: SCORE_COLUMNS
    values: pd.DataFrame  # one row per (council, indicator with a value) in the period
    period: str
    base_period: str | None
    base_values: pd.DataFrame  # the same, K periods ago (empty without a base period)
    base_councils: pd.DataFrame


def rankable_indicators(wh: Any) -> pd.DataFrame:
    """Indicators that can enter a composite (higher/lower polarity): id, name, theme, unit, polarity."""
    return wh.query("exemplar_indicators")


def period_sequence(wh: Any) -> list[str]:
    """Periods holding values, oldest first."""
    return wh.query("exemplar_periods")["period"].tolist()


def base_period(periods: Sequence[str], period: str, k: int) -> str | None:
    """The period ``k`` steps before ``period`` in ``periods`` (oldest first), or None."""
    if period not in periods or k < 1:
        return None
    at = list(periods).index(period) - k
    return periods[at] if at >= 0 else None


def group_scores(
    wh: Any,
    codes: Sequence[str],
    period: str,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    min_completeness: float = DEFAULT_MIN_COMPLETENESS,
    k: int = DEFAULT_K,
    groups: Sequence[str] | None = None,
    detail: bool = True,
) -> GroupScores:
    """Score the peer group ``codes`` in ``period`` and ``k`` periods before (one SQL query).

    ``indicators`` limits the indicator set (default: every rankable indicator). ``groups``
    (parallel to ``codes``) scores several peer groups at once, each within itself; the frames
    then carry each row's ``group_key`` (default: one group, key ""). ``detail=False`` fetches
    the per-council figures only (``values`` is then empty).
    """
    keys = list(groups) if groups is not None else [""] * len(codes)
    pairs = sorted(set(zip(codes, keys, strict=True)))
    weights = weights or Weights()
    chosen = sorted(set(indicators)) if indicators is not None else []
    base = base_period(period_sequence(wh), period, k) if k > 0 else None  # k = 0: no look back
    periods = [period] + ([base] if base else [])
    long = wh.query(
        "exemplar_scores",
        codes=[c for c, _ in pairs],
        group_keys=[g for _, g in pairs],
        periods=periods,
        indicator_ids=chosen or [""],
        all_indicators=indicators is None,
        **weights.as_params(),
        min_completeness=float(min_completeness),
        detail=bool(detail),
    )
    parts = {p: long[long["period"] == p] for p in periods} if base else {period: long}

    def councils(frame: pd.DataFrame, label: str) -> pd.DataFrame:
        out = frame.drop_duplicates(["group_key", "period", "authority_code"]) if detail else frame
        return _with_members(out[SCORE_COLUMNS].reset_index(drop=True), pairs, label)

    def values(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["indicator_id"].notna()].reset_index(drop=True) if detail else frame.iloc[0:0]

    now = parts[period]
    if base is None:  # nothing to compare with: empty frames of the same shape
        return GroupScores(
            councils=councils(now, period),
            values=values(now),
            period=period,
            base_period=None,
            base_values=now.iloc[0:0],
            base_councils=now.iloc[0:0][SCORE_COLUMNS],
        )
    return GroupScores(
        councils=councils(now, period),
        values=values(now),
        period=period,
        base_period=base,
        base_values=values(parts[base]),
        base_councils=councils(parts[base], base),
    )


def _with_members(councils: pd.DataFrame, pairs: Sequence[tuple[str, str]], period: str) -> pd.DataFrame:
    """Every member listed, even when no chosen indicator applies to its group (no rows at all)."""
    missing = sorted(set(pairs) - set(zip(councils["authority_code"], councils["group_key"], strict=True)))
    if not missing:
        return councils
    extra = pd.DataFrame(
        {
            "group_key": [g for _, g in missing],
            "period": period,
            "authority_code": [c for c, _ in missing],
            "n_values": 0,
            "n_applicable": 0,
            "completeness": 0.0,
        }
    )
    return pd.concat([councils, extra], ignore_index=True)


def composite_scores(
    wh: Any,
    codes: Sequence[str],
    period: str,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    min_completeness: float = DEFAULT_MIN_COMPLETENESS,
) -> pd.DataFrame:
    """Composite, completeness and rank of each council in the group ``codes`` in ``period``.

    Columns: authority_code, composite (NULL below ``min_completeness``), completeness,
    n_values, n_applicable, raw_composite, composite_rank, n_composite.
    """
    scores = group_scores(wh, codes, period, weights, indicators, min_completeness, k=0, detail=False)
    return scores.councils.drop(columns=["period", "group_key"])


def improvement(scores: GroupScores) -> pd.DataFrame:
    """Per council: indicators improving / worsening / unchanged between the base period and now
    (polarity-aware; only indicators with a value in both), and the composite's change.

    Columns: authority_code, improving, worsening, unchanged, compared, composite_then,
    composite_change (NaN when either composite is missing).
    """
    key = ["group_key", "authority_code"]
    now = scores.values[[*key, "indicator_id", "polarity", "value"]]
    then = scores.base_values[[*key, "indicator_id", "value"]]
    both = now.merge(then, on=[*key, "indicator_id"], suffixes=("", "_then"))
    sign = np.where(both["polarity"] == "lower", -1.0, 1.0)
    delta = sign * (both["value"] - both["value_then"])
    both = both.assign(improving=delta > 0, worsening=delta < 0, unchanged=delta == 0)
    counts = both.groupby(key)[["improving", "worsening", "unchanged"]].sum()
    counts["compared"] = counts.sum(axis=1)
    out = scores.councils[[*key, "composite"]].merge(counts.reset_index(), on=key, how="left")
    for column in ("improving", "worsening", "unchanged", "compared"):
        out[column] = out[column].fillna(0).astype(int)
    then_composite = scores.base_councils[[*key, "composite"]].rename(columns={"composite": "composite_then"})
    out = out.merge(then_composite, on=key, how="left")
    out["composite_change"] = out["composite"] - out["composite_then"]
    return out.drop(columns="composite")


def maturity_available() -> bool:
    """True when the self-assessment module (``dashboard.selfassessment.mean_maturity``) exists."""
    try:
        if importlib.util.find_spec("dashboard.selfassessment") is None:
            return False
        module = importlib.import_module("dashboard.selfassessment")
    except Exception:  # a colleague's module mid-edit must not break this page
        return False
    return callable(getattr(module, "mean_maturity", None))


def peer_maturity(wh: Any, codes: Sequence[str], round: str | None = None) -> pd.DataFrame | None:
    """Mean self-assessment maturity per council (latest round each when ``round`` is None),
    or None when self-assessment is not available. Columns: authority_code, round, mean_maturity."""
    if not maturity_available():
        return None
    from dashboard import selfassessment

    frame = selfassessment.mean_maturity(wh, list(codes), round)
    if frame is None or frame.empty:
        return pd.DataFrame(columns=["authority_code", "round", "mean_maturity"])
    order = ["authority_code", "round_start" if "round_start" in frame.columns else "round"]
    frame = frame.sort_values(order)
    return frame.groupby("authority_code", as_index=False).last()[["authority_code", "round", "mean_maturity"]]


def evaluate(
    scores: GroupScores, rule: ExemplarRule, maturity: pd.DataFrame | None = None, stability: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Apply ``rule`` to every council of the group: one row per council with each condition,
    ``is_exemplar``, ``failed`` (conditions not met, in words) and ``reason`` (in words).

    ``maturity`` (authority_code, mean_maturity) enables the maturity condition when the rule
    asks for it; ``stability`` (authority_code, rank_p05, rank_p95, top_share_draws) adds the
    stability phrase and columns.
    """
    key = ["group_key", "authority_code"]
    table = scores.councils.merge(improvement(scores), on=key, how="left")
    table = table.merge(_indicator_tops(scores.values, rule.top_share), on=key, how="left")
    table["top_indicators"] = table["top_indicators"].fillna(0).astype(int)
    n = table["n_composite"].fillna(0)
    rank = table["composite_rank"]
    table["composite_pct"] = np.where(n > 1, (n - rank) / (n - 1).clip(lower=1), 0.5)
    table.loc[table["composite"].isna(), "composite_pct"] = np.nan
    table["cond_complete"] = table["completeness"] >= rule.min_completeness
    table["cond_top"] = table["cond_complete"] & (table["composite_pct"] >= 1 - rule.top_share)
    improving = (table["composite_change"] >= 0) & (table["improving"] > table["worsening"])
    table["cond_improving"] = improving.fillna(False).astype(bool) if rule.require_improving else True
    use_maturity = rule.require_maturity and maturity is not None
    if use_maturity and maturity is not None:
        m = maturity[["authority_code", "mean_maturity"]].drop_duplicates("authority_code")
        table = table.merge(m, on="authority_code", how="left")
        # median of the group's councils that have a maturity (NaN are skipped)
        table["maturity_median"] = table.groupby("group_key")["mean_maturity"].transform("median")
        # the self-assessment disclosure rule: a peer statistic needs enough respondents
        respondents = table.groupby("group_key")["mean_maturity"].transform("count")
        table["maturity_median_shown"] = respondents.map(peer_stat_allowed)
        table["cond_maturity"] = (table["mean_maturity"] > table["maturity_median"]).fillna(False).astype(bool)
    else:
        table["cond_maturity"] = True
    if stability is not None:
        table = table.merge(stability, on="authority_code", how="left")
    conditions = ["cond_top", "cond_improving", "cond_complete", "cond_maturity"]
    table["is_exemplar"] = table[conditions].all(axis=1)
    table["failed"] = table.apply(lambda row: _failed(row, rule, use_maturity), axis=1)
    table["n_failed"] = table["failed"].map(len)
    table["reason"] = table.apply(lambda row: _reason(row, use_maturity), axis=1)
    table["failed"] = table["failed"].map("; ".join)
    return table.sort_values(
        ["is_exemplar", "composite_rank", "authority_code"], ascending=[False, True, True], na_position="last"
    ).reset_index(drop=True)


def _indicator_tops(values: pd.DataFrame, top_share: float) -> pd.DataFrame:
    """Per council: how many of its indicators sit in the group's top ``top_share``."""
    tops = values.assign(top=values["pct_rank"] >= 1 - top_share)
    return tops.groupby(["group_key", "authority_code"], as_index=False).agg(top_indicators=("top", "sum"))


def _failed(row: pd.Series, rule: ExemplarRule, use_maturity: bool) -> list[str]:
    failed = []
    if not row["cond_complete"]:
        failed.append(f"incomplete: {row['completeness']:.0%} < {rule.min_completeness:.0%}")
    elif not row["cond_top"]:
        failed.append(
            f"not in the top {rule.top_share:.0%} (rank {int(row['composite_rank'])} of {int(row['n_composite'])})"
        )
    if rule.require_improving and not row["cond_improving"]:
        if pd.isna(row.get("composite_change")):
            failed.append(f"no composite {rule.k} periods ago to compare with")
        elif row["composite_change"] < 0:
            failed.append(f"composite fell by {-row['composite_change']:.3f} over {rule.k} periods")
        else:
            failed.append(
                f"not more indicators improving ({int(row['improving'])}) than worsening ({int(row['worsening'])})"
            )
    if use_maturity and not row["cond_maturity"]:
        if pd.isna(row.get("mean_maturity")):
            failed.append("no published self-assessment")
        else:
            failed.append(f"maturity {row['mean_maturity']:.2f} not above the peer median{_median_text(row)}")
    return failed


def _reason(row: pd.Series, use_maturity: bool) -> str:
    """The council's position in words, as the candidates table prints it."""
    parts = [
        f"top quartile on {int(row['top_indicators'])} of {int(row['n_values'])} indicators"
        if row["n_values"]
        else "no indicator values"
    ]
    if row.get("compared", 0):
        parts.append(f"improving on {int(row['improving'])} of {int(row['compared'])}")
    parts.append(f"{row['completeness']:.0%} complete")
    if pd.notna(row.get("composite_rank")):
        rank = f"rank {int(row['composite_rank'])} of {int(row['n_composite'])}"
        if pd.notna(row.get("top_share_draws")):
            steady = "stable" if row["top_share_draws"] >= STABLE_SHARE else "unstable"
            rank += (
                f", {steady}: in the top quartile in {row['top_share_draws']:.0%} of resamples "
                f"(rank {int(row['rank_p05'])}–{int(row['rank_p95'])})"
            )
        parts.append(rank)
    else:
        parts.append("no composite (incomplete)")
    if use_maturity and pd.notna(row.get("mean_maturity")):
        parts.append(
            f"maturity {row['mean_maturity']:.2f} (above the peer median{_median_text(row)})"
            if row["cond_maturity"]
            else f"maturity {row['mean_maturity']:.2f}"
        )
    return "; ".join(parts)


def _median_text(row: pd.Series) -> str:
    """ " 3.04", or a note that the peer median is withheld (too few respondents)."""
    if row.get("maturity_median_shown", False):
        return f" {row['maturity_median']:.2f}"
    return " (withheld: too few councils responded)"


MIN_PEER_RESPONDENTS = 5  # fallback of the self-assessment disclosure rule when its module is absent


def peer_stat_allowed(respondents: int) -> bool:
    """True when a peer statistic over ``respondents`` councils may be shown (the self-assessment
    module's disclosure rule when it is available)."""
    if maturity_available():
        from dashboard import selfassessment

        return bool(selfassessment.peer_stat_allowed(int(respondents)))
    return int(respondents) >= MIN_PEER_RESPONDENTS


STABLE_SHARE = 0.8  # "stable" when in the top quartile in at least 4 of 5 resamples


NEAR_MISS_REACH = 2  # a near miss ranks within twice the top share (the top half for a top quartile)


def near_misses(table: pd.DataFrame, top_share: float = DEFAULT_TOP_SHARE, max_failed: int = 1) -> pd.DataFrame:
    """Councils that are not exemplars but have a composite, fail at most ``max_failed``
    conditions and rank within ``NEAR_MISS_REACH`` x ``top_share`` of the group, best first."""
    close = table["composite_pct"] >= 1 - NEAR_MISS_REACH * top_share
    misses = table[~table["is_exemplar"] & table["composite"].notna() & close & (table["n_failed"] <= max_failed)]
    return misses.sort_values(["composite_rank", "authority_code"]).reset_index(drop=True)


def theme_profile(scores: GroupScores, exemplars: Sequence[str], council: str | None) -> pd.DataFrame:
    """ "What a transformed council looks like": per theme, the median of the exemplars' theme
    scores (their weighted mean percentile rank in the theme) beside ``council``'s own.

    Columns: theme, exemplar_median, exemplars (how many had a value), council_score.
    """
    themes = scores.values.drop_duplicates(["authority_code", "theme"])[["authority_code", "theme", "theme_score"]]
    chosen = themes[themes["authority_code"].isin(list(exemplars))]
    profile = chosen.groupby("theme", as_index=False).agg(
        exemplar_median=("theme_score", "median"), exemplars=("authority_code", "nunique")
    )
    all_themes = pd.DataFrame({"theme": pd.Series(sorted(themes["theme"].unique()), dtype=profile["theme"].dtype)})
    profile = all_themes.merge(profile, on="theme", how="left")
    profile["exemplars"] = profile["exemplars"].fillna(0).astype(int)
    own = themes[themes["authority_code"] == council][["theme", "theme_score"]]
    return profile.merge(own.rename(columns={"theme_score": "council_score"}), on="theme", how="left")


def maturity_profile(wh: Any, exemplars: Sequence[str], council: str | None) -> pd.DataFrame | None:
    """Self-assessment maturity theme by theme (latest published round of each council): the
    exemplars' median beside ``council``'s own; None when self-assessment is not available.
    A median over fewer councils than the disclosure rule allows is withheld (NaN).

    Columns: theme, exemplar_median, exemplars (how many responded), council_maturity.
    """
    if not maturity_available():
        return None
    from dashboard import selfassessment

    codes = sorted(set(exemplars) | ({council} if council else set()))
    columns = ["theme", "exemplar_median", "exemplars", "council_maturity"]
    scores = selfassessment.theme_scores(selfassessment.published_responses(wh, codes))
    if scores.empty:
        return pd.DataFrame(columns=columns)
    latest = scores[scores["round_start"] == scores.groupby("authority_code")["round_start"].transform("max")]
    weighted = latest.assign(points=latest["maturity"] * latest["questions"])
    per_theme = weighted.groupby(["authority_code", "theme"], as_index=False)[["points", "questions"]].sum()
    per_theme["maturity"] = per_theme["points"] / per_theme["questions"]  # mean over the theme's questions
    chosen = per_theme[per_theme["authority_code"].isin(list(exemplars))]
    profile = chosen.groupby("theme", as_index=False).agg(
        exemplar_median=("maturity", "median"), exemplars=("authority_code", "nunique")
    )
    profile.loc[~profile["exemplars"].map(peer_stat_allowed), "exemplar_median"] = np.nan
    all_themes = pd.DataFrame({"theme": pd.Series(sorted(per_theme["theme"].unique()), dtype=profile["theme"].dtype)})
    profile = all_themes.merge(profile, on="theme", how="left")
    profile["exemplars"] = profile["exemplars"].fillna(0).astype(int)
    own = per_theme[per_theme["authority_code"] == council][["theme", "maturity"]]
    return profile.merge(own.rename(columns={"maturity": "council_maturity"}), on="theme", how="left")[columns]


def national_overview(
    wh: Any,
    councils: pd.DataFrame,
    period: str,
    rule: ExemplarRule,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    use_maturity: bool = True,
) -> pd.DataFrame:
    """Run the rule in every (authority type, region) group of ``councils`` (exemplar_councils.sql),
    every group scored within itself in one query.

    Returns one row per council with authority_type, region, is_exemplar, composite_rank,
    n_composite, completeness (stability is not resampled here: it does not enter the rule).
    """
    columns = [
        "authority_code",
        "authority_type",
        "region",
        "is_exemplar",
        "composite",
        "composite_rank",
        "n_composite",
        "completeness",
    ]
    if councils.empty:
        return pd.DataFrame(columns=columns)
    keys = (councils["authority_type"] + GROUP_SEPARATOR + councils["region"].fillna("")).tolist()
    codes = councils["authority_code"].tolist()
    scores = group_scores(wh, codes, period, weights, indicators, rule.min_completeness, rule.k, groups=keys)
    maturity = peer_maturity(wh, codes) if use_maturity and rule.require_maturity else None
    table = evaluate(scores, rule, maturity)
    table[["authority_type", "region"]] = table["group_key"].str.split(GROUP_SEPARATOR, n=1, expand=True)
    return table[columns].sort_values(["authority_type", "region", "authority_code"]).reset_index(drop=True)


GROUP_SEPARATOR = "|"  # joins type and region into one group key; neither name contains it


ALL_REGIONS = "All regions"  # the region choice that means "the authority type nationally"


def group_candidates(wh: Any, period: str) -> pd.DataFrame:
    """Councils that can be in a peer group in ``period`` (authority_code, short_name, nation,
    region, authority_type, lat, lon): the finder's choices and the overview's groups."""
    return wh.query("exemplar_councils", period=period)


def type_region_group(
    wh: Any, candidates: pd.DataFrame, authority_type: str, region: str, period: str
) -> tuple[list[str], str]:
    """Members and description of "``authority_type`` councils in ``region``" (or nationally for
    :data:`ALL_REGIONS`) in ``period``. Uses ``dashboard.peers`` (same membership as the peer
    pages) when it can; otherwise the same rule applied to ``candidates``."""
    in_type = candidates[candidates["authority_type"] == authority_type]
    chosen = in_type if region == ALL_REGIONS else in_type[in_type["region"] == region]
    if chosen.empty:
        return [], f"No {authority_type} councils in {region} in {period}"
    try:
        from dashboard.peers import PeerGroupSpec, resolve_peer_group

        kind = "type_nation" if region == ALL_REGIONS else "type_region"
        anchor = sorted(chosen["authority_code"])[0]
        group = resolve_peer_group(wh, PeerGroupSpec(kind=kind, council=anchor, period=period))
        return group.codes, group.description
    except Exception:  # the peers module is a colleague's and may be mid-edit: same rule locally
        where = "nationally" if region == ALL_REGIONS else f"in {region}"
        return sorted(chosen["authority_code"]), f"{authority_type} councils {where} in {period}"


@dataclass
class Finding:
    """Everything the finder shows for one peer group and one set of choices."""

    scores: GroupScores
    table: pd.DataFrame  # evaluate(): one row per council
    near_misses: pd.DataFrame
    maturity_used: bool


def find_exemplars(
    wh: Any,
    codes: Sequence[str],
    period: str,
    rule: ExemplarRule,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    settings: Any = None,
    use_maturity: bool = True,
) -> Finding:
    """Score the group, resample for stability and apply ``rule``: the finder in one call.

    ``settings`` is a ``stability.StabilitySettings`` (default draws and seed); its top share
    follows the rule's.
    """
    from dataclasses import replace

    from dashboard import stability

    scores = group_scores(wh, codes, period, weights, indicators, rule.min_completeness, rule.k)
    eligible = scores.councils.loc[scores.councils["composite"].notna(), "authority_code"].tolist()
    settings = replace(settings or stability.StabilitySettings(), top_share=rule.top_share)
    stab = stability.rank_stability(scores.values, eligible, settings)
    maturity = peer_maturity(wh, codes) if use_maturity and rule.require_maturity else None
    table = evaluate(scores, rule, maturity, stab)
    return Finding(
        scores=scores, table=table, near_misses=near_misses(table, rule.top_share), maturity_used=maturity is not None
    )
