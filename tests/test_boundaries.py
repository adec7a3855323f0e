"""Council boundaries for maps and the centroids taken from them (data/reference/uk-boundaries).

Expected facts come from the register's CSV (read with the csv module) and from shapely on the
committed GeoJSON, independently of etl/reference.py and etl/refresh_boundaries.py.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import Point, shape

from etl import reference
from etl import refresh_boundaries as rb

DATA = Path(__file__).resolve().parent.parent / "data" / "reference"
LANCASHIRE = "E10000017"
NON_COUNCILS = ("Combined authority", "Strategic Regional Authority")
NATIONAL_MAP_LIMIT = 1_000_000  # bytes of geometry a UK-wide map may send (issue 11: well under 1 MB)


@pytest.fixture(scope="module")
def register() -> dict[str, dict[str, str]]:
    """The register's councils by authority_code (GSS code, register code where none), with the
    start dates our corrections clear (data/corrections: dates the register's records began)."""
    with (DATA / reference.REGISTER_FILE).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    with reference.CORRECTIONS_FILE.open(encoding="utf-8", newline="") as handle:
        cleared = {c["local-authority-code"] for c in csv.DictReader(handle) if c["field"] == "start-date"}
    for row in rows:
        if row["local-authority-code"] in cleared:
            row["start-date"] = ""
    return {
        r["gss-code"] or r["local-authority-code"]: r for r in rows if r["local-authority-type-name"] not in NON_COUNCILS
    }


@pytest.fixture(scope="module")
def shapes() -> dict[str, dict[str, object]]:
    """detail -> {authority_code: shapely geometry} of the committed GeoJSON files."""
    out = {}
    for detail in reference.BOUNDARY_DETAILS:
        collection = json.loads((DATA / reference.BOUNDARY_FILES[detail]).read_text(encoding="utf-8"))
        out[detail] = {f["id"]: shape(f["geometry"]) for f in collection["features"]}
    return out


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((DATA / "uk-boundaries" / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def authorities():
    return reference.read_authorities(DATA).set_index("authority_code")


def test_lancashires_centroid_falls_inside_lancashire(authorities, shapes, register):
    lancashire = authorities.loc[LANCASHIRE]
    point = Point(lancashire["lon"], lancashire["lat"])
    assert shapes["fine"][LANCASHIRE].contains(point) and shapes["coarse"][LANCASHIRE].contains(point)
    register_point = Point(float(register[LANCASHIRE]["long"]), float(register[LANCASHIRE]["lat"]))
    assert not shapes["fine"][LANCASHIRE].contains(register_point)  # the register's is in the East Midlands


def test_every_council_with_a_boundary_has_its_lat_lon_inside_it(authorities, shapes):
    assert len(shapes["fine"]) > 400
    outside = [
        code
        for code, geometry in shapes["fine"].items()
        for detail in reference.BOUNDARY_DETAILS
        if not shapes[detail][code].contains(Point(authorities.loc[code, "lon"], authorities.loc[code, "lat"]))
    ]
    assert outside == []


def test_councils_without_a_boundary_keep_the_registers_centroid(authorities, shapes, register):
    without = [code for code in register if code not in shapes["fine"]]
    assert without, "the Northern Irish districts abolished in 2015 have no boundary"
    for code in without:
        row = register[code]
        expected = (float(row["lat"]), float(row["long"])) if row["lat"] else (None, None)
        got = authorities.loc[code, ["lat", "lon"]].tolist()
        assert [None if g != g else g for g in got] == list(expected), code


def test_check_lists_exactly_the_register_centroids_outside_their_boundary(manifest, shapes, register):
    expected = sorted(
        code
        for code, row in register.items()
        if code in shapes["fine"] and row["lat"]
        and not shapes["fine"][code].contains(Point(float(row["long"]), float(row["lat"])))
    )
    listed = manifest["register_centroids_outside_boundary"]
    assert [m["authority_code"] for m in listed] == expected
    assert LANCASHIRE in expected
    lancashire = next(m for m in listed if m["authority_code"] == LANCASHIRE)
    assert lancashire["km_outside"] > 100


def test_every_current_council_has_a_boundary(register, shapes):
    current = {code for code, row in register.items() if row["current-authority"] == "True"}
    assert current - set(shapes["fine"]) == set()
    assert set(shapes["fine"]) == set(shapes["coarse"]) <= set(register)


def test_coarse_shapes_stay_within_the_tolerance_of_the_fine_ones(shapes):
    """Douglas-Peucker moves no border further than its tolerance, and rounding by half a unit:
    the area between the two shapes is at most their perimeter times that distance."""
    half_unit = 0.5 * 10**-rb.COARSE_DECIMALS + 0.5 * 10**-rb.FINE_DECIMALS
    band = rb.COARSE_TOLERANCE + half_unit * 2**0.5
    for code, fine in shapes["fine"].items():
        between = shapes["coarse"][code].buffer(0).symmetric_difference(fine.buffer(0)).area
        assert between <= fine.length * band, code


def test_rings_are_closed_and_wound_as_plotly_geo_expects():
    def signed_area(ring):
        return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:], strict=False)) / 2

    for detail in reference.BOUNDARY_DETAILS:
        for feature in reference.boundaries(codes=reference.read_boundary_centroids(DATA), detail=detail)["features"]:
            for polygon in feature["geometry"]["coordinates"]:
                exterior, *holes = polygon
                assert all(ring[0] == ring[-1] and len(ring) >= 4 for ring in polygon), feature["id"]
                assert signed_area(exterior) < 0, (detail, feature["id"])  # clockwise
                assert all(signed_area(hole) > 0 for hole in holes), (detail, feature["id"])


def test_a_national_map_sends_well_under_a_megabyte_and_a_region_far_less(authorities):
    current = authorities[authorities["is_council"] & authorities["is_current"]]
    lower = current[current["tier"].isin(["district", "unitary"])]
    national = reference.boundaries(codes=lower.index, detail="coarse")
    london = reference.boundaries(codes=lower[lower["region"] == "London"].index, detail="fine")
    assert len(national["features"]) == len(lower)
    assert len(json.dumps(national, separators=(",", ":"))) < NATIONAL_MAP_LIMIT
    assert len(json.dumps(london, separators=(",", ":"))) < NATIONAL_MAP_LIMIT / 10
    assert len(london["features"]) == 33


def test_default_is_todays_councils(register):
    current = {code for code, row in register.items() if row["current-authority"] == "True"}
    ids = [f["id"] for f in reference.boundaries()["features"]]
    assert sorted(ids) == sorted(current) and len(ids) == len(set(ids))


@pytest.mark.parametrize(
    "day, present, absent",
    [
        (dt.date(2020, 6, 1), ["E07000026", "E10000006"], ["E06000063", "E06000064"]),  # Allerdale, Cumbria
        (dt.date(2023, 6, 1), ["E06000063", "E06000064"], ["E07000026", "E10000006"]),  # Cumberland, W&F
    ],
)
def test_a_day_gives_the_councils_that_existed_then(day, present, absent):
    ids = {f["id"] for f in reference.boundaries(day)["features"]}
    assert set(present) <= ids and not set(absent) & ids


def test_codes_give_exactly_those_councils_whatever_their_life():
    got = reference.boundaries(dt.date(2015, 1, 1), codes=["E06000063", "NIR-A", "E07000026"], detail="fine")
    assert sorted(f["id"] for f in got["features"]) == ["E06000063", "E07000026"]  # NIR-A has no boundary
    assert got["type"] == "FeatureCollection"
    assert {f["properties"]["name"] for f in got["features"]} == {"Cumberland", "Allerdale"}


def test_every_call_returns_new_objects():
    first = reference.boundaries(codes=["E06000001"])
    first["features"][0]["geometry"]["coordinates"].clear()
    assert reference.boundaries(codes=["E06000001"])["features"][0]["geometry"]["coordinates"]


def test_unknown_detail_and_missing_files_are_refused_clearly(tmp_path):
    with pytest.raises(ValueError, match="detail must be one of coarse, fine"):
        reference.boundaries(detail="medium")
    with pytest.raises(FileNotFoundError, match="refresh-reference"):
        reference.boundaries(reference_dir=tmp_path)


@settings(max_examples=40, deadline=None)
@given(st.dates(min_value=dt.date(2005, 1, 1), max_value=dt.date(2030, 12, 31)))
def test_councils_on_a_day_follow_the_registers_life_dates(register, shapes, day):
    def lived(row):
        start = dt.date.fromisoformat(row["start-date"]) if row["start-date"] else dt.date.min
        end = dt.date.fromisoformat(row["end-date"]) if row["end-date"] else dt.date.max
        return start <= day < end

    expected = {code for code, row in register.items() if code in shapes["coarse"] and lived(row)}
    assert {f["id"] for f in reference.boundaries(day)["features"]} == expected


def test_every_council_created_since_2013_is_the_union_of_its_2013_districts(manifest, register):
    created = {
        code for code, row in register.items()
        if row["start-date"] > "2013-04-01" and row["nation"] != "Northern Ireland"
    }
    checks = manifest["checks_against_2013_districts"]["created_since_2013"]
    assert set(checks) == created
    for code, check in checks.items():
        assert check["parts"] and check["missing_2013_shapes"] == [], code
        # the two publishers generalise coasts differently: the same district overlaps itself ~0.93-0.99
        assert check["overlap"] >= 0.95, (code, check)
    abolished = manifest["checks_against_2013_districts"]["abolished_since_2013"]
    assert len(abolished) > 30 and min(abolished.values()) >= 0.9
