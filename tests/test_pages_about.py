"""Home, Data and methods, Accessibility statement and Support pages."""

from __future__ import annotations

import hashlib

import pandas as pd
from streamlit.testing.v1 import AppTest

from dashboard.warehouse import FileWarehouse

# AppTest does not expose a plain dataframe's key, so each table is found by a column only it has.
TABLE_COLUMNS = {
    "methods_indicators": "Better when", "methods_sources": "Synthetic", "methods_load_history": "Rows read",
    "methods_references": "Snapshot", "methods_group_kinds": "In links", "support_versions": "Item",
}


def frame(at: AppTest, key: str) -> pd.DataFrame:
    """The table the page shows under ``key`` (found by its distinctive column)."""
    tables = [d.value for d in at.dataframe if TABLE_COLUMNS[key] in d.value.columns]
    assert len(tables) == 1, f"expected one table for {key}, found {len(tables)}"
    return tables[0]


def text_of(at: AppTest) -> str:
    return "\n".join([m.value for m in at.markdown] + [c.value for c in at.caption]
                     + [h.value for h in at.header] + [s.value for s in at.subheader])


def meta_of(live) -> dict[str, str]:
    wh = FileWarehouse(live)
    try:
        return wh.scalar_meta()
    finally:
        wh.close()


def test_home_shows_the_journeys_and_counts_from_the_register(open_page, demo_warehouse, authorities):
    at = open_page(demo_warehouse, "dashboard/views/home.py")
    current = authorities[authorities["is_council"].astype(bool) & authorities["is_current"].astype(bool)]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Current councils"] == f"{len(current):,}"
    assert [s.value for s in at.subheader][:2] == ["Browse councils", "Compare a council with its peers"]
    links = [link.proto.page for link in at.get("page_link")]
    assert "browse" in links  # the url_path of the Browse page
    assert any("Indicators: synthetic" in w.value for w in at.warning)  # the demo: every figure is invented


def test_methods_lists_every_indicator_and_the_data_version(open_page, demo_warehouse, demo_source):
    at = open_page(demo_warehouse, "dashboard/views/methods.py")
    indicators = pd.read_csv(demo_source / "indicators.csv")
    shown = frame(at, "methods_indicators")
    assert set(shown["Id"]) == set(indicators["indicator_id"])
    merged = shown.merge(indicators, left_on="Id", right_on="indicator_id")
    words = merged["polarity"].map({"higher": "higher", "lower": "lower", "neutral": "neither"})
    assert (merged["Better when"] == words).all() and (merged["Unit"] == merged["unit"]).all()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Data version"] == meta_of(demo_warehouse)["data_version"]
    assert metrics["Synthetic data"] == "some"


def test_methods_lists_the_loaded_files_with_their_hashes(open_page, demo_warehouse, demo_source):
    at = open_page(demo_warehouse, "dashboard/views/methods.py")
    sources = frame(at, "methods_sources")
    expected = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in demo_source.glob("*.csv")}
    # The demo keeps some councils' answers private, so its responses file is the operator's alone.
    assert not pd.read_csv(demo_source / "responses.csv")["published"].all()
    del expected["responses.csv"]
    assert dict(zip(sources["File"], sources["SHA-256"], strict=True)) == expected
    history = frame(at, "methods_load_history")
    assert dict(zip(history["File"], history["SHA-256"], strict=True)) == expected


def test_methods_explains_the_methods_and_credits_the_sources(open_page, demo_warehouse, reference_dir):
    at = open_page(demo_warehouse, "dashboard/views/methods.py")
    text = text_of(at)
    for phrase in ("Ties share the best rank", "linear interpolation", "neither is better are not ranked",
                   "synthetic in this warehouse", "fixed random seed", "MIT licence", "mySociety"):
        assert phrase.lower() in text.lower(), phrase
    references = frame(at, "methods_references")
    assert "MIT" in set(references["Licence"]) and references["Snapshot"].str.fullmatch(r"\d{4}-\d\d(-\d\d)?").all()
    assert any("Open Government Licence" in licence for licence in references["Licence"])  # the boundaries
    kinds = frame(at, "methods_group_kinds")
    assert {"type_nation", "type_region", "region", "nation", "custom"} <= set(kinds["In links"])


def test_methods_theme_in_the_url_filters_and_a_bad_theme_falls_back(open_page, demo_warehouse, demo_source):
    indicators = pd.read_csv(demo_source / "indicators.csv")
    theme = sorted(indicators["theme"].unique())[1]
    at = open_page(demo_warehouse, "dashboard/views/methods.py", theme=theme)
    assert set(frame(at, "methods_indicators")["Id"]) == set(indicators.loc[indicators["theme"] == theme, "indicator_id"])
    at = open_page(demo_warehouse, "dashboard/views/methods.py", theme="Alchemy")
    assert any("Alchemy" in i.value for i in at.info)
    assert len(frame(at, "methods_indicators")) == len(indicators)


def test_accessibility_statement(open_page, demo_warehouse):
    at = open_page(demo_warehouse, "dashboard/views/accessibility.py")
    text = text_of(at)
    for phrase in ("WCAG", "2.2", "AA", "colour-blind safe", "Table", "keyboard", "partially compliant",
                   "Equality and Human Rights Commission", "prepared on"):
        assert phrase.lower() in text.lower(), phrase


def test_support_page_shows_versions_and_the_configured_contact(open_page, monkeypatch, demo_warehouse):
    monkeypatch.setenv("EXEMPLAR_SUPPORT_CONTACT", "help@example.org <b>x</b>")
    at = open_page(demo_warehouse, "dashboard/views/support.py")
    versions = dict(frame(at, "support_versions").itertuples(index=False))
    assert versions["Data version"] == meta_of(demo_warehouse)["data_version"]
    assert "indicators" in versions["Synthetic data"]  # the demo: its indicators are invented
    assert any("help@example.org <b>x</b>" in t.value for t in at.text)  # plain text, tags shown as typed
    assert "report a data error" in text_of(at).lower()
