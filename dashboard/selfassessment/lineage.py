"""The question lineage: which question of an earlier framework a question carries on from.

Frameworks change between rounds: questions are added, reworded, split. ``questions.csv`` says,
per question, which earlier question it ``continues`` (none: a new question); the contract
refuses an unknown question, a question continuing itself and a cycle. Following ``continues``
back to its start gives each question its **lineage** (the earliest question of its chain), and
progress between rounds compares a council's answers lineage by lineage, on the lineages it
answered in both rounds, so a question added in 2024 never counts as progress from 2023. A split
question (two 2024 questions continuing one of 2023) is one lineage: the council's mean over its
questions of that lineage in each round.

Councils reorganised between rounds: a council is compared only with its own earlier answers.
Self-assessment answers declare no way of combining councils (the indicators derive a successor's
history only where an indicator declares its ``aggregation``), so a successor's predecessors'
answers are not carried over: its progress starts with its own first round.
"""

from __future__ import annotations

import pandas as pd

__all__ = ["lineage_of", "lineage_members"]


def lineage_of(questions: pd.DataFrame) -> dict[str, str]:
    """Each question id -> the id its lineage starts with (itself for a new question).

    ``questions`` needs ``question_id`` and ``continues`` (missing or empty: new). A chain that
    leads to an unknown question stops at the last known one; one that loops (the contract
    refuses those) stops where it would repeat.
    """
    if "continues" not in questions:
        return {str(q): str(q) for q in questions["question_id"]}
    parent = {
        str(q): str(c)
        for q, c in zip(questions["question_id"], questions["continues"], strict=True)
        if isinstance(c, str) and c.strip()
    }
    known = set(questions["question_id"].astype(str))
    roots = {}
    for question in known:
        seen, at = {question}, question
        while at in parent and parent[at] in known and parent[at] not in seen:
            at = parent[at]
            seen.add(at)
        roots[question] = at
    return roots


def lineage_members(questions: pd.DataFrame, question: str) -> list[str]:
    """Every question of ``question``'s lineage (itself, what it continues and what continues
    it), sorted: the questions that ask the same thing across rounds."""
    roots = lineage_of(questions)
    root = roots.get(question, question)
    return sorted(q for q, r in roots.items() if r == root) or [question]
