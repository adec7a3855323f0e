"""What a transformed council looks like: the exemplars' theme scores against any council's."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from dashboard.exemplars.scoring import GroupScores

__all__ = ["theme_profile"]


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
