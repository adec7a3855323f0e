"""The challenge questions a council may ask itself: the questions of the current framework on
which its published score is below the exemplars' median, with the level descriptors that say
what its level and theirs look like.

The disclosure rule applies to every statistic here (``dashboard.common.disclosure``): the
exemplars' median of a question is shown only when at least ``MIN_PEER_RESPONDENTS`` exemplars
published an answer to it; otherwise it is withheld and the question is never listed as one to
ask. Only published answers are read (the ``sa_responses`` query reads published responses only).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from dashboard.common.disclosure import peer_stat_allowed
from dashboard.selfassessment.results import SCORE_LEVELS, framework, published_responses
from dashboard.warehouse import Warehouse

__all__ = ["CHALLENGE_COLUMNS", "LEVEL_COLUMNS", "challenge_table", "level_of", "level_text", "questions_to_ask"]

LEVEL_COLUMNS = [f"level_{n}" for n in SCORE_LEVELS]
CHALLENGE_COLUMNS = [
    "question_id",
    "theme",
    "role",
    "question",
    "exemplar_respondents",
    "exemplar_median",
    "council_score",
    "council_round",
    "to_ask",
    *LEVEL_COLUMNS,
]


def level_of(score: float) -> int | None:
    """The maturity level a (median) score reads as: halves round up, within 1-5; None for none."""
    if score is None or pd.isna(score):
        return None
    return int(min(max(np.floor(float(score) + 0.5), SCORE_LEVELS[0]), SCORE_LEVELS[-1]))


def level_text(row: pd.Series, score: float) -> str:
    """ "level 3: “<the question's level 3 descriptor>”" for ``score`` (a median reads as the level
    it rounds to, see :func:`level_of`); "no answer" for none. Plain text (escape it for Markdown)."""
    level = level_of(score)
    return f"level {level}: “{row[f'level_{level}']}”" if level else "no answer"


def _latest_answers(responses: pd.DataFrame) -> pd.DataFrame:
    """Each council's answers in its own latest published round."""
    if responses.empty:
        return responses
    latest = responses.groupby("authority_code")["round_start"].transform("max")
    return responses[responses["round_start"] == latest]


def challenge_table(wh: Warehouse, exemplars: Sequence[str], council: str) -> pd.DataFrame:
    """Every question of the current framework with the exemplars' median score (over each
    exemplar's latest published round; NaN when fewer than the disclosure rule allows answered),
    how many exemplars answered, ``council``'s latest published score and round, whether it is
    one to ask (``to_ask``: the council's score is below a shown exemplar median) and the five
    level descriptors. Columns: :data:`CHALLENGE_COLUMNS`.
    """
    questions = framework(wh).rename(columns={"text": "question"})
    codes = sorted(set(exemplars) | {council})
    answers = _latest_answers(published_responses(wh, codes))
    answers = answers[answers["question_id"].isin(questions["question_id"])]
    chosen = answers[answers["authority_code"].isin(list(exemplars))]
    stats = chosen.groupby("question_id", as_index=False).agg(
        exemplar_respondents=("authority_code", "nunique"), exemplar_median=("score", "median")
    )
    stats["exemplar_median"] = stats["exemplar_median"].where(stats["exemplar_respondents"].map(peer_stat_allowed))
    own = answers.loc[answers["authority_code"] == council, ["question_id", "score", "round"]].rename(
        columns={"score": "council_score", "round": "council_round"}
    )
    table = questions.merge(stats, on="question_id", how="left").merge(own, on="question_id", how="left")
    table["exemplar_respondents"] = table["exemplar_respondents"].fillna(0).astype(int)
    table["exemplar_median"] = table["exemplar_median"].astype(float)
    table["council_score"] = table["council_score"].astype(float)
    table["to_ask"] = (table["council_score"] < table["exemplar_median"]).fillna(False).astype(bool)
    return table[CHALLENGE_COLUMNS].sort_values(["theme", "role", "question_id"], ignore_index=True)


def questions_to_ask(table: pd.DataFrame) -> pd.DataFrame:
    """The rows of :func:`challenge_table` to ask, the widest gap to the exemplars first."""
    gaps = table.assign(gap=table["exemplar_median"] - table["council_score"])
    ask = gaps[gaps["to_ask"].astype(bool)]
    return ask.sort_values(["gap", "theme", "question_id"], ascending=[False, True, True], ignore_index=True)
