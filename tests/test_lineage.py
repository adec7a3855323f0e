"""Self-assessment across changing frameworks: the question lineage in the contract (known
question, not itself, no cycle, across sources), progress between rounds like with like, and
Spearman's rho of maturity against measured improvement (against an independent computation,
withheld under the disclosure rule) on its page."""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.common.disclosure import MIN_PEER_RESPONDENTS
from dashboard.selfassessment import association, lineage
from dashboard.selfassessment import results as sa
from etl.load import Source, load_sources
from tests.support.apptest import downloads
from tests.support.sources import query_warehouse, write_source

HEADER = "question_id,theme,role,text,continues\n"


def _questions(rows: list[tuple[str, str]]) -> str:
    return HEADER + "".join(f"{q},Theme,driver,Question {q},{c}\n" for q, c in rows)


def _load(folder, live, reference_dir, files, name="framework"):
    return load_sources([Source.of(write_source(folder, files), name)], live, reference_dir=reference_dir, progress=False)


def test_lineage_is_stored(tmp_path, warehouse_path, reference_dir):
    result = _load(tmp_path / "a", warehouse_path, reference_dir, {"questions.csv": _questions(
        [("q1", ""), ("q2", "q1"), ("q3", "q2"), ("q4", "")])})
    assert result.ok, result.problems
    stored = query_warehouse(warehouse_path, "SELECT question_id, continues FROM questions ORDER BY 1")
    assert stored == [("q1", None), ("q2", "q1"), ("q3", "q2"), ("q4", None)]


@pytest.mark.parametrize(
    ("rows", "bad_rows", "reason"),
    [
        ([("q1", ""), ("q2", "zz")], [3], "is not a question in this file or one already loaded"),
        ([("q1", "q1")], [2], "is the question itself"),
        ([("q1", "q3"), ("q2", "q1"), ("q3", "q2"), ("q4", "q3")], [2, 3, 4], "makes a cycle"),
    ],
)
def test_bad_lineage_is_refused_by_row_and_leaves_the_warehouse(tmp_path, warehouse_path, reference_dir, rows,
                                                                 bad_rows, reason):
    assert _load(tmp_path / "first", warehouse_path, reference_dir, {"questions.csv": _questions([("x", "")])},
                 name="first").ok
    before = warehouse_path.resolve().read_bytes() if warehouse_path.exists() else None
    result = _load(tmp_path / "b", warehouse_path, reference_dir, {"questions.csv": _questions(rows)})
    assert not result.ok
    found = sorted(p.row for p in result.problems if p.column == "continues" and reason in p.reason)
    assert found == bad_rows  # q4 continues a question of the cycle but is in none itself
    assert all(p.file == "questions.csv" for p in result.problems)
    assert (warehouse_path.resolve().read_bytes() if warehouse_path.exists() else None) == before


def test_a_question_may_continue_one_already_loaded_and_a_cycle_through_it_is_refused(
    tmp_path, warehouse_path, reference_dir
):
    assert _load(tmp_path / "old", warehouse_path, reference_dir,
                 {"questions.csv": _questions([("old1", ""), ("old2", "old1")])}, name="old").ok
    assert _load(tmp_path / "new", warehouse_path, reference_dir,
                 {"questions.csv": _questions([("new1", "old2")])}, name="new").ok
    assert query_warehouse(warehouse_path, "SELECT continues FROM questions WHERE question_id = 'new1'") == [("old2",)]
    # old2 now continues new1 while new1 continues old2: the reload of "old" would close a loop
    looped = _load(tmp_path / "old2", warehouse_path, reference_dir,
                   {"questions.csv": _questions([("old1", ""), ("old2", "new1")])}, name="old")
    assert not looped.ok and any("makes a cycle" in p.reason for p in looped.problems)


def test_lineage_follows_continues_to_its_start():
    questions = pd.DataFrame({"question_id": ["a", "b", "c", "d", "e"], "continues": [None, "a", "b", "a", ""]})
    roots = lineage.lineage_of(questions)
    assert roots == {"a": "a", "b": "a", "c": "a", "d": "a", "e": "e"}  # d splits from a with b
    assert lineage.lineage_members(questions, "c") == ["a", "b", "c", "d"]
    assert lineage.lineage_members(questions, "e") == ["e"]


# -- progress like with like -------------------------------------------------------------------
FRAMEWORK = pd.DataFrame(
    {
        # 2023: Q1, Q2. 2024: Q1 reworded as Q1b, Q2 split into Q2a and Q2b, Q3 new.
        "question_id": ["Q1", "Q2", "Q1b", "Q2a", "Q2b", "Q3"],
        "continues": [None, None, "Q1", "Q2", "Q2", None],
    }
)


def _answers(rows):
    frame = pd.DataFrame(rows, columns=["authority_code", "round", "question_id", "score"])
    return frame.assign(round_start=frame["round"])


def test_progress_compares_only_what_was_asked_in_both_rounds():
    responses = _answers(
        [
            ("A", "2023", "Q1", 2), ("A", "2023", "Q2", 2),
            ("A", "2024", "Q1b", 3), ("A", "2024", "Q2a", 2), ("A", "2024", "Q2b", 4), ("A", "2024", "Q3", 1),
            ("B", "2023", "Q2", 4), ("B", "2024", "Q1b", 5), ("B", "2024", "Q3", 1),  # nothing in common
        ]
    )
    row = sa.round_progress(responses, lineage.lineage_of(FRAMEWORK)).iloc[0]
    # A: Q1 -> Q1b +1; Q2 -> mean(Q2a, Q2b) = 3, +1; Q3 is new, left out. B: no common question.
    assert row["councils"] == 1 and row["improved"] == 1 and row["mean_change"] == pytest.approx(1.0)
    assert row["questions_compared"] == 2
    # without the lineage the reworded questions look new and nothing compares
    assert sa.round_progress(responses).iloc[0]["councils"] == 0


answer_rows = st.lists(
    st.tuples(st.sampled_from(list("ABCDEF")), st.sampled_from(["2023", "2024"]),
              st.sampled_from(list(FRAMEWORK["question_id"])), st.integers(1, 5)),
    min_size=1, max_size=60, unique_by=lambda t: t[:3],
)


@settings(max_examples=80, deadline=None)
@given(answer_rows)
def test_progress_by_lineage_equals_a_direct_computation(rows):
    responses = _answers(rows)
    roots = lineage.lineage_of(FRAMEWORK)
    got = sa.round_progress(responses, roots)
    if responses["round"].nunique() < 2:
        assert got.empty
        return
    scores = {}
    for code, rnd, question, score in rows:
        scores.setdefault((code, rnd, roots[question]), []).append(score)
    changes = {}
    for (code, rnd, root), values in scores.items():
        if rnd == "2024" and (code, "2023", root) in scores:
            change = np.mean(values) - np.mean(scores[(code, "2023", root)])
            changes.setdefault(code, []).append(change)
    per_council = {c: np.mean(v) for c, v in changes.items()}
    row = got.iloc[0]
    assert row["councils"] == len(per_council)
    assert row["improved"] == sum(v > 0 for v in per_council.values())
    assert row["declined"] == sum(v < 0 for v in per_council.values())
    if per_council:
        assert row["mean_change"] == pytest.approx(np.mean(list(per_council.values())))


# -- Spearman's rho with Fisher's interval -------------------------------------------------------
def by_hand(scores: list[float], improvement: list[float]) -> tuple[float, float, float]:
    """Spearman as Pearson's r of average ranks, and Fisher's z interval, step by step."""
    rx = pd.Series(scores).rank(method="average").to_numpy()
    ry = pd.Series(improvement).rank(method="average").to_numpy()
    rho = float(np.corrcoef(rx, ry)[0, 1])
    n = len(scores)
    if abs(rho) >= 1:
        return rho, rho, rho
    z, half = math.atanh(rho), 1.959963984540054 / math.sqrt(n - 3)
    return rho, math.tanh(z - half), math.tanh(z + half)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(1, 5), st.floats(-1, 1, allow_nan=False)), min_size=1, max_size=40))
def test_association_equals_ranks_and_fisher_by_hand(pairs):
    codes = [f"C{i:02d}" for i in range(len(pairs))]
    responses = pd.DataFrame({"authority_code": codes, "question_id": "Q1", "score": [p[0] for p in pairs]})
    improvement = pd.DataFrame({"authority_code": codes, "improvement": [p[1] for p in pairs]})
    row = association.question_associations(responses, improvement).iloc[0]
    assert row["councils"] == len(pairs)
    if len(pairs) < MIN_PEER_RESPONDENTS:
        assert not row["shown"] and np.isnan(row["rho"]) and "withheld" in row["note"]
        return
    if len({p[0] for p in pairs}) < 2 or len({p[1] for p in pairs}) < 2:
        assert not row["shown"] and np.isnan(row["rho"]) and "not computed" in row["note"]
        return
    rho, low, high = by_hand([p[0] for p in pairs], [p[1] for p in pairs])
    assert row["shown"] and row["rho"] == pytest.approx(rho, abs=1e-9)
    assert row["ci_low"] == pytest.approx(low, abs=1e-9) and row["ci_high"] == pytest.approx(high, abs=1e-9)
    assert row["ci_low"] <= row["rho"] <= row["ci_high"]


def test_association_leaves_out_councils_without_an_improvement_figure():
    responses = pd.DataFrame({"authority_code": list("ABCDEF"), "question_id": "Q1", "score": [1, 2, 3, 4, 5, 5]})
    improvement = pd.DataFrame({"authority_code": list("ABCDE"), "improvement": [0.1, 0.2, 0.3, 0.4, np.nan]})
    row = association.question_associations(responses, improvement).iloc[0]
    assert row["councils"] == 4 and not row["shown"]  # E has no figure, F none at all: 4 < 5


def test_maturity_outcomes_page_shows_the_association_with_its_caveat(open_page, demo_warehouse):
    at = open_page(demo_warehouse, "maturity_outcomes", council="E09000007", round="2024", period="2024/25")
    table = next(d.value for d in at.dataframe if "Spearman's rho" in d.value.columns)
    assert len(table) > 0 and (table["Councils"] >= 0).all()
    shown = table.dropna(subset=["Spearman's rho"])
    assert (shown["Councils"] >= MIN_PEER_RESPONDENTS).all()
    assert ((shown["95% interval, lower"] <= shown["Spearman's rho"])
            & (shown["Spearman's rho"] <= shown["95% interval, upper"])).all()
    assert table.loc[table["Spearman's rho"].isna(), "Note"].str.len().gt(0).all()
    assert any("association, not a cause" in w.value.lower() for w in at.warning)
    exported = pd.read_csv(io.BytesIO(downloads(at)["mo_associations_download"]), encoding="utf-8-sig")
    assert exported["about_association_method"].notna().all()
