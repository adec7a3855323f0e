"""Robustness across peer definitions: every definition's groups equal the peer pages' own
resolution council by council, each verdict equals the rule run alone in that group, and the
finder and its shortlist CSV show the result. On the demo plus a family-group set."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from dashboard.exemplars import finder, scoring
from dashboard.exemplars.exports import shortlist_frame
from dashboard.exemplars.robustness import LIST_SEPARATOR, robustness, robustness_text
from dashboard.exemplars.rule import ENDPOINTS, ExemplarRule, evaluate
from dashboard.exemplars.stability import StabilitySettings
from dashboard.exemplars.widgets import Method
from dashboard.peers.alternatives import alternative_groups
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.views.compose import exemplar_robustness, maturity_for_rule
from dashboard.warehouse import FileWarehouse
from etl import neighbours
from etl.load import Source, load_sources
from tests.support.apptest import downloads
from tests.support.sources import write_source

PERIOD = "2024/25"
FAMILY_SET = "test-families"


@pytest.fixture(scope="module")
def live(tmp_path_factory, demo_source, reference_dir, authorities):
    """The demo, its computed neighbours and a family-group set (type x deprivation quintile,
    current councils only), as one published warehouse."""
    from etl import demo

    root = tmp_path_factory.mktemp("robustness")
    current = authorities[authorities["is_council"] & authorities["is_current"]].dropna(subset=["deprivation_quintile"])
    members = pd.DataFrame(
        {
            "set_id": FAMILY_SET,
            "authority_code": current["authority_code"],
            "group_id": current["authority_type_code"] + "-" + current["deprivation_quintile"].astype(int).astype(str),
        }
    )
    sets = pd.DataFrame(
        {"set_id": [FAMILY_SET], "name": ["Type and deprivation"], "kind": ["family"], "method": ["test fixture"]}
    )
    family = write_source(
        root / "families",
        {"peer_sets.csv": sets.to_csv(index=False), "peer_set_members.csv": members.to_csv(index=False)},
    )
    path = root / "wh" / "exemplar.duckdb"
    result = load_sources(
        [Source.of(demo_source, demo.DEMO_SOURCE_NAME, synthetic=True), Source.of(family, "families")],
        path,
        reference_dir=reference_dir,
    )
    assert result.ok, result.problems
    assert neighbours.compute_and_load(path, reference_dir=reference_dir).ok
    return path


@pytest.fixture(scope="module")
def wh(live):
    warehouse = FileWarehouse(live)
    yield warehouse
    warehouse.close()


def _councils(wh, authority_type):
    candidates = finder.group_candidates(wh, PERIOD)
    return sorted(candidates.loc[candidates["authority_type"] == authority_type, "authority_code"])


def test_every_definition_resolves_as_the_peer_pages_do(wh):
    codes = _councils(wh, "Metropolitan district") + _councils(wh, "London borough")[:6]
    codes += ["E06000063", "E07000026"]  # Cumberland (current), Allerdale (abolished: no group)
    groups = alternative_groups(wh, codes, PERIOD)
    ids = {d.id for d in groups}
    assert ids == {"type_nation", "type_region", "neighbours:computed-neighbours", f"family:{FAMILY_SET}"}
    for definition, by_council in groups.items():
        assert "E07000026" not in by_council  # did not exist in 2024/25: no definition applies
        for council, members in by_council.items():
            spec = PeerGroupSpec(kind=definition.kind, council=council, set_id=definition.set_id, period=PERIOD)
            assert members == resolve_peer_group(wh, spec).codes, (definition.id, council)


@pytest.mark.parametrize("improvement", ["trend", ENDPOINTS])
def test_each_verdict_equals_the_rule_run_alone_in_that_group(wh, improvement):
    rule = ExemplarRule(improvement=improvement)
    indicators = scoring.rankable_indicators(wh)["indicator_id"].tolist()
    method = Method(indicators, scoring.Weights(), rule, StabilitySettings(), use_maturity=True)
    codes = _councils(wh, "Metropolitan district")
    alone = finder.find_exemplars(wh, codes, PERIOD, rule, maturity=maturity_for_rule(wh, codes, rule))
    shortlist = alone.table.loc[alone.table["is_exemplar"], "authority_code"].tolist()
    shortlist += alone.near_misses["authority_code"].tolist()[:3]
    assert shortlist
    got = exemplar_robustness(wh, shortlist, PERIOD, method).set_index("authority_code")
    groups = alternative_groups(wh, shortlist, PERIOD)
    for council in shortlist:
        expected_yes, expected_no = [], []
        for definition in groups:
            spec = PeerGroupSpec(kind=definition.kind, council=council, set_id=definition.set_id, period=PERIOD)
            group = resolve_peer_group(wh, spec)
            if council not in groups[definition]:
                continue
            scores = scoring.group_scores(wh, group.codes, PERIOD, k=rule.k, trend=rule.trend_to_score)
            table = evaluate(scores, rule, maturity_for_rule(wh, group.codes, rule)).set_index("authority_code")
            (expected_yes if table.loc[council, "is_exemplar"] else expected_no).append(definition.label)
        row = got.loc[council]
        assert row["exemplar_under"] == LIST_SEPARATOR.join(expected_yes), council
        assert row["not_exemplar_under"] == LIST_SEPARATOR.join(expected_no), council
        assert row["robustness"] == robustness_text(len(expected_yes), len(expected_yes) + len(expected_no))
    # the finder's own group is one of the definitions: its exemplars are exemplars under it
    national = got.loc[alone.table.loc[alone.table["is_exemplar"], "authority_code"], "exemplar_under"]
    assert national.str.contains("Same authority type, nationally").all()


def test_a_definition_that_does_not_cover_a_council_is_not_counted(wh):
    rule = ExemplarRule(require_maturity=False)
    codes = _councils(wh, "London borough")
    definitions = {"Everyone": {c: codes for c in codes}, "Only the first": {codes[0]: codes}}
    got = robustness(wh, codes[:2], definitions, PERIOD, rule).set_index("authority_code")
    assert got.loc[codes[0], "definitions_applicable"] == 2 and got.loc[codes[1], "definitions_applicable"] == 1
    assert robustness_text(0, 0) == "no peer definition applies"
    assert robustness_text(4, 5) == "exemplar under 4 of 5 peer definitions"


def test_shortlist_frame_carries_robustness_and_trend_columns():
    table = pd.DataFrame(
        {
            "authority_code": ["A"],
            "is_exemplar": [True],
            "robustness": ["exemplar under 2 of 3 peer definitions"],
            "exemplar_under": ["X; Y"],
            "not_exemplar_under": ["Z"],
            "definitions_exemplar": [2],
            "definitions_applicable": [3],
            "trend_improving": [4],
            "trend_worsening": [1],
            "trend_tested": [9],
        }
    )
    frame = shortlist_frame(table, {"A": "Council A"})
    assert frame.loc[0, "robustness_across_peer_definitions"] == "exemplar under 2 of 3 peer definitions"
    assert frame.loc[0, "not_exemplar_under"] == "Z" and frame.loc[0, "peer_definitions_applicable"] == 3
    assert frame.loc[0, "indicators_improving_significantly"] == 4


def test_the_finder_shows_and_exports_robustness(open_page, live):
    at = open_page(live, "exemplars", period=PERIOD, type="Metropolitan district", region="All regions", draws="20")
    shown = next(d.value for d in at.dataframe if "Under other peer definitions" in d.value.columns)
    assert shown["Under other peer definitions"].str.match(r"exemplar under \d of \d peer definitions").all()
    exported = pd.read_csv(io.BytesIO(downloads(at)["exemplar_shortlist_download"]), encoding="utf-8-sig")
    assert exported["robustness_across_peer_definitions"].notna().all()
    assert "Family group: Type and deprivation" in " ".join(
        exported["exemplar_under"].fillna("") + exported["not_exemplar_under"].fillna("")
    )
    assert exported["about_robustness_method"].notna().all()
