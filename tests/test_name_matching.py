"""Council name and code matching against the real register: every spelling the register knows
matches its council, ambiguous names are reported with their candidates, nothing is guessed."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from etl import reference
from etl.importer.match import AGGREGATE_AREAS, WELSH_NAMES, Matcher, normalise_name


@pytest.fixture(scope="module")
def matcher(reference_dir):
    """A matcher on the real register."""
    return Matcher.from_register(reference_dir)


@pytest.fixture(scope="module")
def register_names(reference_dir, authorities):
    """Every (alternative name, authority_code) pair in the register's name lookup file."""
    lookup = pd.read_csv(reference_dir / reference.NAMES_FILE, dtype=str, keep_default_na=False)
    key_of = dict(zip(authorities["register_code"], authorities["authority_code"], strict=True))
    return list(zip(lookup["la-name"], lookup["local-authority-code"].map(key_of), strict=True))


@pytest.fixture(scope="module")
def codes_per_name(reference_dir):
    """Independently of the matcher: how many councils each spelling (case/space folded) names."""
    names = reference.read_authority_names(reference_dir)
    folded = names["name"].str.casefold().str.split().str.join(" ")
    return names.groupby(folded)["authority_code"].agg(lambda s: set(s)).to_dict()


def test_every_alternative_name_in_the_register_matches_its_council(matcher, register_names, codes_per_name):
    assert len(register_names) > 1500
    checked = 0
    areas = {" ".join(s.casefold().split()) for name, _, others in AGGREGATE_AREAS for s in (name, *others)}
    for name, code in register_names:
        result = matcher.match_name(name)
        folded = " ".join(name.casefold().split())
        if len(codes_per_name[folded]) == 1 and folded not in areas:
            assert result.outcome == "matched" and result.authority_code == code, (name, code, result)
            checked += 1
        else:  # two councils (or a council and a region) share this spelling: report, never pick
            assert result.outcome == "ambiguous", (name, result)
            assert any(c.startswith(code) for c in result.candidates)
    assert checked > 1500


def test_names_shared_by_an_old_county_and_its_new_unitary_are_ambiguous(matcher):
    for name in ("North Yorkshire", "somerset", "SOMERSET "):
        result = matcher.match_name(name)
        assert result.outcome == "ambiguous" and result.authority_code is None
        assert len(result.candidates) == 2
    # The normalised form of "Dorset Council" fits both Dorset councils: also reported.
    assert matcher.match_name("Dorset Council.").outcome == "ambiguous"


def test_overrides_settle_an_ambiguous_name(matcher):
    settled = matcher.with_overrides({"Somerset": "E06000066"})
    assert settled.match_name("somerset").authority_code == "E06000066"
    assert matcher.match_name("Somerset").outcome == "ambiguous"  # the shared matcher is unchanged
    with pytest.raises(ValueError, match="not a code in the register"):
        matcher.with_overrides({"Somerset": "E99999999"})


@pytest.mark.parametrize("written, code", [
    ("Birmingham City Council", "E08000025"),
    ("BIRMINGHAM", "E08000025"),
    ("Bristol, City of", "E06000023"),
    ("City of Bristol Council", "E06000023"),
    ("Kingston upon Hull, City of", "E06000010"),
    ("Brighton & Hove", "E06000043"),
    ("Brighton and Hove City Council", "E06000043"),
    ("St. Helens Metropolitan Borough Council", "E08000013"),
    ("Saint Helens", "E08000013"),
    ("Stockton on Tees Borough Council", "E06000004"),
    ("Royal Borough of Greenwich", "E09000011"),
    ("Wirral Metropolitan Borough", "E08000015"),
    ("  leeds   city council ", "E08000035"),
    ("Kent County Council", "E10000016"),
    ("Ynys Môn", "W06000001"),
    ("Cyngor Sir Ynys Mon", "W06000001"),
    ("Abertawe", "W06000011"),
    ("Sir Gaerfyrddin", "W06000010"),
    ("Cardiff Council", "W06000015"),
    ("City of London", "E09000001"),
])
def test_normalised_spellings(matcher, written, code):
    result = matcher.match_name(written)
    assert (result.outcome, result.authority_code) == ("matched", code), result


@pytest.mark.parametrize("written, area", [
    ("England", "England"), ("UK", "United Kingdom"), ("United Kingdom", "United Kingdom"),
    ("Great Britain", "Great Britain"), ("England & Wales", "England and Wales"), ("Scotland", "Scotland"),
    ("Northern Ireland", "Northern Ireland"), ("Wales average", "Wales"), ("London", "London"),
    ("Yorkshire and the Humber", "Yorkshire and The Humber"), ("East of England", "East of England"),
    ("England total", "England"), ("North West", "North West"), ("South West", "South West"),
    ("London (Inner)", "Inner London"), ("Inner London", "Inner London"), ("London (Outer)", "Outer London"),
    ("Outer London", "Outer London"), ("East Midlands", "East Midlands"), ("South East", "South East"),
])
def test_aggregate_areas_are_recognised_and_never_councils(matcher, written, area):
    result = matcher.match_name(written)
    assert result.outcome == "aggregate" and result.area_name == area and result.authority_code is None


@pytest.mark.parametrize("code, area", [
    ("E92000001", "England"), ("K02000001", "United Kingdom"), ("K03000001", "Great Britain"),
    ("K04000001", "England and Wales"), ("N92000002", "Northern Ireland"), ("S92000003", "Scotland"),
    ("W92000004", "Wales"), ("E13000001", "Inner London"), ("E13000002", "Outer London"),
    *((f"E1200000{n}", None) for n in range(1, 10)),
])
def test_aggregate_areas_are_recognised_by_ons_code(matcher, code, area):
    result = matcher.match_code(code, "gss")
    assert result.outcome == "aggregate" and result.area_code == code and result.authority_code is None
    assert area is None or result.area_name == area


@pytest.mark.parametrize("written, code", [
    ("Cumbria (Pre LG)", "E10000006"), ("Somerset (former)", "E10000027"),
    ("Buckinghamshire (Pre LG)", "E10000002"), ("Northamptonshire [abolished]", "E10000021"),
])
def test_a_name_marked_former_means_the_abolished_council(matcher, written, code):
    result = matcher.match_name(written)
    assert (result.outcome, result.authority_code) == ("matched", code)
    assert matcher.lifetimes[code][1] is not None


def test_a_former_marker_on_a_council_never_abolished_is_not_guessed(matcher):
    assert matcher.match_name("Birmingham (former)").outcome == "unmatched"


def test_fitting_picks_the_council_the_register_dates_fit(matcher):
    county, unitary = "E10000027", "E06000066"
    fy = lambda year: (dt.date(year, 4, 1), dt.date(year + 1, 3, 31))  # noqa: E731
    assert matcher.fitting([county, unitary], *fy(2022)) == [county]
    assert matcher.fitting([county, unitary], *fy(2023)) == [unitary]
    # calendar 2023 saw both; the one existing on its last day is the publisher's geography
    assert matcher.fitting([county, unitary], dt.date(2023, 1, 1), dt.date(2023, 12, 31)) == [unitary]
    assert set(matcher.fitting([county, unitary], dt.date(2023, 1, 1), dt.date(2023, 3, 31))) == {county}


@pytest.mark.parametrize("written", ["Gotham", "Birmingam", "Leed", "Manchester United", "Bristol Rovers", "Kent Co"])
def test_near_misses_are_not_guessed(matcher, written):
    assert matcher.match_name(written).outcome == "unmatched"


def test_codes_by_kind(matcher):
    assert matcher.match_code("e08000025", "gss").authority_code == "E08000025"
    assert matcher.match_code("BIR", "register").authority_code == "E08000025"
    assert matcher.match_code("BIR", "gss").outcome == "unmatched"  # a register code is not a GSS code
    assert matcher.match_code("E92000001", "gss").outcome == "aggregate"
    assert matcher.match_code("", "code").outcome == "blank"


def test_former_gss_codes_map_to_the_current_council(matcher, authorities):
    former = authorities.explode("former_gss_codes").dropna(subset=["former_gss_codes"])
    assert len(former) > 0
    for old, code in zip(former["former_gss_codes"], former["authority_code"], strict=True):
        assert matcher.match_code(old, "former_gss").authority_code == code
        assert matcher.match_code(old, "gss").outcome == "unmatched"


def test_every_welsh_form_is_a_current_welsh_council(matcher, authorities):
    welsh = set(authorities.loc[authorities["is_current"] & (authorities["nation"] == "Wales"), "authority_code"])
    for forms in WELSH_NAMES.values():
        for form in forms:
            assert matcher.match_name(form).authority_code in welsh, form


def test_aggregate_names_never_become_councils(matcher, codes_per_name):
    for name, _, others in AGGREGATE_AREAS:
        for spelling in (name, *others):
            result = matcher.match_name(spelling)
            if " ".join(spelling.casefold().split()) in codes_per_name:
                # also a register name (e.g. the North East combined authority): ambiguous
                assert result.outcome == "ambiguous", spelling
                assert any("aggregate area" in c for c in result.candidates)
            else:
                assert result.outcome == "aggregate", spelling


def test_region_named_like_a_combined_authority_is_ambiguous_until_settled(matcher):
    result = matcher.match_name("North East")
    assert result.outcome == "ambiguous"
    assert result.candidates == ("E47000010 (North East)", "North East (aggregate area)")
    as_region = matcher.with_overrides({"North East": "E12000001"}).match_name("north east")
    assert (as_region.outcome, as_region.area_name) == ("aggregate", "North East")
    as_authority = matcher.with_overrides({"North East": "E47000010"}).match_name("North East")
    assert (as_authority.outcome, as_authority.authority_code) == ("matched", "E47000010")


@settings(max_examples=200, deadline=None)
@given(data=st.data())
def test_respelled_register_names_never_match_another_council(matcher, register_names, codes_per_name, data):
    name, code = data.draw(st.sampled_from(register_names))
    respelled = name.replace(" and ", data.draw(st.sampled_from([" and ", " & ", " AND "])))
    respelled = data.draw(st.sampled_from([str.upper, str.lower, str.title, lambda t: t]))(respelled)
    respelled = respelled.replace(" ", data.draw(st.sampled_from([" ", "  ", " - "])))
    respelled += data.draw(st.sampled_from(["", " Council", " Borough Council", " District Council", "."]))
    # "Somerset" (the old county) + " Council" is "Somerset Council", the new unitary's own name
    assume(codes_per_name.get(" ".join(respelled.casefold().split()), {code}) <= {code})
    result = matcher.match_name(respelled)
    # matched to the same council, or reported (ambiguous/unmatched): never a different council
    assert result.authority_code in (None, code), (name, respelled, result)


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(["&", " and ", ",", ".", "  ", "'", "-"]), st.sampled_from(
    ["", " Council", " Borough Council", " District Council", " City Council", " Metropolitan Borough Council"]))
def test_normalisation_ignores_punctuation_and_suffixes(joiner, suffix):
    key = normalise_name(f"Barking{joiner}Dagenham{suffix}")
    assert key in ("barking and dagenham", "barking dagenham")
