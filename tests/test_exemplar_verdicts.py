"""The finder's answer in words and its two charts: each near miss says in one sentence what
failed and what the rule needs, consistently with the rule's own conditions; the composite chart
shows the top of the group and the chosen council; the rank-stability chart draws each
candidate's interval with its rank inside. Fixture data from tests/test_exemplar_rule.py, whose
answers are worked out there from the definitions."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.common.text import markdown
from dashboard.exemplars import verdicts
from dashboard.exemplars.charts import composite_ranking, rank_intervals
from dashboard.exemplars.rule import CONDITIONS, ExemplarRule, near_misses
from tests.test_exemplar_rule import CODES, RULE, _table, wh  # noqa: F401  (wh is a fixture)

NAMES = {c: f"Council {c}" for c in CODES}


@pytest.fixture(scope="module")
def table(wh):  # noqa: F811  (the imported fixture)
    _, frame = _table(wh)
    return frame.reset_index()


def test_every_condition_has_its_requirement_in_the_rule_sentence():
    """The near-miss sentence quotes the rule's own words: if the rule changes, this fails first."""
    for rule in (ExemplarRule(), ExemplarRule(top_share=0.1, min_completeness=0.9, k=5)):  # every condition on
        for condition in CONDITIONS:
            assert rule.requirement(condition) in rule.describe(), condition
    with pytest.raises(KeyError):
        RULE.requirement("cond_unknown")


def test_a_near_miss_says_what_failed_and_what_the_rule_needs(table):
    misses = near_misses(table)
    first = misses.iloc[0].to_dict()
    assert first["authority_code"] == "B"  # worked out in test_exemplar_rule: B fails only "improving"
    sentence = verdicts.missed_sentence(first, RULE)
    assert sentence == (
        f"Missed: {first['failed']} (the rule needs {RULE.requirement('cond_improving')})."
    )
    assert "not more indicators improving (0) than worsening (4)" in sentence
    # consistent with the reason: the reason's improving count is the one the sentence quotes
    assert "improving on 0 of 4" in first["reason"]


def test_the_sentence_names_exactly_the_failed_conditions(table):
    for row in table.to_dict("records"):
        sentence = verdicts.missed_sentence(row, RULE)
        failed = verdicts.failed_conditions(row)
        if row["is_exemplar"]:
            assert sentence == "" and failed == []
            continue
        assert sentence.startswith("Missed: ") and sentence.endswith(").")
        for condition in CONDITIONS:
            needed = RULE.requirement(condition) in sentence
            assert needed == (condition in failed), (row["authority_code"], condition)
    incomplete = table.set_index("authority_code").loc["C"].to_dict()
    assert verdicts.failed_conditions(incomplete) == ["cond_complete", "cond_improving"]  # the failed text's order
    assert incomplete["failed"].startswith("incomplete")
    assert "cond_top" not in verdicts.failed_conditions(incomplete)  # no rank to judge without a composite


def test_the_answer_lists_every_exemplar_with_its_full_reason(table):
    exemplars = table[table["is_exemplar"]]
    names = NAMES | {"A": "*A* [link](http://x)"}
    text = verdicts.answer_markdown(exemplars, names)
    assert text.count("\n") == len(exemplars) - 1
    assert text.startswith(f"1. **{markdown(names['A'])}**: top quartile on ")
    assert markdown(exemplars.iloc[0]["reason"]) in text  # in full, never cut
    assert "[link](" not in text  # names are escaped


def test_near_misses_read_as_name_sentence_and_reason(table):
    misses = near_misses(table)
    text = verdicts.near_miss_markdown(misses, NAMES, RULE)
    for row in misses.to_dict("records"):
        assert markdown(verdicts.missed_sentence(row, RULE)) in text
        assert markdown(row["reason"]) in text


def test_the_ranking_shows_the_top_and_the_chosen_council_and_everyone_on_request():
    n = 60
    frame = pd.DataFrame(
        {
            "authority_code": [f"C{i:02d}" for i in range(n)],
            "composite": [1 - i / n for i in range(n)],
            "composite_rank": range(1, n + 1),
            "cond_top": [i < 15 for i in range(n)],  # the rule's top share: ranks 1..15
            "is_exemplar": [i < 10 for i in range(n)],
        }
    )
    shown = verdicts.ranking_rows(frame, council="C55")
    cut = verdicts.top_cut_rank(frame)
    assert cut == 15
    reach = max(verdicts.TOP_BARS, cut + verdicts.BARS_PAST_CUT)
    assert shown["authority_code"].tolist() == [f"C{i:02d}" for i in range(reach)] + ["C55"]
    assert len(verdicts.ranking_rows(frame, show_all=True)) == n
    figure = composite_ranking(shown.assign(short_name=shown["authority_code"]), council="C55")
    by_name = {t.name: t for t in figure.data}
    assert list(by_name["The chosen council"].y) == ["C55"]
    assert len(by_name["Exemplar"].y) == 10 and "C55" not in by_name["Not an exemplar"].y
    assert figure.layout.height < 18 * n  # not the whole group's height


def test_rank_intervals_chart_each_candidate_with_its_rank_inside(table):
    misses = near_misses(table)
    rows = verdicts.interval_rows(table, misses, NAMES | {"A": "<b>A</b>"})
    assert rows["status"].tolist()[0] == "Exemplar" and set(rows["status"]) <= {"Exemplar", "Near miss"}
    assert ((rows["rank_p05"] <= rows["composite_rank"]) & (rows["composite_rank"] <= rows["rank_p95"])).all()
    figure = rank_intervals(rows, verdicts.top_cut_rank(table), RULE.top_share)
    bars = [t for t in figure.data if t.type == "bar" and t.xaxis == "x"]
    for bar in bars:  # each bar covers whole ranks p05..p95
        for base, length, label in zip(bar.base, bar.x, bar.y, strict=True):
            row = rows[rows["short_name"].map(lambda n: n.replace("<", "&lt;").replace(">", "&gt;")) == label].iloc[0]
            assert base == row["rank_p05"] - 0.5 and base + length == row["rank_p95"] + 0.5
    shares = [t for t in figure.data if t.type == "bar" and t.xaxis == "x2"]
    assert sorted(v for t in shares for v in t.x) == sorted(rows["top_share_draws"])
    marks = next(t for t in figure.data if t.name == "Rank")
    assert list(marks.x) == rows["composite_rank"].tolist()
    assert "&lt;b&gt;A&lt;/b&gt;" in marks.y  # data text escaped in the chart


def test_the_summary_counts_what_the_rule_found(table):
    misses = near_misses(table)
    ranked = int(table["composite"].notna().sum())
    assert verdicts.summary_sentence(table, misses) == (
        f"**{int(table['is_exemplar'].sum())} exemplar** and {len(misses)} near miss{'es' if len(misses) != 1 else ''} "
        f"among {ranked} ranked councils; {len(table)} councils in the group, {len(table) - ranked} not ranked for "
        "incomplete data."
    )
