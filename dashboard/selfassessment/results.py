"""Self-assessment results: maturity per council, theme and round, peer statistics under the
disclosure rule, the exemplars' profile, one question across councils.

Everything here is plain pandas on frames the warehouse returns (the ``sa_*`` queries, which
only ever return published responses), so it is tested without Streamlit.

Disclosure rules (issue 5; ``dashboard.common.disclosure``):
- a response with ``published = false`` never leaves the warehouse: every ``sa_*`` query that
  reads responses reads the ``published_responses`` view (a test reads every such file to check);
- a peer statistic of self-assessment scores (median, quartiles, the exemplar profile) is shown
  only when at least ``MIN_PEER_RESPONDENTS`` councils behind it have published responses;
  otherwise the caller shows ``hidden_reason``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.common.disclosure import peer_stat_allowed
from dashboard.warehouse import Warehouse

__all__ = [
    "SCORE_LEVELS",
    "CouncilResults",
    "council_results",
    "council_theme_table",
    "exemplar_profile",
    "framework",
    "latest_maturity",
    "maturity_profile",
    "mean_maturity",
    "peer_theme_stats",
    "published_responses",
    "question_table",
    "round_progress",
    "rounds",
    "score_distribution",
    "theme_scores",
]

SCORE_LEVELS = (1, 2, 3, 4, 5)  # the maturity scale of every challenge question


# -- warehouse questions -------------------------------------------------------------------
def mean_maturity(wh: Warehouse, codes: Sequence[str], round: str | None = None) -> pd.DataFrame:
    """Each council's mean maturity per round, from published responses only.

    Parameters: ``wh`` the warehouse; ``codes`` the councils; ``round`` one
    round label, or None for every round.
    Returns columns ``authority_code, round, round_start, mean_maturity, driver_maturity,
    enabler_maturity, questions_answered`` (one row per council and round answered).
    """
    return wh.query("sa_mean_maturity", codes=list(codes), round=round)


def published_responses(wh: Warehouse, codes: Sequence[str], round: str | None = None) -> pd.DataFrame:
    """Published responses of ``codes`` (``authority_code, round, round_start, question_id,
    theme, role, score``); a council's own submission supersedes other sources for its round."""
    return wh.query("sa_responses", codes=list(codes), round=round)


def framework(wh: Warehouse) -> pd.DataFrame:
    """The framework: questions with theme, role, text, ``level_1..level_5`` and ``continues``
    (the earlier question each carries on from: ``lineage.lineage_of``)."""
    return wh.query("sa_questions")


def rounds(wh: Warehouse) -> list[str]:
    """Round labels that hold published responses, oldest first."""
    return wh.query("sa_rounds")["round"].tolist()


def latest_maturity(wh: Warehouse, codes: Sequence[str]) -> pd.DataFrame:
    """Each council's mean maturity in its latest published round (the exemplar rule's maturity):
    ``authority_code, round, mean_maturity``; empty when none of ``codes`` responded."""
    frame = mean_maturity(wh, list(codes))
    if frame.empty:
        return pd.DataFrame(columns=["authority_code", "round", "mean_maturity"])
    frame = frame.sort_values(["authority_code", "round_start"])
    return frame.groupby("authority_code", as_index=False).last()[["authority_code", "round", "mean_maturity"]]


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


def maturity_profile(wh: Warehouse, exemplars: Sequence[str], council: str | None) -> pd.DataFrame:
    """Self-assessment maturity theme by theme (latest published round of each council): the
    exemplars' median beside ``council``'s own. A median over fewer councils than the disclosure
    rule allows is withheld (NaN).

    Columns: theme, exemplar_median, exemplars (how many responded), council_maturity.
    """
    columns = ["theme", "exemplar_median", "exemplars", "council_maturity"]
    codes = sorted(set(exemplars) | ({council} if council else set()))
    scores = theme_scores(published_responses(wh, codes))
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


def round_progress(responses: pd.DataFrame, lineage: Mapping[str, str] | None = None) -> pd.DataFrame:
    """Progress between consecutive rounds for councils that answered both: ``from_round,
    to_round, councils, improved, same, declined, mean_change, questions_compared``.

    Like with like: ``lineage`` (``lineage.lineage_of``: question -> the question its lineage
    starts with; default every question its own) groups the questions that ask the same thing
    across frameworks. A council's change is its mean, over the lineages it answered in both
    rounds, of (its mean score on the lineage's questions then - now); ``questions_compared``
    counts the lineages that were answered in both rounds by at least one council. A council is
    compared with its own earlier answers only (docs/self-assessment.md: reorganised councils).
    """
    columns = [
        "from_round",
        "to_round",
        "councils",
        "improved",
        "same",
        "declined",
        "mean_change",
        "questions_compared",
    ]
    if responses.empty:
        return pd.DataFrame(columns=columns)
    asked = responses["question_id"].astype(str)
    chain = asked.map(lineage).fillna(asked) if lineage is not None else asked
    per = (
        responses.assign(lineage=chain)
        .groupby(["round", "authority_code", "lineage"], as_index=False)
        .agg(round_start=("round_start", "first"), score=("score", "mean"))
    )
    order = per.drop_duplicates("round").sort_values("round_start")["round"].tolist()
    rows = []
    for before, after in itertools.pairwise(order):
        a = per[per["round"] == before].set_index(["authority_code", "lineage"])["score"]
        b = per[per["round"] == after].set_index(["authority_code", "lineage"])["score"]
        both = (b - a).dropna()  # aligned on (council, lineage): only what was asked both times
        change = both.groupby(level="authority_code").mean()
        rows.append(
            {
                "from_round": before,
                "to_round": after,
                "councils": len(change),
                "improved": int((change > 0).sum()),
                "same": int((change == 0).sum()),
                "declined": int((change < 0).sum()),
                "mean_change": float(change.mean()) if len(change) else float("nan"),
                "questions_compared": int(both.index.get_level_values("lineage").nunique()),
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


def council_results(
    wh: Warehouse, council: str, codes: Sequence[str], exemplars: Sequence[str], exemplar_method: str
) -> CouncilResults:
    """The council's maturity by round, theme and role beside its peer group ``codes`` (median
    and quartiles, disclosed only from ``MIN_PEER_RESPONDENTS`` respondents) and the profile of
    the group's ``exemplars`` (chosen by ``exemplar_method``, said in words)."""
    group = sorted(set(codes) | {council})
    responses = published_responses(wh, group)
    scores = theme_scores(responses)
    peer_scores = scores[scores["authority_code"].isin(list(codes))]
    stats = peer_theme_stats(peer_scores)
    exemplars, method = sorted(exemplars), exemplar_method
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
