"""The one existence rule: which councils belong to a period is decided by the warehouse macro
``councils_in`` and nothing else, on every page and in every export.

- static: no dashboard query or module compares the register's life dates except the macro
  file and its Python mirror (``common.register``);
- the drift the issue names is gone: "Exemplars across the UK" scores the councils of 2023/24
  (not the 20 abolished the day it began) and a completeness threshold of 0 no longer stops it;
- a publisher's figure for a council outside its life puts that council in the peer group's
  members, ranks and n on the profile, indicator, progress, Browse and exemplar pages and in
  their downloads, as an independent pandas computation over the fixture's own rows says.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from dashboard.common.register import belongs_to_period
from dashboard.exemplars import finder
from dashboard.exemplars.rule import ExemplarRule, evaluate
from dashboard.exemplars.scoring import group_scores
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse, FrameWarehouse
from tests.support import reported_fixture as rx
from tests.support.apptest import downloads, table_with

ROOT = Path(__file__).resolve().parent.parent
RULE_FILES = {ROOT / "etl" / "sql" / "macros.sql", ROOT / "dashboard" / "common" / "register.py"}
ISSUE_COUNT_2023 = 382  # issue 10: councils of 2023/24 (402 scored before, 20 of them abolished on its first day)
LIFE_DATE = r"\b(start_date|end_date)\b"
COMPARISON = r"(<=|>=|<|(?<!-)>|\bBETWEEN\b|\bOVERLAPS\b)"  # "->" of a Python return type is no comparison


def life_date_comparisons(text: str, comment: str) -> list[str]:
    """Lines of ``text`` that compare a life date (start_date or end_date), comments removed."""
    lines = []
    for line in text.splitlines():
        code = line.split(comment, 1)[0]
        if re.search(LIFE_DATE, code) and re.search(COMPARISON, code, re.IGNORECASE):
            lines.append(line.strip())
    return lines


def membership_outside_the_rule() -> dict[str, list[str]]:
    """{file: its lines comparing life dates} over dashboard SQL and Python, the rule's files excepted."""
    found = {}
    for path in sorted((ROOT / "dashboard").rglob("*")):
        if path in RULE_FILES or path.suffix not in (".sql", ".py"):
            continue
        lines = life_date_comparisons(path.read_text(encoding="utf-8"), "--" if path.suffix == ".sql" else "#")
        if lines:
            found[str(path.relative_to(ROOT))] = lines
    return found


def test_no_query_or_module_but_the_rule_decides_membership_by_life_dates():
    assert membership_outside_the_rule() == {}
    uses = [p for p in (ROOT / "dashboard").rglob("*.sql") if "councils_in(" in p.read_text()]
    assert {p.stem for p in uses} >= {"peer_candidates", "exemplar_councils", "browse_values", "council_periods"}


def test_the_check_finds_a_copied_rule():
    """The copy the issue found (exemplar_councils.sql before): the check must flag it."""
    drifted = """
    FROM councils c, chosen_period p
    WHERE coalesce(c.start_date, DATE '0001-01-01') <= p.period_end  -- started by its last day
      AND coalesce(c.end_date, DATE '9999-12-31') >= p.period_start
    """
    assert len(life_date_comparisons(drifted, "--")) == 2
    python_copy = 'existed &= periods["period_start"] < pd.Timestamp(facts["end_date"])'
    assert life_date_comparisons(python_copy, "#") == [python_copy]
    assert life_date_comparisons("SELECT end_date AS abolished  -- shown, not compared", "--") == []


# -- the drift the issue names ---------------------------------------------------------------
def councils_of(authorities: pd.DataFrame, values: pd.DataFrame, period: str) -> set[str]:
    """Independently of the warehouse: councils that existed on a day of financial year ``period``
    by the register, or that ``values`` reports for it."""
    first, last = dt.date(int(period[:4]), 4, 1), dt.date(int(period[:4]) + 1, 3, 31)
    councils = authorities[authorities["is_council"].astype(bool) & (authorities["tier"] != "combined")]
    lived = councils["start_date"].map(lambda d: d is None or pd.isna(d) or d <= last) & councils["end_date"].map(
        lambda d: d is None or pd.isna(d) or d > first
    )
    reported = councils["authority_code"].isin(values.loc[values["period"] == period, "authority_code"])
    return set(councils.loc[lived | reported, "authority_code"])


@pytest.fixture(scope="module")
def demo_values(demo_source) -> pd.DataFrame:
    return pd.read_csv(demo_source / "values.csv", dtype={"authority_code": str, "period": str})


@pytest.fixture(scope="module")
def demo_wh(demo_warehouse):
    wh = FileWarehouse(demo_warehouse)
    yield wh
    wh.close()


def test_exemplars_across_the_uk_scores_the_councils_of_2023_24(demo_wh, authorities, demo_values):
    expected = councils_of(authorities, demo_values, "2023/24")
    assert len(expected) == ISSUE_COUNT_2023
    candidates = finder.group_candidates(demo_wh, "2023/24")
    assert set(candidates["authority_code"]) == expected
    overview = finder.national_overview(demo_wh, candidates, "2023/24", ExemplarRule(require_maturity=False))
    assert len(overview) == ISSUE_COUNT_2023


def test_the_overview_page_counts_the_councils_of_2023_24(open_page, demo_warehouse):
    at = open_page(demo_warehouse, "exemplar_overview", period="2023/24")
    assert table_with(at, "Councils")["Councils"].sum() == ISSUE_COUNT_2023


@pytest.mark.parametrize("page", ["exemplar_overview", "exemplars"])
def test_a_completeness_threshold_of_0_renders(open_page, demo_warehouse, page):
    at = open_page(demo_warehouse, page, period="2023/24", completeness="0")
    assert at.number_input(key="completeness").value == 0


def test_a_council_without_values_at_threshold_0_says_why_it_has_no_composite():
    values = pd.DataFrame({"authority_code": ["A", "B", "C"], "indicator_id": "i1", "period": "2022/23",
                           "value": [3.0, 2.0, 1.0]})
    indicators = pd.DataFrame({"indicator_id": ["i1"], "theme": ["T"], "polarity": ["higher"]})
    from tests.test_exemplar_composite import make_tables

    wh = FrameWarehouse(make_tables(values, indicators))
    try:
        scores = group_scores(wh, ["A", "B", "C", "D"], "2022/23", min_completeness=0.0, k=1)
        table = evaluate(scores, ExemplarRule(min_completeness=0.0, k=1, require_maturity=False))
    finally:
        wh.close()
    d = table.set_index("authority_code").loc["D"]
    assert not d["is_exemplar"] and "no composite: no values of the chosen indicators" in d["failed"]
    assert "no composite (no values)" in d["reason"]


def test_the_python_mirror_agrees_with_the_macro_on_the_demo(demo_wh, authorities, demo_values):
    facts = authorities.set_index("authority_code")
    councils = facts[facts["is_council"].astype(bool) & (facts["tier"] != "combined")]
    periods = demo_wh.query("value_periods")
    for row in periods.itertuples(index=False):
        got = set(demo_wh.query("peer_candidates", period=row.period)["authority_code"])
        reported = set(demo_values.loc[demo_values["period"] == row.period, "authority_code"])
        mirror = {
            code
            for code, c in councils.iterrows()
            if belongs_to_period(c["start_date"], c["end_date"], row.period_start, row.period_end, code in reported)
        }
        assert got == mirror, row.period


def test_a_correlated_call_sees_each_period(demo_wh, authorities, demo_values):
    """``council_periods`` calls the macro once per period (councils_in(pv.period)): the macro's
    own names must not capture the caller's, so each call answers for its own period."""
    allerdale = "E07000026"  # abolished 1 April 2023
    got = demo_wh.query("council_periods", council=allerdale)["period"].tolist()
    expected = [p for p in demo_wh.query("value_periods")["period"]
                if allerdale in councils_of(authorities, demo_values, p)]
    assert got == expected and "2023/24" not in got and "2022/23" in got


# -- a council reported outside its life, on every page and in every export -------------------
@pytest.fixture(scope="module")
def reported_live(tmp_path_factory, reference_dir):
    folder = tmp_path_factory.mktemp("reported")
    return rx.build(folder / "src", folder / "wh" / "exemplar.duckdb", reference_dir)


@pytest.fixture(scope="module")
def reported_wh(reported_live):
    wh = FileWarehouse(reported_live)
    yield wh
    wh.close()


def expected_group(authorities: pd.DataFrame, period: str, authority_type: str, region: str) -> pd.Series:
    """Independently: the group's members (existed, or reported by the fixture's rows) and each
    valued member's rank (1 = highest, ties share the best rank), from the fixture's own rows."""
    rows = pd.DataFrame(rx.values())
    rows["value"] = rows["value"].astype(float)
    facts = authorities.set_index("authority_code")
    members = sorted(
        c for c in councils_of(authorities, rows, period)
        if facts.at[c, "authority_type"] == authority_type and facts.at[c, "region"] == region
    )
    valued = rows[(rows["period"] == period) & rows["authority_code"].isin(members)].set_index("authority_code")
    ranks = valued["value"].rank(method="min", ascending=False).astype(int)
    return ranks.reindex(members)


def test_the_reported_council_is_a_member_with_its_rank(reported_wh, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    assert rx.ALLERDALE in ranks.index and ranks[rx.ALLERDALE] == 1
    assert not set(rx.OTHER_CUMBRIAN_DISTRICTS) & set(ranks.index)  # abolished and not reported
    group = resolve_peer_group(reported_wh, PeerGroupSpec("type_region", rx.BURNLEY, period="2023/24"))
    assert group.codes == sorted(ranks.index)
    restated = resolve_peer_group(reported_wh, PeerGroupSpec("type_region", "E06000006", period="2022/23"))
    assert rx.CUMBERLAND in restated.codes  # a successor restated before it existed


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def test_profile_page_and_export_count_the_reported_council(open_page, reported_live, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    at = open_page(reported_live, "profile", council=rx.BURNLEY, group="type_region", period="2023/24")
    profile = table_with(at, "Rank")
    assert profile["Rank"].tolist() == [f"{ranks[rx.BURNLEY]} of {len(ranks)}"]
    assert rx.ALLERDALE in set(table_with(at, "Nation")["Code"])  # the members' table
    files = downloads(at)
    about = _csv(files["profile_download"]).iloc[0]
    assert rx.ALLERDALE in about["about_peer_group_members"].split() and about["n_ranked"] == len(ranks)
    values = _csv(files["group_values_download"]).set_index("authority_code")
    assert values["rank"].dropna().astype(int).to_dict() == ranks.to_dict()


def test_indicator_page_and_export_rank_the_reported_council(open_page, reported_live, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    at = open_page(reported_live, "indicator", council=rx.BURNLEY, group="type_region", period="2023/24",
                   indicator=rx.INDICATOR)
    table = table_with(at, "This council", count=2).set_index("Code")  # ranking and distribution tabs
    assert table.loc[rx.ALLERDALE, "Rank"] == f"1 of {len(ranks)}"
    ranking = _csv(downloads(at)["ranking_download"]).set_index("authority_code")
    assert ranking["rank"].dropna().astype(int).to_dict() == ranks.to_dict()
    assert set(ranking["n_ranked"]) == {len(ranks)}


def test_progress_page_and_export_rank_the_reported_council(open_page, reported_live, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    at = open_page(reported_live, "progress", council=rx.BURNLEY, group="type_region", indicator=rx.INDICATOR,
                   **{"from": "2022/23", "to": "2023/24"})
    table = table_with(at, "To rank").set_index("Council")
    assert table.loc["Allerdale", "To rank"] == 1 and set(table["Ranked (to)"]) == {len(ranks)}
    progress = _csv(downloads(at)["progress_download"]).set_index("authority_code")
    assert progress["rank_to"].dropna().astype(int).to_dict() == ranks.to_dict()


def test_browse_page_and_export_rank_the_reported_council(open_page, reported_live, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    at = open_page(reported_live, "browse", period="2023/24", former="1", indicator=rx.INDICATOR,
                   type=rx.DISTRICT_TYPE, region=rx.REGION)
    shown = table_with(at, "Quartile band").set_index("Code")
    assert set(shown.index) == set(ranks.index)
    assert shown["Rank"].astype(int).to_dict() == ranks.to_dict() and set(shown["Of"]) == {len(ranks)}
    exported = _csv(downloads(at)["browse_download"]).set_index("authority_code")
    assert exported["rank"].astype(int).to_dict() == ranks.to_dict()


def test_exemplar_pages_and_export_score_the_reported_council(open_page, reported_live, authorities):
    ranks = expected_group(authorities, "2023/24", rx.DISTRICT_TYPE, rx.REGION)
    at = open_page(reported_live, "exemplars", period="2023/24", type=rx.DISTRICT_TYPE, region=rx.REGION, k="1",
                   improvement="endpoints")  # two periods: too few for a tested trend
    summary = next(m.value for m in at.markdown if "councils in the group" in m.value)
    assert f"; {len(ranks)} councils in the group" in summary
    ranking = table_with(at, "Exemplar").set_index("Council")
    assert ranking.loc["Allerdale", "Rank"] == 1 and len(ranking) == len(ranks)
    assert "Allerdale" in set(_csv(downloads(at)["exemplar_ranking_download"])["short_name"])
    overview = open_page(reported_live, "exemplar_overview", period="2023/24", k="1")
    sizes = table_with(overview, "Councils").set_index(["Region", "Authority type"])
    assert sizes.loc[(rx.REGION, rx.DISTRICT_TYPE), "Councils"] == len(ranks)
