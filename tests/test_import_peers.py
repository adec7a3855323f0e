"""Importing peer-group sets through the spec: family groups and neighbour lists (long and wide)."""

from __future__ import annotations

import duckdb
import pandas as pd

from etl.importer import import_file
from etl.warehouse import WarehousePaths
from tests.support.sources import write_dedented as write


def members(warehouse) -> pd.DataFrame:
    con = duckdb.connect(str(WarehousePaths(warehouse).current_file()), read_only=True)
    try:
        return con.execute("SELECT s.kind, s.method, m.* FROM peer_set_members m JOIN peer_sets s USING (set_id) "
                           "ORDER BY m.set_id, m.authority_code, m.rank, m.member_code").df()
    finally:
        con.close()


def test_family_groups_from_xlsx(tmp_path, warehouse_path, matcher):
    pd.DataFrame({"Council": ["Birmingham", "Leeds", "Manchester", "Kent County Council"],
                  "Family": ["1", "1", "2", "3"]}).to_excel(tmp_path / "families.xlsx", index=False)
    spec = write(tmp_path, "spec.toml", """
        source_name = "families-2024"
        kind = "family"
        [set]
        id = "test-families"
        name = "Test family groups"
        method = "Published by a test"
        [councils]
        column = "Council"
        [family]
        group_column = "Family"
    """)
    report = import_file(tmp_path / "families.xlsx", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = members(warehouse_path)
    assert got[["authority_code", "group_id"]].values.tolist() == [
        ["E08000003", "2"], ["E08000025", "1"], ["E08000035", "1"], ["E10000016", "3"]]
    assert set(got["kind"]) == {"family"} and got["member_code"].isna().all()
    # the set is a peer-group choice: Birmingham's family group is group 1
    from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
    from dashboard.warehouse import FileWarehouse

    wh = FileWarehouse(warehouse_path)
    group = resolve_peer_group(wh, PeerGroupSpec("family", "E08000025", set_id="test-families"))
    assert group.codes == ["E08000025", "E08000035"]
    assert "family group 1" in group.description and "Test family groups" in group.description
    alone = resolve_peer_group(wh, PeerGroupSpec("family", "E09000001"))  # not in any family set
    assert alone.codes == ["E09000001"] and "no family group set lists this council" in alone.description


def test_neighbour_list_long_with_rank_and_closeness(tmp_path, warehouse_path, matcher):
    write(tmp_path, "nn.csv", """
        LA code,Neighbour,Rank,Closeness,Score
        E08000025,Manchester,1,Very close,91.5
        E08000025,Leeds,2,Close,80
        E08000035,Sheffield,1,Very close,88
    """)
    spec = write(tmp_path, "spec.toml", """
        source_name = "nn-long"
        kind = "neighbours"
        [set]
        id = "test-nn"
        name = "Test neighbours"
        method = "CIPFA-style model (test)"
        [councils]
        column = "LA code"
        by = "gss"
        [neighbours]
        neighbour_column = "Neighbour"
        by = "name"
        rank_column = "Rank"
        closeness_column = "Closeness"
        similarity_column = "Score"
    """)
    report = import_file(tmp_path / "nn.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = members(warehouse_path)
    assert got[["authority_code", "member_code", "rank", "closeness", "similarity"]].values.tolist() == [
        ["E08000025", "E08000003", 1, "Very close", 91.5], ["E08000025", "E08000035", 2, "Close", 80.0],
        ["E08000035", "E08000019", 1, "Very close", 88.0]]
    from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
    from dashboard.warehouse import FileWarehouse

    group = resolve_peer_group(FileWarehouse(warehouse_path), PeerGroupSpec("neighbours", "E08000025"))
    assert group.codes == ["E08000003", "E08000025", "E08000035"]  # the council and its 2 neighbours


def test_neighbour_list_wide_one_column_per_rank(tmp_path, warehouse_path, matcher):
    write(tmp_path, "nn.csv", """
        Council,SN1,SN2,SN3
        Birmingham,Manchester,Leeds,
        Leeds,Sheffield,Bradford,Kirklees
    """)
    spec = write(tmp_path, "spec.toml", """
        source_name = "nn-wide"
        kind = "neighbours"
        [set]
        id = "test-nn-wide"
        name = "Wide neighbours"
        method = "Test"
        [councils]
        column = "Council"
        [neighbours]
        neighbour_pattern = '^SN(?P<rank>[0-9]+)$'
    """)
    report = import_file(tmp_path / "nn.csv", spec, warehouse_path, matcher=matcher)
    assert report.ok, report.problems
    got = members(warehouse_path)
    assert got[["authority_code", "member_code", "rank"]].values.tolist() == [
        ["E08000025", "E08000003", 1], ["E08000025", "E08000035", 2],
        ["E08000035", "E08000019", 1], ["E08000035", "E08000032", 2], ["E08000035", "E08000034", 3]]


def test_unmatched_neighbour_and_self_neighbour_are_reported(tmp_path, matcher):
    write(tmp_path, "nn.csv", "Council,SN1,SN2\nBirmingham,Gotham,Birmingham\n")
    spec = write(tmp_path, "spec.toml", """
        source_name = "nn-bad"
        kind = "neighbours"
        [set]
        id = "bad"
        name = "Bad"
        method = "Test"
        [councils]
        column = "Council"
        [neighbours]
        neighbour_pattern = '^SN(?P<rank>[0-9]+)$'
    """)
    report = import_file(tmp_path / "nn.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    text = "\n".join(p.describe() for p in report.problems)
    assert "nn.csv, row 2, column SN1: 'Gotham': neighbour is unmatched" in text
    spec.write_text(spec.read_text().replace('column = "Council"', 'column = "Council"\nskip_unmatched = true'))
    report = import_file(tmp_path / "nn.csv", spec, tmp_path / "w.duckdb", dry_run=True, matcher=matcher)
    text = "\n".join(p.describe() for p in report.problems)
    assert "nn.csv, row 2, column member_code" in text and "is the council itself" in text
