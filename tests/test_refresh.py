"""The vendored data/ folders: rebuilt from the originals byte for byte, licensed, manifested, small.

The rebuild tests read the originals in ../shared/data (skipped where a clone has none); the
manifest, licence and size tests read only what the repository carries.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from etl import refresh, refresh_ons
from etl.cli import main

REPO = Path(__file__).resolve().parent.parent
ORIGINALS = REPO.parent / "shared" / "data"
DATA = REPO / "data"
COUNCIL_GEOGRAPHIES = ("Local Authority District", "County or Unitary Authority")
MAX_COMMITTED_BYTES = 15_000_000  # issue 11: all of data/ that is committed stays under 15 MB

needs_originals = pytest.mark.skipif(not ORIGINALS.is_dir(), reason="the originals (../shared/data) are not here")


def tracked(prefix: str) -> list[Path]:
    """Files git tracks under ``prefix`` (relative to the repository)."""
    listing = subprocess.run(["git", "ls-files", prefix], cwd=REPO, capture_output=True, text=True, check=True)
    return [REPO / line for line in listing.stdout.splitlines()]


def files_under(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def rebuilt(tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """``python -m etl refresh-reference`` from the originals into a folder that already holds a
    stale vendored file and a load log; the folder and the finished process."""
    target = tmp_path_factory.mktemp("rebuilt") / "data"
    (target / "reference/uk-authorities").mkdir(parents=True)
    (target / "reference/uk-authorities/stale.csv").write_text("old\n")
    (target / "exemplar.loads.jsonl").write_text("{}\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    done = subprocess.run(
        [sys.executable, "-m", "etl", "refresh-reference", "--from", str(ORIGINALS), "--to", str(target)],
        cwd=REPO, env=env, capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return target, done


@needs_originals
@pytest.mark.slow
def test_rebuild_from_the_originals_equals_what_is_committed(rebuilt):
    target, _ = rebuilt
    committed = {
        p.relative_to(DATA).as_posix(): p.read_bytes() for prefix in ("data/reference", "data/sources") for p in tracked(prefix)
    }
    built = {f"{top}/{name}": content for top in ("reference", "sources")
             for name, content in files_under(target / top).items()}
    assert sorted(built) == sorted(committed)
    different = [name for name in built if built[name] != committed[name]]
    assert different == [], f"rebuilt files differ from the committed ones: {different}"


@needs_originals
@pytest.mark.slow
def test_rebuild_keeps_other_files_of_the_target_and_replaces_stale_ones(rebuilt):
    target, _ = rebuilt
    assert not (target / "reference/uk-authorities/stale.csv").exists()
    assert (target / "exemplar.loads.jsonl").read_text() == "{}\n"
    assert not [p for p in target.iterdir() if p.name.startswith(".")]  # no temporary folder left


@needs_originals
@pytest.mark.slow
def test_the_command_prints_one_paragraph_with_folders_rows_and_the_centroid_check(rebuilt):
    summary = rebuilt[1].stdout.strip()
    manifest = json.loads((DATA / "sources/ons-local-statistics/manifest.json").read_text())
    boundaries = json.loads((DATA / "reference/uk-boundaries/manifest.json").read_text())
    assert summary.startswith(f"Rebuilt {len(refresh.FOLDERS)} folders")
    assert f"{manifest['rows']['kept']:,} rows kept" in summary
    assert f"{len(boundaries['register_centroids_outside_boundary'])} register centroids" in summary
    assert "\n" not in summary


def broken_originals(tmp_path: Path, bad_csv: str) -> Path:
    """The originals with one ONS file replaced by ``bad_csv`` (everything else linked)."""
    source = tmp_path / "originals"
    source.mkdir()
    for folder in ORIGINALS.iterdir():
        if folder.name != "ons-local-statistics":
            (source / folder.name).symlink_to(folder)
    ons = source / "ons-local-statistics"
    (ons / "indicators").mkdir(parents=True)
    for path in (ORIGINALS / "ons-local-statistics").iterdir():
        if path.is_file():
            (ons / path.name).symlink_to(path)
    for path in (ORIGINALS / "ons-local-statistics/indicators").iterdir():
        (ons / "indicators" / path.name).symlink_to(path)
    (ons / "indicators/claimant-count.csv").unlink()
    (ons / "indicators/claimant-count.csv").write_text(bad_csv, encoding="utf-8")
    return source


@needs_originals
def test_bad_original_exits_1_naming_file_row_and_column_and_leaves_the_target_as_it_was(tmp_path, capsys):
    header = ",".join(refresh_ons.COLUMNS)
    good = "E06000001,Hartlepool,County or Unitary Authority,Claimant count,2024-01-01/P1M,3.1,Percentage,%,,,,"
    bad = "E06000002,Middlesbrough,County or Unitary Authority,Claimant count,2024-01-01/P1M,n/a,Percentage,%,,,,"
    source = broken_originals(tmp_path, f"{header}\n{good}\n{bad}\n")
    target = tmp_path / "data"
    (target / "reference/uk-authorities").mkdir(parents=True)
    (target / "reference/uk-authorities/kept.csv").write_text("as it was\n")
    before = files_under(target)
    code = main(["refresh-reference", "--from", str(source), "--to", str(target)])
    err = capsys.readouterr().err
    assert code == 1
    assert "claimant-count.csv, row 3, column observation: 'n/a' is not a number" in err
    assert "Nothing was replaced" in err
    assert files_under(target) == before


def test_missing_originals_exit_2_with_the_folder_named(tmp_path, capsys):
    code = main(["refresh-reference", "--from", str(tmp_path / "nowhere"), "--to", str(tmp_path / "data")])
    assert code == 2
    assert "nowhere does not exist" in capsys.readouterr().err
    assert not (tmp_path / "data").exists() or not any((tmp_path / "data").iterdir())


def test_every_folder_has_its_licence_and_a_manifest_whose_hashes_match_the_files():
    for folder in refresh.FOLDERS:
        path = DATA / folder.target
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
        assert (path / manifest["licence_file"]).read_bytes()
        assert manifest["snapshot"] == folder.snapshot and manifest["attribution"] == folder.attribution
        listed = {entry["file"]: entry for entry in manifest["files"]}
        assert sorted(listed) == sorted(p.name for p in path.iterdir() if p.name != "manifest.json")
        for name, entry in listed.items():
            content = (path / name).read_bytes()
            assert entry["bytes"] == len(content) and entry["sha256"] == hashlib.sha256(content).hexdigest(), name
            assert entry["derived"]
        assert manifest["originals"], "every folder names the originals it was built from"


@needs_originals
def test_manifests_name_the_originals_by_their_current_hashes():
    for folder in refresh.FOLDERS:
        manifest = json.loads((DATA / folder.target / "manifest.json").read_text(encoding="utf-8"))
        for entry in manifest["originals"]:
            content = (ORIGINALS / entry["file"]).read_bytes()
            assert entry["sha256"] == hashlib.sha256(content).hexdigest(), entry["file"]


def test_committed_data_stays_under_15_mb():
    sizes = [p.stat().st_size for p in tracked("data")]
    assert sizes and sum(sizes) < MAX_COMMITTED_BYTES


def test_gitignore_commits_the_vendored_folders_and_ignores_warehouses_versions_and_logs():
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", path], cwd=REPO).returncode == 0

    assert not ignored("data/reference/uk-authorities/uk_local_authorities.csv")
    assert not ignored("data/sources/ons-local-statistics/observations.parquet")
    for generated in ("data/exemplar.duckdb", "data/exemplar.versions/v1.duckdb", "data/exemplar.loads.jsonl",
                      "data/exemplar.inbox/x.xlsx", "data/sources/x.duckdb"):
        assert ignored(generated), generated


# --- ONS local statistics: the compacted table against the publisher's files ---------------------


@pytest.fixture(scope="module")
def ons_originals():
    """Per (slug, indicator): council rows, sum of observations and of confidence limits, read
    straight from the publisher's CSVs with DuckDB (independently of etl/refresh_ons.py)."""
    con = duckdb.connect()
    try:
        return {
            (slug, indicator): (rows, total, lci)
            for slug, indicator, rows, total, lci in con.execute(
                """
                SELECT regexp_extract(filename, '([^/]+)\\.csv$', 1), indicator, count(*),
                       sum(try_cast(observation AS DOUBLE)), sum(try_cast(lci_95 AS DOUBLE))
                FROM read_csv(?, all_varchar = true, filename = true, union_by_name = true)
                WHERE geography IN (?, ?)
                GROUP BY ALL
                """,
                [str(ORIGINALS / "ons-local-statistics/indicators/*.csv"), *COUNCIL_GEOGRAPHIES],
            ).fetchall()
        }
    finally:
        con.close()


@pytest.fixture(scope="module")
def observations():
    con = duckdb.connect()
    try:
        yield con, str(DATA / "sources/ons-local-statistics/observations.parquet")
    finally:
        con.close()


@needs_originals
def test_every_council_row_of_the_publisher_is_kept_with_its_values(ons_originals, observations):
    con, parquet = observations
    kept = {
        (slug, indicator): (rows, total, lci)
        for slug, indicator, rows, total, lci in con.execute(
            "SELECT slug, indicator, count(*), sum(observation), sum(lci_95) FROM read_parquet(?) "
            "WHERE geography IN (?, ?) GROUP BY ALL",
            [parquet, *COUNCIL_GEOGRAPHIES],
        ).fetchall()
    }
    assert len(kept) == 83
    assert sorted(kept) == sorted(ons_originals)
    for key, (rows, total, lci) in ons_originals.items():
        assert kept[key][0] == rows, key
        assert kept[key][1] == pytest.approx(total, rel=1e-12, abs=1e-9), key
        assert (kept[key][2] is None) == (lci is None), key
        if lci is not None:
            assert kept[key][2] == pytest.approx(lci, rel=1e-12), key


@needs_originals
def test_source_row_points_at_the_same_row_of_the_publishers_file(observations):
    con, parquet = observations
    sample = con.execute(
        "SELECT slug, source_row, areacd, period, observation, status FROM read_parquet(?) USING SAMPLE 200 ROWS "
        "(reservoir, 11)",
        [parquet],
    ).fetchall()
    files: dict[str, list[dict[str, str]]] = {}
    for slug, row, areacd, period, observation, status in sample:
        if slug not in files:
            path = ORIGINALS / "ons-local-statistics/indicators" / f"{slug}.csv"
            with path.open(encoding="utf-8-sig", newline="") as handle:
                files[slug] = list(csv.DictReader(handle))
        original = files[slug][row - 2]  # header is row 1
        assert (original["areacd"], original["period"]) == (areacd, period)
        assert (float(original["observation"]) if original["observation"] else None) == observation
        assert (original["status"] or None) == status


def test_aggregates_kept_are_the_uk_nations_and_regions_only(observations):
    con, parquet = observations
    prefixes = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT areacd[1:3] FROM read_parquet(?) WHERE geography NOT IN (?, ?)",
            [parquet, *COUNCIL_GEOGRAPHIES],
        ).fetchall()
    }
    assert prefixes == set(refresh_ons.AGGREGATE_PREFIXES)


def test_every_council_level_indicator_has_its_metadata_and_topic(observations):
    con, parquet = observations
    in_data = set(
        con.execute("SELECT DISTINCT slug, indicator FROM read_parquet(?) WHERE geography IN (?, ?)",
                    [parquet, *COUNCIL_GEOGRAPHIES]).fetchall()
    )
    with (DATA / "sources/ons-local-statistics/indicators.csv").open(encoding="utf-8", newline="") as handle:
        metadata = list(csv.DictReader(handle))
    assert {(m["slug"], m["indicator"]) for m in metadata} == in_data
    assert len(metadata) == 83
    for m in metadata:
        for column in ("label", "subtitle", "decimal_places", "source_org", "source_url", "long_description",
                       "topic", "sub_topic", "measure", "unit"):
            assert m[column].strip(), (m["indicator"], column)
        assert int(m["council_rows"]) > 0
        assert m["first_period"] <= m["last_period"]


# --- the compaction's own rules, on small files written here ------------------------------------


def write_ons(folder: Path, files: dict[str, str], metadata: dict[str, dict], topics: list[tuple[str, str]]) -> Path:
    (folder / "indicators").mkdir(parents=True)
    for slug, text in files.items():
        (folder / "indicators" / f"{slug}.csv").write_text(text, encoding="utf-8")
    for slug, meta in metadata.items():
        (folder / "indicators" / f"{slug}.json").write_text(json.dumps({"ess-beta-metadata": meta}), encoding="utf-8")
    lines = ["slug,topic,subTopic,dataset,code,include"] + [f"t-{c},economy,jobs,{s},{c},true" for s, c in topics]
    (folder / "topics.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


ENTRY = {"label": "Jobs", "subtitle": "Share in work", "suffix": "%", "decimalPlaces": 1, "sourceOrg": "ONS",
         "sourceURL": "https://example.org", "longDescription": "Long", "caveats": "None"}


def test_bom_reordered_columns_and_a_repeated_empty_column_are_read(tmp_path):
    reordered = ("\ufeffareacd,areanm,geography,indicator,period,measure,observation,unit,lci_95,uci_95,status,notes,notes\n"
                 "E06000001,Hartlepool,County or Unitary Authority,Jobs,2020-01-01/P1Y,Percentage,70.5,%,69,72,,,\n"
                 "E92000001,England,Nation,Jobs,2020-01-01/P1Y,Percentage,75,%,,,,,\n"
                 "E47000001,Greater Manchester,Combined Authority or City Region,Jobs,2020-01-01/P1Y,Percentage,71,%,,,,,\n"
                 "K99000004,Outside of England and Unknown,Region,Jobs,2020-01-01/P1Y,Percentage,60,%,,,,,\n")
    folder = write_ons(tmp_path / "ons", {"jobs": reordered}, {"jobs": ENTRY}, [("jobs", "Jobs")])
    result = refresh_ons.compact_local_statistics(folder)
    rows = result.table.to_pylist()
    assert [(r["areacd"], r["observation"], r["lci_95"], r["source_row"]) for r in rows] == [
        ("E06000001", 70.5, 69.0, 2), ("E92000001", 75.0, None, 3)]
    assert rows[0]["status"] is None and rows[0]["slug"] == "jobs"
    assert {d["reason"].split(":")[0] for d in result.dropped_rows} == {
        "geography Combined Authority or City Region", "not a UK, nation or region aggregate (K99000004 Outside of England and Unknown)"}
    assert any("repeated empty column" in n for n in result.notes)
    assert result.metadata[0]["label"] == "Jobs" and result.metadata[0]["topic"] == "economy"


def test_a_file_of_several_indicators_merges_shared_metadata_under_each_entry(tmp_path):
    text = (",".join(refresh_ons.COLUMNS) + "\n"
            "E07000001,A,Local Authority District,Male,2020-01-01/P1Y,60,Years,yrs,,,,\n"
            "E07000001,A,Local Authority District,Female,2020-01-01/P1Y,63,Years,yrs,,,,\n")
    meta = {"shared": {"sourceOrg": "ONS", "sourceURL": "https://ons"}, "Male": {**ENTRY, "label": "Male HLE"},
            "Female": {**ENTRY, "label": "Female HLE", "sourceOrg": "NRS"}}
    folder = write_ons(tmp_path / "ons", {"hle": text}, {"hle": meta}, [("hle", "Male"), ("hle", "Female")])
    by_indicator = {m["indicator"]: m for m in refresh_ons.compact_local_statistics(folder).metadata}
    assert by_indicator["Male"]["label"] == "Male HLE" and by_indicator["Male"]["source_org"] == "ONS"
    assert by_indicator["Female"]["source_org"] == "NRS"  # the entry's own field wins over shared


@pytest.mark.parametrize(
    "text, topics, message",
    [
        ("areacd,areanm\nE1,A\n", [("jobs", "Jobs")], "row 1: columns geography, indicator"),
        (",".join(refresh_ons.COLUMNS) + ",notes\nE06000001,A,Local Authority District,Jobs,2020,1,P,%,,,,,note\n",
         [("jobs", "Jobs")], "row 2, column notes (repeated): not empty"),
        (",".join(refresh_ons.COLUMNS) + "\nE06000001,A,Local Authority District,Jobs,2020,1,P,%,,\n",
         [("jobs", "Jobs")], "row 2: 10 cells, the header has 12"),
        (",".join(refresh_ons.COLUMNS) + "\nE06000001,A,Local Authority District,Jobs,2020,1,P,%,low,,,\n",
         [("jobs", "Jobs")], "row 2, column lci_95: 'low' is not a number"),
        (",".join(refresh_ons.COLUMNS) + "\nE06000001,A,Local Authority District,Jobs,2020,1,P,%,,,,\n",
         [], "topics.csv: no row with dataset 'jobs' and code 'Jobs'"),
    ],
)
def test_malformed_originals_are_refused_with_file_row_column_and_reason(tmp_path, text, topics, message):
    folder = write_ons(tmp_path / "ons", {"jobs": text}, {"jobs": ENTRY}, topics)
    with pytest.raises(refresh_ons.RefreshError, match=message.replace("(", r"\(").replace(")", r"\)")):
        refresh_ons.compact_local_statistics(folder)


def test_an_indicator_missing_from_a_multi_indicator_json_is_refused(tmp_path):
    text = ",".join(refresh_ons.COLUMNS) + "\nE06000001,A,Local Authority District,Jobs,2020,1,P,%,,,,\n"
    folder = write_ons(tmp_path / "ons", {"jobs": text}, {"jobs": {"shared": {}, "Other": ENTRY}}, [("jobs", "Jobs")])
    with pytest.raises(refresh_ons.RefreshError, match="jobs.json: no entry for indicator 'Jobs'"):
        refresh_ons.compact_local_statistics(folder)


def test_the_parquet_writer_gives_the_same_bytes_twice(tmp_path):
    text = ",".join(refresh_ons.COLUMNS) + "\nE06000001,A,Local Authority District,Jobs,2020,1.5,P,%,1,2,x,\n"
    table = refresh_ons.compact_local_statistics(write_ons(tmp_path / "ons", {"jobs": text}, {"jobs": ENTRY},
                                                           [("jobs", "Jobs")])).table
    refresh_ons.write_parquet(table, tmp_path / "a.parquet")
    refresh_ons.write_parquet(table, tmp_path / "b.parquet")
    assert (tmp_path / "a.parquet").read_bytes() == (tmp_path / "b.parquet").read_bytes()
