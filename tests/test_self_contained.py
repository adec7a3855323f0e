"""A copy of the repository alone (no ../shared beside it) builds and publishes the default warehouse.

The copy holds exactly the files git tracks, as a clone would; the commands run with this
test run's Python but import the copy's own ``etl`` and read the copy's own ``data/``.
"""

from __future__ import annotations

import csv
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def copy(tmp_path_factory) -> Path:
    """The git-tracked files of the repository (with uncommitted edits), nothing beside them."""
    root = tmp_path_factory.mktemp("clone") / "exemplar"
    listing = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listing.decode().split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted but not yet committed is not in the copy
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, root / name)
    assert not (root.parent / "shared").exists()
    return root


def run(copy: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXEMPLAR_")}
    env["PYTHONPATH"] = str(copy)  # the copy's etl, not the worktree's editable install
    return subprocess.run([sys.executable, *args], cwd=copy, env=env, capture_output=True, text=True, timeout=600)


def test_the_copy_imports_its_own_code_and_reads_its_own_reference_data(copy):
    done = run(copy, "-c", "import etl, etl.reference as r; print(etl.__file__); print(r.default_reference_dir())")
    assert done.returncode == 0, done.stderr
    module, reference_dir = done.stdout.split()
    assert Path(module).is_relative_to(copy)
    assert Path(reference_dir) == copy / "data" / "reference"


@pytest.mark.slow  # builds the default warehouse
def test_the_copy_builds_the_real_default_warehouse(copy):
    done = run(copy, "-m", "etl", "build-default", "--if-missing")
    assert done.returncode == 0, done.stderr + done.stdout
    assert "Published data version" in done.stdout
    with (copy / "data/reference/uk-authorities/uk_local_authorities.csv").open(encoding="utf-8", newline="") as f:
        register = {row["gss-code"] or row["local-authority-code"] for row in csv.DictReader(f)}
    with (copy / "data/sources/ons-local-statistics/indicators.csv").open(encoding="utf-8", newline="") as f:
        published = len(list(csv.DictReader(f)))
    con = duckdb.connect(str(copy / "data" / "exemplar.duckdb"), read_only=True)
    try:
        authorities = {row[0] for row in con.execute("SELECT authority_code FROM ref.authorities").fetchall()}
        valued = {row[0] for row in con.execute("SELECT DISTINCT authority_code FROM indicator_values").fetchall()}
        indicators = con.execute(
            "SELECT count(*) FROM indicators WHERE source_name = 'ons-local-statistics'"
        ).fetchone()[0]
        synthetic = con.execute(
            "SELECT DISTINCT holds FROM (SELECT holds, is_synthetic FROM source_files"
            " UNION ALL SELECT holds, is_synthetic FROM withheld_contents) WHERE is_synthetic ORDER BY 1"
        ).fetchall()
        sets = {row[0] for row in con.execute("SELECT set_id FROM peer_sets").fetchall()}
        lancashire = con.execute("SELECT lat, lon FROM ref.authorities WHERE authority_code = 'E10000017'").fetchone()
    finally:
        con.close()
    assert authorities == register and len(register) == 470
    assert len(valued) > 350 and valued <= authorities
    assert indicators == published == 83  # every council-level indicator ONS publishes, real
    assert synthetic == [("self-assessment answers",)]  # and nothing else is synthetic
    assert {"ons-global", "ons-economic", "ons-demographic", "ons-clusters-global", "computed-neighbours"} <= sets
    assert lancashire[0] > 53.5 and lancashire[1] < -2  # the boundary's centroid, not the register's
    again = run(copy, "-m", "etl", "build-default", "--if-missing")
    assert again.returncode == 0 and "already published" in again.stdout


def test_refresh_in_the_copy_says_the_originals_are_missing(copy):
    done = run(copy, "-m", "etl", "refresh-reference")
    assert done.returncode == 2
    assert "shared/data does not exist" in done.stderr
    assert not (copy / "data" / "reference" / "uk-authorities").is_symlink()
    assert (copy / "data" / "reference" / "uk-authorities" / "uk_local_authorities.csv").exists()
