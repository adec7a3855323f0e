"""Self-assessment results: maturity per council, theme and round, peer statistics under the
disclosure rule, the outcome axis and the maturity-against-outcomes quadrant.

Everything here is plain pandas on frames the warehouse returns (the ``sa_*`` queries, which
only ever return published responses), so it is tested without Streamlit.

Disclosure rules (issue 5):
- a response with ``published = false`` never leaves the warehouse: every ``sa_*`` query that
  reads ``responses`` filters on ``published`` (a test reads every such file to check);
- a peer statistic of self-assessment scores (median, quartiles, the exemplar profile, the
  quadrant's split) is shown only when at least ``MIN_PEER_RESPONDENTS`` councils behind it have
  published responses; otherwise the caller shows ``hidden_reason``.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

__all__ = [
    "MIN_PEER_RESPONDENTS",
    "SCORE_LEVELS",
    "QUADRANTS",
    "QUADRANT_SHORT",
    "mean_maturity",
    "published_responses",
    "framework",
    "rounds",
    "peer_stat_allowed",
    "hidden_reason",
    "theme_scores",
    "peer_theme_stats",
    "council_theme_table",
    "outcome_scores",
    "mean_percentile_rank",
    "find_exemplars",
    "classify_quadrants",
    "Quadrant",
    "exemplar_codes",
    "exemplar_profile",
    "score_distribution",
    "round_progress",
    "CouncilResults",
    "council_results",
    "question_table",
    "quadrant_for_group",
]

# Fewer councils than this behind a median or quartile could let a reader work out a single
# council's scores (e.g. a group of 3 where two councils know their own): too few to disclose.
MIN_PEER_RESPONDENTS = 5
SCORE_LEVELS = (1, 2, 3, 4, 5)  # the maturity scale of every challenge question
# Quadrant labels, keyed by (maturity is high, outcomes are high).
QUADRANTS = {
    (True, True): "High maturity, high outcomes",
    (True, False): "Says more than it shows (high maturity, low outcomes)",
    (False, True): "Shows more than it says (low maturity, high outcomes)",
    (False, False): "Low maturity, low outcomes",
}
# Short names for headline figures, same keys as QUADRANTS.
QUADRANT_SHORT = {
    (True, True): "High-high",
    (True, False): "Says more than it shows",
    (False, True): "Shows more than it says",
    (False, False): "Low-low",
}
EXEMPLAR_SHARE = 0.25  # stand-in exemplars: the top quarter of the peer group on outcomes


# -- warehouse questions -------------------------------------------------------------------
def mean_maturity(wh: Any, codes: Sequence[str], round: str | None = None) -> pd.DataFrame:
    """Each council's mean maturity per round, from published responses only.

    Parameters: ``wh`` a ``dashboard.data.Warehouse``; ``codes`` the councils; ``round`` one
    round label, or None for every round.
    Returns columns ``authority_code, round, round_start, mean_maturity, driver_maturity,
    enabler_maturity, questions_answered`` (one row per council and round answered).
    """
    return wh.query("sa_mean_maturity", codes=list(codes), round=round)


def published_responses(wh: Any, codes: Sequence[str], round: str | None = None) -> pd.DataFrame:
    """Published responses of ``codes`` (``authority_code, round, round_start, question_id,
    theme, role, score``); a council's own submission supersedes other sources for its round."""
    return wh.query("sa_responses", codes=list(codes), round=round)


def framework(wh: Any) -> pd.DataFrame:
    """The current framework: questions with theme, role, text and ``level_1..level_5``."""
    return wh.query("sa_questions")


def rounds(wh: Any) -> list[str]:
    """Round labels that hold published responses, oldest first."""
    return wh.query("sa_rounds")["round"].tolist()


# -- disclosure ----------------------------------------------------------------------------
def peer_stat_allowed(respondents: int) -> bool:
    """True when a peer statistic over ``respondents`` councils may be shown."""
    return int(respondents) >= MIN_PEER_RESPONDENTS


def hidden_reason(respondents: int, what: str = "The peer median and quartiles") -> str:
    """The sentence a page shows instead of a peer statistic it may not disclose."""
    return (
        f"{what} are hidden: only {int(respondents)} council(s) in this group have published "
        f"responses, and a statistic is shown only when at least {MIN_PEER_RESPONDENTS} have, "
        "so that no council's own scores can be worked out from it."
    )


# -- maturity by theme ---------------------------------------------------------------------
def theme_scores(responses: pd.DataFrame) -> pd.DataFrame:
    """Mean score per council, round, theme and role from ``published_responses`` rows.

    Returns ``authority_code, round, round_start, theme, role, maturity, questions``.
    """
    keys = ["authority_code", "round", "theme", "role"]
    if responses.empty:
        return pd.DataFrame(columns=[*keys, "round_start", "maturity", "questions"])
    grouped = responses.groupby(keys, as_index=False).agg(
        round_start=("round_start", "first"), maturity=("score", "mean"), questions=("score", "size")
    )
    return grouped.sort_values(["round_start", "authority_code", "role", "theme"], ignore_index=True)


def peer_theme_stats(scores: pd.DataFrame) -> pd.DataFrame:
    """Peer median and quartiles per round, theme and role over the councils in ``scores``.

    ``scores`` is ``theme_scores`` for the peer group. Returns ``round, round_start, theme,
    role, respondents, disclosed, median, q1, q3``; the statistics are NaN (and ``disclosed``
    False) wherever fewer than ``MIN_PEER_RESPONDENTS`` councils responded.
    """
    keys = ["round", "theme", "role"]
    columns = [*keys, "round_start", "respondents", "disclosed", "median", "q1", "q3"]
    if scores.empty:
        return pd.DataFrame(columns=columns)
    stats = scores.groupby(keys, as_index=False).agg(
        round_start=("round_start", "first"),
        respondents=("authority_code", "nunique"),
        median=("maturity", "median"),
        q1=("maturity", lambda s: s.quantile(0.25)),
        q3=("maturity", lambda s: s.quantile(0.75)),
    )
    stats["disclosed"] = stats["respondents"].map(peer_stat_allowed)
    for column in ("median", "q1", "q3"):
        stats[column] = stats[column].where(stats["disclosed"])
    return stats[columns].sort_values(["round_start", "role", "theme"], ignore_index=True)


def council_theme_table(
    council_scores: pd.DataFrame, peer_stats: pd.DataFrame, exemplar: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per round, role and theme: the council's maturity beside the peer median,
    quartiles and (when given) the exemplar profile. Rounds the council did not answer are kept
    with an empty maturity so the peer picture still shows."""
    keys = ["round", "theme", "role"]
    own = council_scores[[*keys, "maturity"]] if not council_scores.empty else pd.DataFrame(columns=[*keys, "maturity"])
    table = peer_stats.merge(own, on=keys, how="outer")
    if exemplar is not None and not exemplar.empty:
        table = table.merge(exemplar[[*keys, "exemplar_maturity"]], on=keys, how="left")
    else:
        table["exemplar_maturity"] = float("nan")
    table["round_start"] = table.groupby("round")["round_start"].transform("first")
    ordered = [
        "round",
        "role",
        "theme",
        "maturity",
        "median",
        "q1",
        "q3",
        "respondents",
        "exemplar_maturity",
        "round_start",
    ]
    return table[ordered].sort_values(["round_start", "role", "theme"], ignore_index=True)


# -- outcomes and the quadrant -------------------------------------------------------------
def outcome_scores(wh: Any, codes: Sequence[str], period: str) -> pd.DataFrame:
    """Each council's outcome score in ``period`` within ``codes``: the exemplar finder's
    composite when ``dashboard.exemplar`` is importable, otherwise the mean percentile rank
    across indicators (polarity-aware, neutral indicators excluded, 0 worst .. 1 best).

    Returns ``authority_code, outcome_score, outcome_method``.
    """
    try:
        from dashboard import exemplar  # the exemplar finder's composite
    except ImportError:
        return mean_percentile_rank(wh, codes, period)
    frame = exemplar.composite_scores(wh, list(codes), period)
    out = frame[["authority_code", "composite"]].rename(columns={"composite": "outcome_score"})
    out["outcome_method"] = "composite score (exemplar finder)"
    return out.dropna(subset=["outcome_score"]).reset_index(drop=True)


def mean_percentile_rank(wh: Any, codes: Sequence[str], period: str) -> pd.DataFrame:
    """The stand-in outcome score: each council's mean percentile rank across indicators in
    ``period`` within ``codes`` (polarity-aware, neutral excluded; ties share the lower rank).

    Returns ``authority_code, outcome_score, indicators_ranked, outcome_method``.
    """
    frame = wh.query("sa_outcome_ranks", codes=list(codes), period=period)
    frame["outcome_method"] = "mean percentile rank across indicators"
    return frame


def find_exemplars(wh: Any, codes: Sequence[str], period: str) -> tuple[list[str], str]:
    """The exemplars of the peer group ``codes`` in ``period`` and how they were chosen: the
    exemplar finder's rule (``dashboard.exemplar``) when importable, otherwise the councils in
    the top quarter of outcome scores."""
    try:
        from dashboard import exemplar

        rule = exemplar.ExemplarRule()
        scores = exemplar.group_scores(wh, list(codes), period)
        table = exemplar.evaluate(scores, rule, exemplar.peer_maturity(wh, list(codes)))
        chosen = sorted(table.loc[table["is_exemplar"], "authority_code"].tolist())
        return chosen, f"exemplar rule: {rule.describe()}"
    except ImportError:
        outcomes = outcome_scores(wh, codes, period)
        return exemplar_codes(outcomes), (
            f"top {EXEMPLAR_SHARE:.0%} of the peer group on outcome score (the exemplar finder is not installed)"
        )


@dataclass(frozen=True)
class Quadrant:
    """The quadrant table and the split it used (NaN splits when it may not be shown)."""

    table: pd.DataFrame
    maturity_median: float
    outcome_median: float
    respondents: int

    @property
    def disclosed(self) -> bool:
        """True when enough councils responded for the medians (and quadrants) to be shown."""
        return peer_stat_allowed(self.respondents)


def classify_quadrants(maturity: pd.DataFrame, outcomes: pd.DataFrame) -> Quadrant:
    """Place each council with both a mean maturity and an outcome score in a quadrant.

    The split is at the medians of the councils that have both; a value at the median counts as
    high. With fewer than ``MIN_PEER_RESPONDENTS`` such councils the medians and quadrants are
    withheld (NaN / empty labels). Returns a ``Quadrant`` whose table has ``authority_code,
    mean_maturity, outcome_score, maturity_high, outcome_high, quadrant``.
    """
    both = (
        maturity[["authority_code", "mean_maturity"]]
        .merge(outcomes[["authority_code", "outcome_score"]], on="authority_code", how="inner")
        .dropna(subset=["mean_maturity", "outcome_score"])
    )
    count = int(both["authority_code"].nunique())
    if not peer_stat_allowed(count):
        both = both.assign(maturity_high=None, outcome_high=None, quadrant="")
        return Quadrant(both.reset_index(drop=True), float("nan"), float("nan"), count)
    m_median = float(both["mean_maturity"].median())
    o_median = float(both["outcome_score"].median())
    both["maturity_high"] = both["mean_maturity"] >= m_median
    both["outcome_high"] = both["outcome_score"] >= o_median
    both["quadrant"] = [
        QUADRANTS[(bool(m), bool(o))] for m, o in zip(both["maturity_high"], both["outcome_high"], strict=True)
    ]
    table = both.sort_values(["quadrant", "authority_code"], ignore_index=True)
    return Quadrant(table, m_median, o_median, count)


def exemplar_codes(outcomes: pd.DataFrame, share: float = EXEMPLAR_SHARE) -> list[str]:
    """The stand-in exemplars: councils in the top ``share`` of outcome scores (ties included)."""
    if outcomes.empty:
        return []
    cut = outcomes["outcome_score"].quantile(1 - share)
    return sorted(outcomes.loc[outcomes["outcome_score"] >= cut, "authority_code"].tolist())


def exemplar_profile(scores: pd.DataFrame, exemplars: Sequence[str]) -> pd.DataFrame:
    """What the exemplars score, theme by theme: mean maturity per round, theme and role over
    the exemplars in ``scores`` (``theme_scores`` rows), withheld where fewer than
    ``MIN_PEER_RESPONDENTS`` exemplars responded. Returns ``round, theme, role,
    exemplar_respondents, exemplar_maturity``."""
    keys = ["round", "theme", "role"]
    chosen = scores[scores["authority_code"].isin(list(exemplars))]
    if chosen.empty:
        return pd.DataFrame(columns=[*keys, "exemplar_respondents", "exemplar_maturity"])
    profile = chosen.groupby(keys, as_index=False).agg(
        exemplar_respondents=("authority_code", "nunique"), exemplar_maturity=("maturity", "mean")
    )
    allowed = profile["exemplar_respondents"].map(peer_stat_allowed)
    profile["exemplar_maturity"] = profile["exemplar_maturity"].where(allowed)
    return profile


# -- one question or theme across councils -------------------------------------------------
def score_distribution(responses: pd.DataFrame) -> pd.DataFrame:
    """How many councils gave each score, per round: ``round, round_start, score, councils,
    share`` (share of that round's respondents; every level 1-5 is listed, zeros included).

    For a theme (several questions) a council's score is its mean over the theme's questions,
    rounded to the nearest level (halves round up) so the five levels still apply.
    """
    columns = ["round", "round_start", "score", "councils", "share"]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    per_council = responses.groupby(["round", "authority_code"], as_index=False).agg(
        round_start=("round_start", "first"), score=("score", "mean")
    )
    per_council["score"] = (per_council["score"] + 0.5).astype(float).map(int).clip(1, 5)
    counts = per_council.groupby(["round", "score"]).size().rename("councils")
    rounds_seen = per_council.drop_duplicates("round")[["round", "round_start"]]
    grid = pd.MultiIndex.from_product([rounds_seen["round"], SCORE_LEVELS], names=["round", "score"])
    table = counts.reindex(grid, fill_value=0).reset_index()
    table = table.merge(rounds_seen, on="round")
    table["share"] = table["councils"] / table.groupby("round")["councils"].transform("sum")
    return table[columns].sort_values(["round_start", "score"], ignore_index=True)


def round_progress(responses: pd.DataFrame) -> pd.DataFrame:
    """Progress between consecutive rounds for councils that answered both: ``from_round,
    to_round, councils, improved, same, declined, mean_change`` (mean score over the selected
    questions per council, then compared)."""
    columns = ["from_round", "to_round", "councils", "improved", "same", "declined", "mean_change"]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    per = responses.groupby(["round", "authority_code"], as_index=False).agg(
        round_start=("round_start", "first"), score=("score", "mean")
    )
    order = per.drop_duplicates("round").sort_values("round_start")["round"].tolist()
    rows = []
    for before, after in itertools.pairwise(order):
        a = per[per["round"] == before].set_index("authority_code")["score"]
        b = per[per["round"] == after].set_index("authority_code")["score"]
        change = (b - a).dropna()
        rows.append(
            {
                "from_round": before,
                "to_round": after,
                "councils": len(change),
                "improved": int((change > 0).sum()),
                "same": int((change == 0).sum()),
                "declined": int((change < 0).sum()),
                "mean_change": float(change.mean()) if len(change) else float("nan"),
            }
        )
    return pd.DataFrame(rows, columns=columns)


# -- what the pages show -------------------------------------------------------------------
@dataclass
class CouncilResults:
    """Everything the council page shows, for every round."""

    council: str
    table: pd.DataFrame  # council_theme_table over every round, both roles
    respondents: dict[str, int]  # round -> councils in the group with published responses
    own_rounds: list[str]  # rounds the council itself published
    exemplars: list[str]
    exemplar_method: str
    responses: pd.DataFrame  # the council's own published responses, every round
    exemplar_respondents: dict[str, int]  # round -> exemplars with published responses


def council_results(wh: Any, council: str, codes: Sequence[str], period: str) -> CouncilResults:
    """The council's maturity by round, theme and role beside its peer group ``codes`` (median
    and quartiles, disclosed only from ``MIN_PEER_RESPONDENTS`` respondents) and the profile of
    the group's exemplars in ``period``."""
    group = sorted(set(codes) | {council})
    responses = published_responses(wh, group)
    scores = theme_scores(responses)
    peer_scores = scores[scores["authority_code"].isin(list(codes))]
    stats = peer_theme_stats(peer_scores)
    exemplars, method = find_exemplars(wh, codes, period)
    profile = exemplar_profile(peer_scores, exemplars)
    own = scores[scores["authority_code"] == council]
    table = council_theme_table(own, stats, profile)
    respondents = peer_scores.groupby("round")["authority_code"].nunique().to_dict()
    own_responses = responses[responses["authority_code"] == council].reset_index(drop=True)
    own_rounds = own_responses.drop_duplicates("round").sort_values("round_start")["round"].tolist()
    answered = peer_scores[peer_scores["authority_code"].isin(exemplars)]
    exemplar_counts = answered.groupby("round")["authority_code"].nunique().to_dict()
    return CouncilResults(
        council,
        table,
        {str(k): int(v) for k, v in respondents.items()},
        own_rounds,
        exemplars,
        method,
        own_responses,
        {str(k): int(v) for k, v in exemplar_counts.items()},
    )


def question_table(questions: pd.DataFrame, own_responses: pd.DataFrame, round: str) -> pd.DataFrame:
    """The framework with the council's score in ``round`` beside each question and its five
    level descriptors, so a reader sees what a 2 or a 4 means."""
    scores = own_responses.loc[own_responses["round"] == round, ["question_id", "score"]]
    table = questions.merge(scores, on="question_id", how="left")
    table = table.rename(columns={"text": "question", "score": "council_score"})
    return table[
        [
            "role",
            "theme",
            "question_id",
            "question",
            "council_score",
            "level_1",
            "level_2",
            "level_3",
            "level_4",
            "level_5",
        ]
    ].sort_values(["role", "theme", "question_id"], ignore_index=True)


def quadrant_for_group(wh: Any, codes: Sequence[str], round: str, period: str) -> tuple[Quadrant, str]:
    """The maturity-against-outcomes quadrant of the peer group ``codes``: mean maturity in
    ``round`` against the outcome score in ``period``; returns it with the outcome method."""
    maturity = mean_maturity(wh, codes, round)
    outcomes = outcome_scores(wh, codes, period)
    method = str(outcomes["outcome_method"].iat[0]) if len(outcomes) else "no outcome score"
    return classify_quadrants(maturity, outcomes), method
