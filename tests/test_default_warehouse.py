"""The default warehouse against the publishers' own files (issue 11 §4).

Expected figures are read straight from the ORIGINAL ONS files in ../shared/data (skipped where a
clone has none) and from the vendored similar-area files, with pandas and the csv module, never
through the importer; the default warehouse is built once per run (the ``default_build``
fixture). The pages are opened on it to check what is said to be real and what synthetic.
"""

from __future__ import annotations

import csv
import io
import json
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from dashboard.common.periods import FULL_SHARE
from etl.default_build import SPECS_DIR
from etl.importer.cells import slug
from etl.periods import parse_period
from tests.support.apptest import downloads
from tests.support.sources import query_warehouse

pytestmark = pytest.mark.slow  # builds the default warehouse: every council row ONS publishes

REPO = Path(__file__).resolve().parent.parent
ORIGINALS = REPO.parent / "shared" / "data" / "ons-local-statistics"
SIMILAR = REPO / "data" / "sources" / "ons-similar-areas"
COUNCIL_GEOGRAPHIES = ("Local Authority District", "County or Unitary Authority")
SUPPRESSED, MISSING = {"c", "u"}, {"x", "z"}  # the spec's mapping of ONS's status flags (and its notes)
BIRMINGHAM = "E08000025"

needs_originals = pytest.mark.skipif(not ORIGINALS.is_dir(), reason="the ONS originals (../shared/data) are not here")


def ons_spec() -> dict:
    return tomllib.loads((SPECS_DIR / "ons-local-statistics.toml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def codes(default_warehouse) -> dict[str, str]:
    """Every code the register (with its corrections) knows -> the council it is stored as."""
    return dict(query_warehouse(default_warehouse, "SELECT code, authority_code FROM ref.authority_codes"))


@pytest.fixture(scope="module")
def council_rows() -> pd.DataFrame:
    """The council-level rows of every original ONS file, as published (text)."""
    frames = [
        pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
        for path in sorted((ORIGINALS / "indicators").glob("*.csv"))
    ]
    rows = pd.concat(frames, ignore_index=True)
    return rows[rows["geography"].isin(COUNCIL_GEOGRAPHIES)].reset_index(drop=True)


@pytest.fixture(scope="module")
def expected(council_rows, codes) -> pd.DataFrame:
    """The original council rows as the warehouse should hold them: codes mapped to councils,
    indicator ids and period labels, ONS's flags as statuses, one copy of identical repeats."""
    rows = council_rows[council_rows["areacd"].str.upper().isin(codes)].copy()
    rows["authority_code"] = rows["areacd"].str.upper().map(codes)
    rows["indicator_id"] = rows["indicator"].map(slug)
    labels = {text: parse_period(text).label for text in rows["period"].unique()}
    rows["period_label"] = rows["period"].map(labels)
    for column in ("observation", "lci_95", "uci_95"):
        rows[column] = pd.to_numeric(rows[column].replace("", None))
    flag = rows["status"].str.strip().str.lower()
    rows["expected_status"] = None
    rows.loc[rows["notes"].str.contains("unreliable", case=False), "expected_status"] = "unreliable"
    rows.loc[rows["observation"].isna(), "expected_status"] = "missing"
    rows.loc[flag.isin(MISSING), "expected_status"] = "missing"
    rows.loc[flag.isin(SUPPRESSED), "expected_status"] = "suppressed"
    key = ["authority_code", "indicator_id", "period_label"]
    rows = rows.drop_duplicates(subset=[*key, "observation", "lci_95", "uci_95", "expected_status"])
    assert not rows.duplicated(subset=key).any(), "the originals give two different values for one key"
    return rows


@needs_originals
def test_every_value_equals_the_ons_files_count_and_sum_per_indicator_and_period(default_warehouse, expected):
    want = expected.groupby(["indicator_id", "period_label"]).agg(
        rows=("observation", "size"),
        values=("observation", "count"),
        total=("observation", "sum"),
        lower=("lci_95", "sum"),
        upper=("uci_95", "sum"),
    )
    got = pd.DataFrame(
        query_warehouse(
            default_warehouse,
            """SELECT indicator_id, period, count(*), count(value), coalesce(sum(value), 0),
                      coalesce(sum(lower_ci), 0), coalesce(sum(upper_ci), 0)
               FROM indicator_values WHERE source_name = 'ons-local-statistics' GROUP BY ALL""",
        ),
        columns=["indicator_id", "period_label", "rows", "values", "total", "lower", "upper"],
    ).set_index(["indicator_id", "period_label"])
    assert want["rows"].sum() > 250_000  # ONS publishes ~255,000 council rows
    assert sorted(got.index) == sorted(want.index)
    got = got.loc[want.index]
    assert (got["rows"] == want["rows"]).all() and (got["values"] == want["values"]).all()
    for column in ("total", "lower", "upper"):
        assert got[column].to_numpy() == pytest.approx(want[column].to_numpy(), rel=1e-9, abs=1e-9), column


@needs_originals
def test_onss_flags_are_carried_as_statuses(default_warehouse, expected):
    want = expected.groupby(["indicator_id", expected["expected_status"].fillna("")]).size()
    got = pd.Series(
        dict(
            ((indicator, status or ""), n)
            for indicator, status, n in query_warehouse(
                default_warehouse,
                "SELECT indicator_id, status, count(*) FROM indicator_values "
                "WHERE source_name = 'ons-local-statistics' GROUP BY ALL",
            )
        )
    )
    assert got.sort_index().to_dict() == want.sort_index().to_dict()
    assert {"suppressed", "missing", "unreliable"} <= {s for _, s in want.index}


@needs_originals
def test_every_council_level_code_is_a_council_or_is_listed_with_the_reason(council_rows, codes, default_build):
    _, built = default_build
    report = built.reports[0]
    listed = {code: reason for code, reason, _ in report.not_councils}
    assert set(listed) == set(ons_spec()["councils"]["not_councils"])
    aggregates = set(report.aggregate_areas)
    names = dict(zip(council_rows["areacd"], council_rows["areanm"], strict=False))
    unexplained = sorted(
        code
        for code in set(council_rows["areacd"])
        if code.upper() not in codes and code not in listed and names[code] not in aggregates
    )
    assert unexplained == []
    assert all(reason.strip() for reason in listed.values())
    assert report.unmatched == [] and report.ambiguous == []


def published_metadata(node: object) -> set[tuple[str, str, str, int]]:
    """(label, source organisation, source URL, decimal places) of every indicator's entry in a
    publisher JSON file, however the file nests them."""
    found = set()
    if isinstance(node, dict):
        if "label" in node:
            found.add((node["label"], node.get("sourceOrg"), node.get("sourceURL"), int(node["decimalPlaces"])))
        shared = node.get("shared", {})  # fields a file's indicators have in common
        for key, child in node.items():
            if key != "shared":
                found |= published_metadata({**shared, **child} if isinstance(child, dict) else child)
    elif isinstance(node, list):
        for child in node:
            found |= published_metadata(child)
    return found


@needs_originals
def test_every_council_level_indicator_is_loaded_with_its_publishers_metadata(default_warehouse, council_rows):
    published = set()
    for path in sorted((ORIGINALS / "indicators").glob("*.json")):
        published |= published_metadata(json.loads(path.read_text(encoding="utf-8-sig")))
    loaded = query_warehouse(
        default_warehouse,
        "SELECT indicator_id, name, source, source_url, decimals, polarity, polarity_reason "
        "FROM indicators WHERE source_name = 'ons-local-statistics'",
    )
    assert {row[0] for row in loaded} == set(council_rows["indicator"].map(slug)) and len(loaded) == 83
    with (SPECS_DIR / "ons-polarity.csv").open(encoding="utf-8", newline="") as handle:
        polarity = {slug(row["indicator"]): (row["polarity"], row["reason"]) for row in csv.DictReader(handle)}
    for indicator_id, name, source, url, decimals, polarity_word, reason in loaded:
        assert (name, source, url, decimals) in published, indicator_id
        assert (polarity_word, reason) == polarity[indicator_id]


def test_outside_life_values_are_what_the_load_reported_and_none_is_a_register_artefact(default_build):
    live, built = default_build
    assert built.result is not None and built.result.outside_life is not None
    found = built.result.outside_life
    outside = query_warehouse(live, "SELECT count(*) FROM indicator_values WHERE outside_life")[0][0]
    assert outside == found.before_creation + found.after_abolition
    with (REPO / "data" / "corrections" / "uk-authorities.csv").open(encoding="utf-8", newline="") as handle:
        cleared = [row["local-authority-code"] for row in csv.DictReader(handle) if row["field"] == "start-date"]
    # councils whose register start date was only when the register's record began
    artefacts = query_warehouse(
        live,
        "SELECT count(*) FROM indicator_values v JOIN ref.authorities a USING (authority_code) "
        "WHERE v.outside_life AND list_contains(?, a.register_code) AND a.end_date IS NULL",
        [cleared],
    )
    assert artefacts == [(0,)]


def neighbour_file(name: str, codes: dict[str, str]) -> set[tuple[str, str, int]]:
    """(council, neighbour, rank) of a similar-areas file, combined authorities left out."""
    with (SIMILAR / name).open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return {
        (codes[row["AREACD"]], codes[row[str(rank)]], rank)
        for row in rows
        if not row["AREACD"].startswith("E47")
        for rank in range(1, 21)
        if row.get(str(rank))
    }


@pytest.mark.parametrize("kind", ["global", "economic", "demographic"])
def test_onss_similar_areas_are_loaded_as_published(default_warehouse, codes, kind):
    got = set(
        query_warehouse(
            default_warehouse,
            "SELECT authority_code, member_code, rank FROM peer_set_members WHERE set_id = ?",
            [f"ons-{kind}"],
        )
    )
    assert got == neighbour_file(f"{kind}-neighbours.csv", codes)
    assert {n for _, _, n in got} == set(range(1, 21))


def test_onss_clusters_are_family_sets_with_their_descriptions(default_warehouse, codes):
    with (SIMILAR / "cluster-allocation.csv").open(encoding="utf-8-sig", newline="") as handle:
        allocation = list(csv.DictReader(handle))
    descriptions = json.loads((SIMILAR / "cluster-descriptions.json").read_text(encoding="utf-8-sig"))
    for column in ("Global", "Economic", "Demographic"):
        set_id = f"ons-clusters-{column.lower()}"
        got = set(query_warehouse(
            default_warehouse, "SELECT authority_code, group_id FROM peer_set_members WHERE set_id = ?", [set_id]
        ))
        # "[x]": ONS put the council in no cluster of this kind
        assert got == {(codes[row["AREACD"]], row[column]) for row in allocation if row[column] != "[x]"}
        described = dict(query_warehouse(
            default_warehouse, "SELECT group_id, description FROM peer_set_groups WHERE set_id = ?", [set_id]
        ))
        assert described == {g: descriptions[column.lower()][g.lower()] for g in {g for _, g in got}}


# -- the pages on the default warehouse: what is real and what synthetic is said, and only that ---
def test_a_page_of_real_figures_carries_no_warning(open_page, default_warehouse):
    at = open_page(default_warehouse, "profile", council=BIRMINGHAM)
    assert [w.value for w in at.warning] == []
    about = pd.read_csv(io.BytesIO(downloads(at)["profile_download"]), encoding="utf-8-sig").iloc[0]
    assert not bool(about["about_synthetic_demo_data"])  # real indicators are not synthetic


def test_self_assessment_pages_say_the_answers_are_synthetic(open_page, default_warehouse):
    at = open_page(default_warehouse, "self_assessment", council=BIRMINGHAM)
    (banner,) = [w.value for w in at.warning]
    assert "Self\\-assessment answers: synthetic" in banner and "Indicators" not in banner
    files = {key: data for key, data in downloads(at).items() if key.endswith("_download")}  # the CSVs
    assert files
    for data in files.values():
        assert bool(pd.read_csv(io.BytesIO(data), encoding="utf-8-sig").iloc[0]["about_synthetic_demo_data"])


def test_pages_with_both_say_which_is_which(open_page, default_warehouse):
    at = open_page(default_warehouse, "maturity_outcomes", council=BIRMINGHAM)
    banner = at.warning[0].value  # the banner comes first (the page's own caveat follows it)
    assert "**Indicators: real** (Office for National Statistics" in banner
    assert "Open Government Licence v3\\.0" in banner
    assert "**Self\\-assessment answers: synthetic**" in banner


def test_the_peer_groups_page_shows_the_councils_clusters_and_what_they_are_like(open_page, default_warehouse):
    with (SIMILAR / "cluster-allocation.csv").open(encoding="utf-8-sig", newline="") as handle:
        birmingham = next(row for row in csv.DictReader(handle) if row["AREACD"] == BIRMINGHAM)
    descriptions = json.loads((SIMILAR / "cluster-descriptions.json").read_text(encoding="utf-8-sig"))
    at = open_page(default_warehouse, "peer_groups", council=BIRMINGHAM, set="ons-clusters-global")
    text = "\n".join(m.value for m in at.markdown).replace("\\", "")
    for column in ("Global", "Economic", "Demographic"):
        assert f"ONS clusters: {column}: group {birmingham[column]}" in text
        assert descriptions[column.lower()][birmingham[column].lower()][:60] in text
    assert [w.value for w in at.warning] == []  # peer groups are real


def test_the_methods_page_gives_each_indicators_polarity_reason(open_page, default_warehouse):
    at = open_page(default_warehouse, "methods")
    table = next(d.value for d in at.dataframe if "Why" in d.value.columns)
    with (SPECS_DIR / "ons-polarity.csv").open(encoding="utf-8", newline="") as handle:
        reasons = {slug(row["indicator"]): row["reason"] for row in csv.DictReader(handle)}
    shown = dict(zip(table["Id"], table["Why"], strict=True))
    assert {k: shown[k] for k in reasons} == reasons


def test_the_indicator_page_gives_the_reason_for_the_polarity(open_page, default_warehouse):
    with (SPECS_DIR / "ons-polarity.csv").open(encoding="utf-8", newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["indicator"] == "Claimant Count")
    at = open_page(default_warehouse, "indicator", indicator=slug(row["indicator"]), council=BIRMINGHAM)
    assert any(row["reason"] in c.value.replace("\\", "") for c in at.caption)


def test_home_and_support_say_what_is_synthetic_without_a_warning_on_home(open_page, default_warehouse):
    at = open_page(default_warehouse, "home")
    assert [w.value for w in at.warning] == []  # Home shows indicator counts: real
    summary = next(c.value for c in at.caption if "Self\\-assessment answers" in c.value)
    assert "**Indicators: real**" in summary and "**Self\\-assessment answers: synthetic**" in summary
    at = open_page(default_warehouse, "support")
    versions = dict(next(d.value for d in at.dataframe if "Item" in d.value.columns).itertuples(index=False))
    assert versions["Synthetic data"] == "self-assessment answers"


@pytest.mark.parametrize("page", ["exemplars", "exemplar_overview", "transformed"])
def test_the_exemplar_pages_open_on_a_period_most_indicators_have_figures_for(open_page, default_warehouse, page):
    # ONS puts each indicator on its own calendar: the newest period holds one indicator, and a
    # composite of one indicator ranks nothing. The page opens on the newest period with at least
    # half as many indicators as the fullest one.
    per_period = dict(query_warehouse(
        default_warehouse,
        "SELECT period, count(DISTINCT indicator_id) FROM indicator_values WHERE value IS NOT NULL GROUP BY period",
    ))
    newest = dict(query_warehouse(default_warehouse, "SELECT period, period_start FROM periods"))
    at = open_page(default_warehouse, page)
    chosen = next(s.value for s in at.selectbox if s.label == "Period")
    fullest = max(per_period.values())
    assert per_period[chosen] >= FULL_SHARE * fullest > 1
    later = [p for p in per_period if newest[p] > newest[chosen]]
    assert later and all(per_period[p] < FULL_SHARE * fullest for p in later)
