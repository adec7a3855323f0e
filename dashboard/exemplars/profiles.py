"""What a transformed council looks like: the exemplars' figures against any council's.

Two views of the same question. :func:`theme_profile` compares theme scores (mean percentile
ranks) inside one peer group. :func:`indicator_profile` compares the published values
themselves, indicator by indicator, for **any** council (in the exemplars' peer group or not),
and :func:`profile_sentence` / :func:`theme_sentence` say each comparison in plain words drawn
only from the figures, the indicator's name, unit, decimals and polarity -- never from text
written for one indicator -- so the same page reads on the demo's indicators and on real ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.common.text import format_value
from dashboard.exemplars.scoring import GroupScores
from dashboard.warehouse import Warehouse

__all__ = [
    "PROFILE_COLUMNS",
    "STANDING_WORDS",
    "amount",
    "standing_words",
    "indicator_profile",
    "profile_sentence",
    "profile_values",
    "spread_positions",
    "theme_profile",
    "theme_sentence",
]

MIN_FOR_QUARTILES = 4  # fewer exemplars than this: quote their range, not a middle half
PERCENT_UNITS = {"%", "percent", "percentage"}  # shares a reader can hear as "8 in 10"
BARE_UNITS = {"count", "number", "score", "index", "ratio"}  # say what kind of number, not a unit to print
PROFILE_COLUMNS = [
    "theme",
    "indicator_id",
    "name",
    "unit",
    "polarity",
    "decimals",
    "period",
    "exemplars",
    "lowest",
    "q1",
    "median",
    "q3",
    "highest",
    "council_value",
    "standing",
]


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


def profile_values(wh: Warehouse, exemplars: Sequence[str], council: str, period: str) -> pd.DataFrame:
    """The exemplars' and ``council``'s values of every indicator in ``period`` (or, where an
    indicator has none then, the latest earlier period with an exemplar's value): one row per
    council and indicator with the indicator's name, theme, unit, polarity and decimals."""
    if not exemplars:
        return wh.query("exemplar_profile_values", exemplars=[""], council=council, period=period).iloc[0:0]
    return wh.query("exemplar_profile_values", exemplars=sorted(exemplars), council=council, period=period)


def _standing(value: float, exemplar_values: np.ndarray, median: float, polarity: str) -> str:
    """Where ``value`` sits against the exemplars, as a standing code (see :data:`STANDING_WORDS`)."""
    if pd.isna(value):
        return "no_value"
    sign = -1.0 if polarity == "lower" else 1.0  # "above" means better for a ranked indicator
    others = sign * exemplar_values
    own = sign * value
    if (own > others).all():
        return "above_all"
    if (own < others).all():
        return "below_all"
    if np.isclose(own, sign * median):
        return "at_median"
    return "above_median" if own > sign * median else "below_median"


def indicator_profile(values: pd.DataFrame, council: str) -> pd.DataFrame:
    """Per indicator, the exemplars' spread (how many, lowest, quartiles, median, highest) and
    ``council``'s value with its standing against them: ``above_all``, ``above_median``,
    ``at_median``, ``below_median``, ``below_all`` (for a ranked indicator "above" means better,
    whatever its polarity), or ``no_value``. ``values`` is :func:`profile_values`' frame.

    Columns: :data:`PROFILE_COLUMNS`, ordered by theme and name.
    """
    if values.empty:
        return pd.DataFrame(columns=PROFILE_COLUMNS)
    rows = []
    for _, group in values.groupby("indicator_id", sort=False):
        first = group.iloc[0]
        spread = group.loc[group["is_exemplar"].astype(bool), "value"].to_numpy(dtype=float)
        own = group.loc[group["authority_code"] == council, "value"]
        value = float(own.iloc[0]) if len(own) else float("nan")
        median = float(np.median(spread))
        rows.append(
            {
                "theme": first["theme"],
                "indicator_id": first["indicator_id"],
                "name": first["name"],
                "unit": first["unit"],
                "polarity": first["polarity"],
                "decimals": first["decimals"],
                "period": first["period"],
                "exemplars": len(spread),
                "lowest": float(spread.min()),
                "q1": float(np.quantile(spread, 0.25)),  # linear, as pandas and the peer pages
                "median": median,
                "q3": float(np.quantile(spread, 0.75)),
                "highest": float(spread.max()),
                "council_value": value,
                "standing": _standing(value, spread, median, str(first["polarity"])),
            }
        )
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS).sort_values(["theme", "name"], ignore_index=True)


STANDING_WORDS = {  # (ranked indicator, neutral indicator)
    "above_all": ("better than every exemplar", "higher than every exemplar"),
    "above_median": ("better than the median exemplar", "above the median exemplar"),
    "at_median": ("level with the median exemplar", "level with the median exemplar"),
    "below_median": ("worse than the median exemplar", "below the median exemplar"),
    "below_all": ("worse than every exemplar", "lower than every exemplar"),
    "no_value": ("no value published", "no value published"),
}


def standing_words(standing: str, polarity: str) -> str:
    """The standing code in words: "better"/"worse" for a ranked indicator, "higher"/"lower" (never
    a judgement) for a neutral one."""
    ranked, neutral = STANDING_WORDS[standing]
    return neutral if polarity == "neutral" else ranked


def _is_share(unit: object, *values: float) -> bool:
    """A percentage between 0 and 100 (so "8 in 10" is a fair way to say it)."""
    return str(unit).strip().lower() in PERCENT_UNITS and all(0 <= v <= 100 for v in values if pd.notna(v))


def amount(value: float, unit: object, decimals: object, share: bool = False) -> str:
    """A value as a reader says it: "78.3 %" ("about 8 in 10 (78.3 %)" when ``share``),
    "£1,200.00", "12.0 days", "12" for a count or a score."""
    if value is None or pd.isna(value):
        return ""
    shown_unit = "" if str(unit).strip().lower() in BARE_UNITS else str(unit).strip()
    text = format_value(value, decimals, shown_unit)
    if not share:
        return text
    tenths = round(value / 10)
    if value == 100:
        return f"all ({text})"
    if tenths >= 10:
        return f"nearly all ({text})"
    if tenths == 0:
        return f"fewer than 1 in 10 ({text})" if value > 0 else f"none ({text})"
    return f"about {tenths} in 10 ({text})"


def profile_sentence(row: pd.Series, council_name: str, period: str | None = None) -> str:
    """One indicator of :func:`indicator_profile` as a sentence, e.g. "Enquiries resolved at first
    contact: about 8 in 10 (78.3 %) at the median exemplar, the middle half between 72.0 % and
    83.1 % (24 exemplars); Birmingham about 6 in 10 (61.2 %), worse than every exemplar." Figures
    for another period than ``period`` say which. Plain text (escape it for Markdown)."""
    unit, decimals = row["unit"], row["decimals"]
    share = _is_share(unit, row["lowest"], row["highest"], row["council_value"])
    n = int(row["exemplars"])

    def fig(v: float) -> str:
        return amount(v, unit, decimals)

    if n == 1:
        typical = f"{amount(row['median'], unit, decimals, share)} at the one exemplar with a value"
    elif n < MIN_FOR_QUARTILES:
        typical = (
            f"{amount(row['median'], unit, decimals, share)} at the median exemplar, "
            f"from {fig(row['lowest'])} to {fig(row['highest'])} ({n} exemplars)"
        )
    else:
        typical = (
            f"{amount(row['median'], unit, decimals, share)} at the median exemplar, the middle half "
            f"between {fig(row['q1'])} and {fig(row['q3'])} ({n} exemplars)"
        )
    if row["standing"] == "no_value":
        own = f"{council_name}: no value published"
    else:
        own = (
            f"{council_name} {amount(row['council_value'], unit, decimals, share)}, "
            f"{standing_words(row['standing'], str(row['polarity']))}"
        )
    when = f" (figures for {row['period']})" if period is not None and row["period"] != period else ""
    return f"{row['name']}: {typical}; {own}{when}."


def theme_sentence(rows: pd.DataFrame, council_name: str) -> str:
    """One theme's summary from :func:`indicator_profile` rows: on how many of its ranked
    indicators the council is level with or better than the median exemplar."""
    ranked = rows[(rows["polarity"] != "neutral") & (rows["standing"] != "no_value")]
    if ranked.empty:
        return f"{council_name} has no value to compare on the ranked indicators of this theme."
    good = ranked["standing"].isin(["above_all", "above_median", "at_median"]).sum()
    missing = int(((rows["polarity"] != "neutral") & (rows["standing"] == "no_value")).sum())
    gap = f"; no value on {missing} more" if missing else ""
    return (
        f"{council_name} is level with or better than the median exemplar on {good} of "
        f"{len(ranked)} ranked indicators{gap}."
    )


def spread_positions(profile: pd.DataFrame) -> pd.DataFrame:
    """Each indicator's figures scaled for one chart: 0 = the lowest and 1 = the highest of the
    exemplars' and the council's values, flipped for lower-is-better indicators so that right is
    always better (neutral: right is higher). Adds ``pos_lowest, pos_q1, pos_median, pos_q3,
    pos_highest, pos_council`` to :func:`indicator_profile`'s frame (0.5 when all values are equal)."""
    out = profile.copy()
    low = np.fmin(out["lowest"].to_numpy(dtype=float), out["council_value"].to_numpy(dtype=float))
    high = np.fmax(out["highest"].to_numpy(dtype=float), out["council_value"].to_numpy(dtype=float))
    span = high - low
    flip = (out["polarity"] == "lower").to_numpy()
    for column in ("lowest", "q1", "median", "q3", "highest", "council_value"):
        scaled = np.divide(out[column].to_numpy(dtype=float) - low, span, out=np.full(len(out), 0.5), where=span > 0)
        scaled = np.where(flip, 1 - scaled, scaled)
        out[f"pos_{column.replace('council_value', 'council')}"] = np.where(out[column].isna(), np.nan, scaled)
    return out
