"""Size limits (issue 16 section 6): with more indicators than any limit, a page lists and reads
at most its limit, says so, and still lets the reader reach every indicator.

The warehouse (tests/support/many_fixture.py) holds 900 indicators, above every limit of
``dashboard/common/limits.py``; one test lowers a limit to show the pages read the constant.
No timings: what is proved is how much a page fetches and shows.
"""

from __future__ import annotations

import pytest

from dashboard.common import catalogue, limits
from dashboard.exemplars import scoring
from dashboard.peers import statistics
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse
from tests.support import apptest
from tests.support import many_fixture as fx
from tests.support.apptest import page_text, table_with

COUNCIL = fx.COUNCILS[0]
PERIOD = fx.PERIODS[-1]
LAST = fx.in_theme_order()[-1]  # far beyond the first page of any menu or list
PAGES_WITH_AN_INDICATOR_MENU = ["browse", "indicator", "progress", "former_councils", "profile"]


@pytest.fixture(scope="module")
def many_live(tmp_path_factory, reference_dir):
    folder = tmp_path_factory.mktemp("many-indicators")
    return fx.build(folder / "src", folder / "wh" / "exemplar.duckdb", reference_dir)


@pytest.fixture
def many_wh(many_live):
    wh = FileWarehouse(many_live)
    yield wh
    wh.close()


@pytest.fixture
def open_listing(monkeypatch, many_live):
    """``open_listing(page, **params)``: a page on the many-indicators warehouse; unlike the
    ``open_page`` fixture it takes ``page`` as a URL parameter too (the listing's page number)."""
    apptest.keep_downloads(monkeypatch)
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(many_live))

    def _open(view: str, **params: str):
        at = apptest.new_app()
        for key, value in params.items():
            at.query_params[key] = value
        at.run()  # registers the pages, so the view is found by its file
        at.switch_page(apptest.page_path(view)).run()
        assert not at.exception, [e.value for e in at.exception]
        return at

    return _open


def _labels(at, key: str) -> list[str]:
    return list(at.selectbox(key=key).options)


def test_the_fixture_is_above_every_limit():
    assert max(limits.MENU_LIMIT, limits.PROFILE_PAGE_SIZE, limits.DEFINITIONS_PAGE_SIZE) < fx.INDICATORS
    assert len(fx.rankable_in_theme_order()) > limits.FINDER_INDICATOR_LIMIT


# -- menus: a search, never every indicator ------------------------------------------------------
@pytest.mark.parametrize("page", PAGES_WITH_AN_INDICATOR_MENU)
def test_an_indicator_menu_lists_at_most_the_limit_and_offers_a_search(open_page, many_live, page):
    at = open_page(many_live, page, council=COUNCIL)
    options = _labels(at, "indicator")
    assert len(options) == limits.MENU_LIMIT
    assert options[0].startswith("Indicator 00000")  # the first in theme order
    assert at.text_input(key="find") is not None
    assert f"{fx.INDICATORS:,} indicators: the menu lists the first {limits.MENU_LIMIT:,}" in page_text(at)


def test_searching_reaches_an_indicator_beyond_the_menu_and_opens_it(open_page, many_live):
    at = open_page(many_live, "indicator", council=COUNCIL)
    assert not any("Indicator 00899" in o for o in _labels(at, "indicator"))
    at.text_input(key="find").input("indicator 0089").run()
    options = _labels(at, "indicator")
    assert any(o.startswith("Indicator 00899") for o in options)
    assert len(options) == 10 + 1  # the ten matches and the indicator already chosen
    at.selectbox(key="indicator").select(LAST).run()
    assert not at.exception
    assert "Indicator 00899" in at.subheader[0].value
    assert at.query_params["indicator"] == LAST


def test_a_link_to_any_indicator_opens_it_without_a_notice(open_page, many_live):
    at = open_page(many_live, "indicator", council=COUNCIL, indicator=LAST)
    assert at.selectbox(key="indicator").value == LAST
    assert not any("not available" in str(i.value) for i in at.info)
    assert "Indicator 00899" in at.subheader[0].value


def test_a_search_that_matches_nothing_says_so_and_keeps_the_menu(open_page, many_live):
    at = open_page(many_live, "browse", find="no such thing")
    assert "No indicator's name, theme or code contains" in page_text(at)
    assert len(_labels(at, "indicator")) == limits.MENU_LIMIT


def test_the_menu_search_is_a_parameter_not_sql(many_wh):
    menu = catalogue.indicator_menu(many_wh, "'; DROP TABLE indicators; --", [], limits.MENU_LIMIT)
    assert menu.empty
    assert catalogue.indicator_count(many_wh) == fx.INDICATORS
    wildcard = catalogue.indicator_menu(many_wh, "%", [], limits.MENU_LIMIT)
    assert wildcard.empty  # a LIKE wildcard is a plain character here


# -- the council profile: one page of indicators at a time ---------------------------------------
def _profile_names(at) -> list[str]:
    return table_with(at, "Trend")["Indicator"].tolist()


def _names(ids: list[str]) -> list[str]:
    return [f"Indicator {int(i.split('_')[1]):05d}" for i in ids]


def test_the_profile_shows_one_page_with_a_notice(open_listing):
    at = open_listing("profile", council=COUNCIL, period=PERIOD)
    shown = _profile_names(at)
    assert shown == _names(fx.in_theme_order()[: limits.PROFILE_PAGE_SIZE])
    assert f"Showing indicators 1 to {limits.PROFILE_PAGE_SIZE} of {fx.INDICATORS}" in page_text(at)


def test_every_indicator_is_reached_page_by_page(open_listing, monkeypatch):
    monkeypatch.setattr(limits, "PROFILE_PAGE_SIZE", 300)  # the limit is the constant: 3 pages here
    seen: list[str] = []
    for page in range(1, 4):
        at = open_listing("profile", council=COUNCIL, period=PERIOD, page=str(page))
        shown = _profile_names(at)
        assert len(shown) == 300
        seen += shown
    assert len(set(seen)) == fx.INDICATORS
    assert "Showing indicators 601 to 900 of 900" in page_text(at)


def test_a_theme_narrows_the_pages(open_listing):
    at = open_listing("profile", council=COUNCIL, period=PERIOD, theme="Theme 3", page="3")
    shown = _profile_names(at)
    assert shown == _names(fx.in_theme_order()[-limits.PROFILE_PAGE_SIZE :])
    assert "Showing indicators 201 to 300 of 300" in page_text(at)


def test_a_page_beyond_the_last_falls_back_with_a_notice(open_listing):
    at = open_listing("profile", council=COUNCIL, period=PERIOD, page="99999")
    assert "page value" in page_text(at)
    assert len(_profile_names(at)) == limits.PROFILE_PAGE_SIZE


def test_the_profile_queries_fetch_one_page(many_wh):
    group = resolve_peer_group(many_wh, PeerGroupSpec("type_nation", COUNCIL, period=PERIOD))
    page = statistics.peer_profile(many_wh, group, PERIOD, page=9)
    expected = fx.in_theme_order()[8 * limits.PROFILE_PAGE_SIZE :]
    assert page["indicator_id"].tolist() == expected
    assert page["n_values"].eq(len(fx.COUNCILS)).all()  # the figures are there, not just the rows
    series = statistics.council_series(many_wh, COUNCIL, PERIOD, expected[:3])
    assert sorted(series) == expected[:3]


# -- the exemplar finder: at most the limit per run ----------------------------------------------
def test_the_finder_scores_at_most_the_limit_and_says_so(open_page, many_live):
    at = open_page(many_live, "exemplars")
    chosen = at.multiselect(key="indicators").value
    assert chosen == fx.rankable_in_theme_order()[: limits.FINDER_INDICATOR_LIMIT]
    assert f"{len(fx.rankable_in_theme_order()):,} indicators can be ranked" in page_text(at)
    assert len(at.multiselect(key="indicators").options) == limits.FINDER_INDICATOR_LIMIT


def test_the_finder_can_swap_in_an_indicator_found_by_search(open_page, many_live):
    at = open_page(many_live, "exemplars")
    at.text_input(key="find").input("Indicator 00898").run()
    box = at.multiselect(key="indicators")
    assert any("Indicator 00898" in o for o in box.options)
    box.unselect(fx.rankable_in_theme_order()[0]).select(fx.indicator_id(898)).run()
    assert not at.exception
    chosen = at.multiselect(key="indicators").value
    assert fx.indicator_id(898) in chosen and len(chosen) == limits.FINDER_INDICATOR_LIMIT


def test_a_link_with_too_many_indicators_keeps_the_first_within_the_limit(open_page, many_live, monkeypatch):
    monkeypatch.setattr(limits, "FINDER_INDICATOR_LIMIT", 20)
    wanted = fx.rankable_in_theme_order()[-30:]
    at = open_page(many_live, "exemplars", indicators=",".join(wanted))
    assert at.multiselect(key="indicators").value == wanted[:20]
    assert "the first 20" in page_text(at)


def test_scores_without_a_choice_use_the_first_indicators_within_the_limit(many_wh):
    assert scoring.default_indicators(many_wh) == fx.rankable_in_theme_order()[: limits.FINDER_INDICATOR_LIMIT]
    scores = scoring.group_scores(many_wh, fx.COUNCILS, PERIOD, k=0, trend=None)
    assert set(scores.values["indicator_id"]) == set(scoring.default_indicators(many_wh) or [])


# -- the Data and methods page: definitions a page at a time, the limits in words -----------------
def test_definitions_come_a_page_at_a_time(open_listing):
    at = open_listing("methods", definitions_page="5")
    shown = table_with(at, "Better when")
    assert shown["Id"].tolist() == fx.in_theme_order()[4 * limits.DEFINITIONS_PAGE_SIZE :]
    assert f"Showing indicators 801 to 900 of {fx.INDICATORS}" in page_text(at)


def test_the_methods_page_states_every_limit(open_page, many_live):
    text = page_text(open_page(many_live, "methods"))
    for sentence in limits.limit_sentences():
        assert sentence in text
    for number in (limits.MENU_LIMIT, limits.PROFILE_PAGE_SIZE, limits.FINDER_INDICATOR_LIMIT):
        assert f"{number:,}" in text


# -- the notices speak plain English ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("view", "notice"),
    [
        ("browse", "the menu lists the first"),
        ("profile", "Showing indicators 1 to"),
        ("exemplars", "indicators can be ranked"),
        ("methods", "Showing indicators 1 to"),
    ],
)
def test_the_limit_notices_speak_plain_english(open_listing, view, notice):
    from tests.test_plain_english import offences

    at = open_listing(view, council=COUNCIL)
    notices = [str(e.value) for kind in (at.info, at.caption, at.warning) for e in kind]
    labels = [str(w.proto.label) for kind in ("text_input", "number_input") for w in at.get(kind)]
    assert any(notice in n for n in notices)  # the limit is said where it applies
    assert not offences(notices + labels, snake_case=True)
