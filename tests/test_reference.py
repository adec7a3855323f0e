"""Contract tests: the warehouse's ref tables against the real register in data/reference.

Expected facts are read straight from the published CSV files with the csv module, independently
of etl/reference.py, and compared with what the published demo warehouse holds.
"""

from __future__ import annotations

import csv
import datetime as dt
import math

import duckdb
import pytest

from etl import reference


def read_csv(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def register(reference_dir) -> list[dict[str, str]]:
    return read_csv(reference_dir / "uk-authorities" / "uk_local_authorities.csv")


@pytest.fixture(scope="module")
def key_of(register) -> dict[str, str]:
    """Register code -> the authority_code the contract uses (GSS, register code when none)."""
    return {r["local-authority-code"]: r["gss-code"] or r["local-authority-code"] for r in register}


@pytest.fixture(scope="module")
def ref(demo_warehouse):
    """ref.authorities of the published warehouse as {authority_code: row dict}."""
    con = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        cursor = con.execute("SELECT * FROM ref.authorities")
        names = [d[0] for d in cursor.description]
        rows = {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
        codes = con.execute("SELECT code, authority_code FROM ref.authority_codes").fetchall()
        alt = set(con.execute("SELECT name, authority_code FROM ref.authority_names").fetchall())
    finally:
        con.close()
    return {"authorities": rows, "codes": codes, "names": alt}


def test_every_authority_in_the_register_is_present_once(ref, register, key_of):
    assert len(ref["authorities"]) == len(register)
    assert set(ref["authorities"]) == set(key_of.values())


def test_every_current_council_has_gss_code_and_classification(ref, register):
    current = [r for r in register if r["current-authority"] == "True"]
    assert len(current) > 350
    for row in current:
        got = ref["authorities"][row["gss-code"]]
        assert got["gss_code"] == row["gss-code"] and len(row["gss-code"]) == 9
        assert got["register_code"] == row["local-authority-code"]
        assert got["nation"] == row["nation"]
        assert got["region"] == row["region"]
        assert got["authority_type"] == row["local-authority-type-name"]
        assert got["tier"] in ("county", "district", "unitary", "combined", "other")
        assert got["is_current"] and got["end_date"] is None


@pytest.mark.parametrize("powers, tier", [("lower tier", "district"), ("upper tier", "county"),
                                          ("unitary", "unitary"), ("combined", "combined")])
def test_tier_follows_the_registers_powers(ref, register, key_of, powers, tier):
    rows = [r for r in register if r["powers"] == powers]
    assert rows
    assert {ref["authorities"][key_of[r["local-authority-code"]]]["tier"] for r in rows} == {tier}


@pytest.mark.parametrize("code, name", [("E07000026", "Allerdale"), ("E10000006", "Cumbria")])
def test_abolished_cumbrian_councils_are_kept_with_end_date_and_successors(ref, register, code, name):
    got = ref["authorities"][code]
    assert got["short_name"] == name
    assert not got["is_current"]
    assert got["end_date"] == dt.date(2023, 4, 1)
    successors = [ref["authorities"][c]["short_name"] for c in got["successor_codes"]]
    assert "Cumberland" in successors
    if name == "Cumbria":
        assert "Westmorland and Furness" in successors


def test_every_ended_authority_has_end_date_and_successors_that_exist(ref, register, key_of):
    ended = [r for r in register if r["end-date"]]
    assert len(ended) > 50
    for row in ended:
        got = ref["authorities"][key_of[row["local-authority-code"]]]
        assert got["end_date"] == dt.date.fromisoformat(row["end-date"])
        expected = [key_of[c.strip()] for c in row["replaced-by"].split(",") if c.strip()]
        assert list(got["successor_codes"]) == expected
        assert all(c in ref["authorities"] for c in expected)


def test_deprivation_score_is_attached_to_each_council_in_the_index(ref, reference_dir, key_of):
    deprivation = read_csv(reference_dir / "uk-deprivation" / "la_deprivation.csv")
    assert len(deprivation) > 350
    for row in deprivation:
        got = ref["authorities"][key_of[row["local-authority-code"]]]
        assert math.isclose(got["deprivation_score"], float(row["la-deprivation-score"]))
        assert got["deprivation_quintile"] == int(row["la-imd-pop-quintile"])
        assert got["deprivation_decile"] == int(row["la-imd-pop-decile"])


def test_combined_authorities_are_not_councils(ref, register, key_of):
    combined = [r for r in register if r["local-authority-type-name"] in
                ("Combined authority", "Strategic Regional Authority")]
    assert combined
    for row in combined:
        assert ref["authorities"][key_of[row["local-authority-code"]]]["is_council"] is False
    councils = [r for r in register if r["local-authority-type-name"] in
                ("London borough", "Metropolitan district", "Unitary authority", "County")]
    assert all(ref["authorities"][key_of[r["local-authority-code"]]]["is_council"] for r in councils)


def test_combined_authority_membership_points_at_a_combined_authority(ref, register, key_of):
    members = [r for r in register if r["combined-authority"]]
    assert members
    for row in members:
        parent = ref["authorities"][key_of[row["local-authority-code"]]]["combined_authority_code"]
        assert parent == key_of[row["combined-authority"]]
        assert ref["authorities"][parent]["tier"] == "combined"


def test_every_alternative_name_resolves_to_its_authority(ref, reference_dir, key_of):
    lookup = read_csv(reference_dir / "uk-authorities" / "lookup_name_to_registry.csv")
    assert len(lookup) > 1000
    missing = [(r["la-name"], r["local-authority-code"]) for r in lookup
               if (r["la-name"], key_of[r["local-authority-code"]]) not in ref["names"]]
    assert missing == []


def test_every_gss_and_register_code_resolves(ref, reference_dir, key_of, register):
    codes: dict[str, set[str]] = {}
    for code, authority in ref["codes"]:
        codes.setdefault(code, set()).add(authority)
    for row in read_csv(reference_dir / "uk-authorities" / "lookup_gss_to_registry.csv"):
        if not row["gss-code"]:  # the register lists a few rows with no GSS code at all
            continue
        assert key_of[row["local-authority-code"]] in codes[row["gss-code"]]
    for row in register:
        assert codes[row["local-authority-code"]] == {key_of[row["local-authority-code"]]}
        for former in filter(None, (c.strip() for c in row["former-gss-codes"].split(","))):
            assert key_of[row["local-authority-code"]] in codes[former]


def test_reference_frame_matches_the_warehouse_table(authorities, ref):
    """The pandas reader and the published table agree (the loader copies it verbatim)."""
    assert sorted(authorities["authority_code"]) == sorted(ref["authorities"])
    assert set(reference.read_authorities().columns) == set(next(iter(ref["authorities"].values())))


# -- our corrections of the register (data/corrections/uk-authorities.csv) ----------------------
@pytest.fixture(scope="module")
def corrections() -> list[dict[str, str]]:
    return read_csv(reference.CORRECTIONS_FILE)


def test_every_correction_has_a_reason_and_applies_to_the_vendored_register(corrections, reference_dir):
    assert corrections and all(row["reason"].strip() for row in corrections)
    assert reference.stale_corrections(reference_dir) == []


def test_start_dates_that_only_date_the_registers_records_are_cleared(ref, corrections, register, key_of):
    cleared = {row["local-authority-code"] for row in corrections if row["field"] == "start-date"}
    # the register's records of every Scottish council (created 1996) began on one day in 2005
    scottish = {r["local-authority-code"] for r in register if r["local-authority-type-name"] == "Scottish unitary authority"}
    assert len(scottish) == 32 and scottish <= cleared
    for row in register:
        got = ref["authorities"][key_of[row["local-authority-code"]]]["start_date"]
        if row["local-authority-code"] in cleared:
            assert got is None, row["local-authority-code"]
        elif row["start-date"]:
            assert got == dt.date.fromisoformat(row["start-date"])  # every other date is kept as published


def test_alternative_gss_codes_resolve_to_their_council(ref, corrections, key_of):
    codes = dict(ref["codes"])
    alternatives = [row for row in corrections if row["field"] == "alternative-gss-code"]
    assert {row["corrected_value"] for row in alternatives} >= {"E08000038", "E08000039"}
    for row in alternatives:
        assert codes[row["corrected_value"]] == key_of[row["local-authority-code"]]


def test_a_correction_the_register_no_longer_needs_is_reported_stale_and_not_applied(tmp_path, reference_dir):
    stale = reference.Correction("ABD", "start-date", "1999-01-01", "", "the register said 1999", 2)
    assert reference.stale_corrections(reference_dir, [stale]) == [stale]
    missing = reference.Correction("ZZZ", "start-date", "2005-06-18", "", "no such council", 3)
    assert reference.stale_corrections(reference_dir, [missing]) == [missing]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ABD,end-date,,2020-01-01,why", "row 2, column field: 'end-date' is not one of"),
        ("ABD,start-date,2005-06-18,,  ", "row 2, column reason: every correction needs its reason"),
        ("BNS,alternative-gss-code,,,why", "row 2, column corrected_value"),
    ],
)
def test_a_bad_correction_is_refused_naming_row_and_column(tmp_path, line, message):
    path = tmp_path / "corrections.csv"
    path.write_text("local-authority-code,field,register_value,corrected_value,reason\n" + line + "\n")
    with pytest.raises(ValueError, match=message):
        reference.read_corrections(path)
