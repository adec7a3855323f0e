"""Peer-comparison CSVs: faithful numbers, neutralised formulas, provenance inside the file.

Built on the hand-made fixture, whose indicator names, units and themes are hostile
(formulas, quotes, commas, newlines, HTML), and read back the way users will: with
``pandas.read_csv`` default options, and cell by cell with the csv module as Excel sees them.
"""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest

from dashboard.common.exports import FORMULA_PREFIXES, export_stamp
from dashboard.peers import exports as peer_exports
from dashboard.peers import statistics
from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
from dashboard.warehouse import FileWarehouse
from tests.support import peer_fixture as fx
from tests.support.stamps import GENERATED


@pytest.fixture(scope="module")
def wh(peer_live):
    warehouse = FileWarehouse(peer_live)
    yield warehouse
    warehouse.close()


@pytest.fixture(scope="module")
def group(wh):
    return resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))


def stamp(wh):
    """The warehouse's export stamp, generated at a fixed time."""
    return export_stamp(wh, GENERATED)


def indicator(wh, polarity: str) -> pd.Series:
    return statistics.indicator_list(wh).set_index("indicator_id", drop=False).loc[fx.INDICATOR_IDS[polarity]]


def cells(data: bytes) -> list[list[str]]:
    """Every cell as a spreadsheet would import it (BOM stripped, quoted newlines kept)."""
    assert data.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def assert_no_live_formula(data: bytes) -> None:
    for row in cells(data)[1:]:
        for cell in row:
            if cell.startswith(FORMULA_PREFIXES):
                float(cell)  # only plain numbers (negatives) may start with '-' or '+'


def test_profile_csv_content(wh, group):
    profile = statistics.peer_profile(wh, group, fx.PERIOD)
    data = peer_exports.profile_csv(profile, group, "Birmingham", stamp(wh))
    frame = pd.read_csv(io.BytesIO(data))
    assert len(frame) == 3
    assert set(frame["council_code"]) == {fx.BIRMINGHAM} and set(frame["council_name"]) == {"Birmingham"}
    assert set(frame["period"]) == {fx.PERIOD}
    rows = frame.set_index("indicator_id")
    # figures worked out by hand from the fixture (5, 10, 20, 20, 30; Birmingham 10, was 8)
    assert rows.at[fx.INDICATOR_IDS["higher"], "rank"] == 4
    assert rows.at[fx.INDICATOR_IDS["lower"], "rank"] == 2
    assert pd.isna(rows.at[fx.INDICATOR_IDS["neutral"], "rank"])
    assert rows.at[fx.INDICATOR_IDS["higher"], "n_ranked"] == 5
    assert rows.at[fx.INDICATOR_IDS["lower"], "band"] == "Top quartile"
    assert (rows["peer_median"] == 20).all() and (rows["peer_lower_quartile"] == 10).all()
    assert (rows["change"] == 2).all() and (rows["previous_period"] == "2021/22").all()
    assert not rows["previous_consecutive"].any()
    for column in ("value", "peer_median", "peer_min", "peer_max", "change", "rank", "n_ranked"):
        assert pd.api.types.is_numeric_dtype(frame[column]), column


def test_profile_csv_provenance(wh, group):
    profile = statistics.peer_profile(wh, group, fx.PERIOD)
    meta = wh.scalar_meta()
    frame = pd.read_csv(io.BytesIO(peer_exports.profile_csv(profile, group, "Birmingham", stamp(wh))))
    about = frame.iloc[0]
    assert "Metropolitan districts in West Midlands" in about["about_peer_group"]
    assert about["about_peer_group_kind"] == "type_region"
    assert about["about_peer_group_size"] == 7
    assert sorted(about["about_peer_group_members"].split()) == sorted(fx.MET_DISTRICTS)
    assert fx.WMCA not in about["about_peer_group_members"]
    assert "the same value share the better rank" in about["about_rank_method"]
    assert "interpolating between the two nearest values" in about["about_quartile_method"]
    names = dict(zip(group.members_frame["authority_code"], group.members_frame["short_name"], strict=True))
    assert about["about_peer_group_member_names"].split("; ") == sorted(names[c] for c in fx.MET_DISTRICTS)
    assert about["about_data_version"] == meta["data_version"]
    assert about["about_generated_at"] == "2026-01-02T03:04:05Z"
    assert frame["about_peer_group_size"].nunique() == 1  # constant on every row
    assert about["about_indicators"] == "all indicators"


def test_theme_filter_is_recorded(wh, group):
    theme = fx.INJECTED["higher"]["theme"]
    profile = statistics.peer_profile(wh, group, fx.PERIOD, theme)
    data = peer_exports.profile_csv(profile, group, "Birmingham", stamp(wh), theme=theme)
    frame = pd.read_csv(io.BytesIO(data))
    assert sorted(frame["indicator_id"]) == sorted([fx.INDICATOR_IDS["higher"], fx.INDICATOR_IDS["lower"]])
    assert set(frame["about_indicators"]) == {f"theme {theme}"}


def test_hostile_text_is_neutralised_and_kept(wh, group):
    profile = statistics.peer_profile(wh, group, fx.PERIOD)
    data = peer_exports.profile_csv(profile, group, "Birmingham", stamp(wh))
    assert_no_live_formula(data)
    frame = pd.read_csv(io.BytesIO(data)).set_index("indicator_id")
    high, low, neutral = (frame.loc[fx.INDICATOR_IDS[p]] for p in ("higher", "lower", "neutral"))
    assert high["indicator_name"] == "'" + fx.INJECTED["higher"]["name"]
    assert high["unit"] == "'+1"
    assert high["theme"] == fx.INJECTED["higher"]["theme"]  # quotes and comma survive intact
    assert low["indicator_name"] == "'-2+3"  # looks numeric-ish but is text: neutralised
    assert low["unit"] == "'@SUM(A1:A2)"
    assert neutral["indicator_name"] == fx.INJECTED["neutral"]["name"]  # HTML and newline kept as text
    assert neutral["unit"] == "'\tcount"


def test_negative_numbers_stay_numbers(wh):
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.SANDWELL, period=fx.PERIOD))
    profile = statistics.peer_profile(wh, group, fx.PERIOD)
    data = peer_exports.profile_csv(profile, group, "Sandwell", stamp(wh))
    frame = pd.read_csv(io.BytesIO(data))
    assert (frame["change"] == -2.5).all()  # 30 against 32.5
    assert frame["change"].dtype.kind == "f"
    raw_changes = {row[cells(data)[0].index("change")] for row in cells(data)[1:]}
    assert raw_changes == {"-2.5"}  # written as a plain number, no quote prefix


def test_group_values_csv(wh, group):
    ind = indicator(wh, "lower")
    values = statistics.peer_values(wh, group, ind["indicator_id"], fx.PERIOD)
    data = peer_exports.group_values_csv(values, group, ind, stamp(wh))
    assert_no_live_formula(data)
    frame = pd.read_csv(io.BytesIO(data)).set_index("authority_code")
    assert sorted(frame.index) == sorted(fx.MET_DISTRICTS)
    assert frame.loc[frame["is_selected_council"]].index.tolist() == [fx.BIRMINGHAM]
    assert frame.at[fx.WALSALL, "status"] == "suppressed" and pd.isna(frame.at[fx.WALSALL, "value"])
    assert frame.at[fx.WOLVERHAMPTON, "rank"] == 1 and frame.at[fx.WOLVERHAMPTON, "status"] == "estimate"
    assert set(frame["indicator_name"]) == {"'-2+3"}
    assert set(frame["about_selected_council"]) == {fx.BIRMINGHAM}


def test_trend_and_progress_csv(wh, group):
    ind = indicator(wh, "higher")
    trend = statistics.peer_trend(wh, group, ind["indicator_id"])
    frame = pd.read_csv(io.BytesIO(peer_exports.trend_csv(trend, group, ind, "Birmingham",
                                                          stamp(wh))))
    assert frame["period"].tolist() == ["2021/22", "2022/23", fx.PERIOD]
    assert frame["council_value"].tolist()[::2] == [8, 10] and pd.isna(frame["council_value"][1])
    assert frame["peer_median"].iloc[-1] == 20
    progress = statistics.peer_progress(wh, group, ind["indicator_id"], "2021/22", fx.PERIOD)
    data = peer_exports.progress_csv(progress, group, ind, "2021/22", fx.PERIOD, stamp(wh))
    assert_no_live_formula(data)
    rows = pd.read_csv(io.BytesIO(data)).set_index("authority_code")
    assert rows.at[fx.SANDWELL, "change"] == -1  # 31 -> 30
    assert rows.at[fx.SANDWELL, "direction"] == "Worsening"
    # 2021/22 ranks (31, 18, 14, 11, 8, 8, 4 high first) against 2023/24 (30, 20, 20, 10, 5)
    assert (rows.at[fx.COVENTRY, "rank_from"], rows.at[fx.COVENTRY, "rank_to"]) == (2, 2)
    assert (rows.at[fx.BIRMINGHAM, "rank_from"], rows.at[fx.BIRMINGHAM, "rank_to"]) == (5, 4)
    assert rows.at[fx.BIRMINGHAM, "rank_change"] == 1


def test_interpolated_statistics_carry_no_binary_noise(wh):
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", fx.BIRMINGHAM, period=fx.PERIOD))
    profile = statistics.peer_profile(wh, group, fx.PERIOD)
    profile["lower_quartile"] = 0.1 + 0.2  # 0.30000000000000004, as interpolation produces
    profile["mean"] = -1 / 3
    data = peer_exports.profile_csv(profile, group, "Birmingham", stamp(wh))
    header, *rows = cells(data)
    assert {row[header.index("peer_lower_quartile")] for row in rows} == {"0.3"}
    assert {row[header.index("peer_mean")] for row in rows} == {"-0.3333333333"}
    assert {row[header.index("n_ranked")] for row in rows} == {"5", ""}  # counts stay integers
