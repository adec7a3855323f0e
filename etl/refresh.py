"""Rebuild the repository's vendored data (``data/reference``, ``data/sources``) from the originals.

``python -m etl refresh-reference --from ../shared/data --to data`` calls
:func:`refresh_reference`. Every folder it writes holds the publisher's licence file and a
``manifest.json``: source, publisher, licence, attribution, snapshot date, sha256 and size of
every file with how it was derived, and the sha256 of every original read. Output is
deterministic: the same originals give the same bytes (sorted keys, fixed Parquet writer
settings, no timestamps but the sources' snapshot dates), which ``tests/test_refresh.py`` checks
against what is committed. Needs the ``refresh`` extra (shapely, pinned pyarrow).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

__all__ = ["FOLDERS", "VendoredFolder", "refresh_reference", "RefreshError"]

from etl.refresh_ons import RefreshError

DISTRICTS_2013_DAY = date(2013, 4, 1)  # the councils of the 2013 districts file
REBUILD_COMMAND = "python -m etl refresh-reference --from ../shared/data --to data"
ONS_ATTRIBUTION = "Source: Office for National Statistics licensed under the Open Government Licence v.3.0"
OS_ATTRIBUTION = "Contains OS data © Crown copyright and database right"


@dataclass(frozen=True)
class VendoredFolder:
    """One folder under the target: where it comes from, under what terms, and how it is built."""

    target: str  # relative to the target folder, e.g. "reference/uk-authorities"
    original: str  # the folder of originals, relative to the source folder
    source: str
    publisher: str
    url: str
    licence: str
    licence_from: str  # the licence file among the originals, copied unchanged
    attribution: str
    snapshot: str  # as the originals' README gives it
    build: str  # name of the builder below


FOLDERS = (  # built in this order: the slow boundaries last, so bad input elsewhere fails fast
    VendoredFolder(
        target="reference/uk-authorities",
        original="uk-authorities",
        source="UK Local Authority Names and Codes",
        publisher="mySociety",
        url="https://github.com/mysociety/uk_local_authority_names_and_codes",
        licence="MIT",
        licence_from="uk-authorities/LICENSE",
        attribution="mySociety, UK Local Authority Names and Codes (MIT licence)",
        snapshot="2025-07-10",
        build="copy",
    ),
    VendoredFolder(
        target="reference/uk-deprivation",
        original="uk-deprivation",
        source="Composite UK Index of Multiple Deprivation",
        publisher="mySociety",
        url="https://github.com/mysociety/composite_uk_imd",
        licence="MIT",
        licence_from="uk-deprivation/LICENSE",
        attribution="mySociety, Composite UK IMD (MIT licence)",
        snapshot="2025-06-25",
        build="copy",
    ),
    VendoredFolder(
        target="sources/ons-local-statistics",
        original="ons-local-statistics",
        source="Explore Local Statistics data",
        publisher="Office for National Statistics",
        url="https://github.com/ONSdigital/explore-local-statistics-data",
        licence="Open Government Licence v3.0",
        licence_from="ons-local-statistics/LICENSE.md",
        attribution=ONS_ATTRIBUTION,
        snapshot="2026-06-26",
        build="local_statistics",
    ),
    VendoredFolder(
        target="sources/ons-similar-areas",
        original="ons-similar-areas",
        source="Explore Local Statistics app configuration: similar areas and clusters",
        publisher="Office for National Statistics",
        url="https://github.com/ONSdigital/explore-local-statistics-app",
        licence="MIT (Crown copyright, Office for National Statistics)",
        licence_from="ons-similar-areas/LICENSE-app.md",
        attribution="Crown copyright, Office for National Statistics (MIT licence)",
        snapshot="2026-06",
        build="copy",
    ),
    VendoredFolder(
        target="reference/uk-boundaries",
        original="uk-boundaries",
        source="Explore Local Statistics app, council boundaries (uk-2025.topo.json)",
        publisher="Office for National Statistics",
        url="https://github.com/ONSdigital/explore-local-statistics-app",
        licence="Open Government Licence v3.0",
        licence_from="ons-local-statistics/LICENSE.md",  # the OGL text: uk-boundaries/ has none of its own
        attribution=f"{ONS_ATTRIBUTION}; {OS_ATTRIBUTION}",
        snapshot="2026-06",
        build="boundaries",
    ),
)

Written = dict[str, tuple[bytes, str]]  # file name -> (content, how it was derived)


@dataclass
class Built:
    """What a builder made: the files, the originals it read, and facts for the manifest."""

    files: Written
    read: list[Path]
    facts: dict[str, Any]


def refresh_reference(source_dir: Path, target_dir: Path) -> str:
    """Rebuild every vendored folder of ``target_dir`` from the originals in ``source_dir``.

    Each folder is built in a temporary folder first and swapped in only when all are built,
    so a failure leaves ``target_dir`` as it was. Files of ``target_dir`` outside the vendored
    folders (warehouses, logs) are never touched.

    Returns a one-paragraph summary (folders, files, bytes, rows kept, checks, time taken).

    Raises:
        FileNotFoundError: an original file or folder is missing.
        RefreshError: an original cannot be read (file, row, column and reason).
    """
    started = time.perf_counter()
    source_dir, target_dir = Path(source_dir), Path(target_dir)
    if not source_dir.is_dir():
        raise FileNotFoundError(f"originals folder {source_dir} does not exist (expected ../shared/data)")
    target_dir.mkdir(parents=True, exist_ok=True)
    facts: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix=".refresh-", dir=target_dir) as tmp:
        staged = Path(tmp)
        for folder in FOLDERS:
            _build_folder(folder, source_dir, staged / folder.target, facts)
        for folder in FOLDERS:
            _swap_in(staged / folder.target, target_dir / folder.target)
    return _summary(target_dir, facts, time.perf_counter() - started)


def _build_folder(folder: VendoredFolder, source_dir: Path, out: Path, facts: dict[str, Any]) -> None:
    originals = source_dir / folder.original
    if not originals.is_dir():
        raise FileNotFoundError(f"originals folder {originals} does not exist")
    built = BUILDERS[folder.build](source_dir, originals)
    licence = source_dir / folder.licence_from
    built.files[licence.name] = (licence.read_bytes(), f"copied unchanged from {folder.licence_from}")
    built.read.append(licence)
    out.mkdir(parents=True)
    for name, (content, _) in built.files.items():
        (out / name).write_bytes(content)
    (out / "manifest.json").write_bytes(_manifest(folder, built, source_dir))
    facts[folder.target] = built.facts


def _swap_in(built: Path, live: Path) -> None:
    """Replace ``live`` by ``built`` (a rename each; the old copy is removed afterwards)."""
    live.parent.mkdir(parents=True, exist_ok=True)
    old = live.with_name(f".{live.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if live.exists():
        live.rename(old)
    built.rename(live)
    if old.exists():
        shutil.rmtree(old)


def _relative(path: Path, base: Path) -> str:
    return path.relative_to(base).as_posix()


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _manifest(folder: VendoredFolder, built: Built, source_dir: Path) -> bytes:
    document = {
        "folder": folder.target,
        "source": folder.source,
        "publisher": folder.publisher,
        "url": folder.url,
        "licence": folder.licence,
        "licence_file": Path(folder.licence_from).name,
        "attribution": folder.attribution,
        "snapshot": folder.snapshot,
        "rebuild": REBUILD_COMMAND,
        "files": [
            {"file": name, "bytes": len(content), "sha256": _sha256(content), "derived": how}
            for name, (content, how) in sorted(built.files.items())
        ],
        "originals": [
            {"file": _relative(path, source_dir), "bytes": path.stat().st_size, "sha256": _sha256(path.read_bytes())}
            for path in sorted(set(built.read))
        ],
        **built.facts,
    }
    return (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _copy(source_dir: Path, originals: Path) -> Built:
    """Small folders travel as they are: every file copied unchanged (the licence is added by the caller)."""
    files = sorted(p for p in originals.iterdir() if p.is_file() and not p.name.startswith(("LICENSE", "LICENCE")))
    written = {p.name: (p.read_bytes(), f"copied unchanged from {_relative(p, source_dir)}") for p in files}
    return Built(written, files, {})


def _local_statistics(source_dir: Path, originals: Path) -> Built:
    from etl import refresh_ons

    compacted = refresh_ons.compact_local_statistics(originals)
    with tempfile.TemporaryDirectory() as tmp:
        parquet = Path(tmp) / "observations.parquet"
        refresh_ons.write_parquet(compacted.table, parquet)
        rows = parquet.read_bytes()
    files = sorted((originals / "indicators").glob("*.csv"))
    written: Written = {
        "observations.parquet": (
            rows,
            f"the {len(files)} files indicators/<slug>.csv in one table (Parquet, zstd): the council rows and "
            "the UK, nation and region rows of the indicators with council rows, every original column, "
            "plus slug (the file's name) and source_row (the row's number in its file, header = 1), in file "
            "and row order; empty cells are nulls, observation/lci_95/uci_95 are numbers",
        ),
        "indicators.csv": (
            refresh_ons.metadata_csv(compacted.metadata),
            "one row per indicator (slug, indicator): the fields of indicators/<slug>.json (the file's "
            "'shared' fields under the indicator's own), its topics.csv row (dataset = slug, code = "
            "indicator), and from its council rows: measure, unit, row counts, first and last period",
        ),
    }
    councils = sum(m["council_rows"] for m in compacted.metadata)
    read = files + sorted((originals / "indicators").glob("*.json")) + [originals / "topics.csv"]
    return Built(
        written,
        read,
        {
            "rows": {
                "kept": compacted.table.num_rows,
                "council": councils,
                "aggregate": compacted.table.num_rows - councils,
                "dropped": sum(d["rows"] for d in compacted.dropped_rows),
            },
            "indicators": len(compacted.metadata),
            "dropped_rows": compacted.dropped_rows,
            "dropped_indicators": compacted.dropped_indicators,
            "notes": compacted.notes,
        },
    )


def _boundaries(source_dir: Path, originals: Path) -> Built:
    import pandas as pd

    from etl import reference
    from etl import refresh_boundaries as rb

    topology_path = originals / "uk-2025.topo.json"
    topology = json.loads(topology_path.read_text(encoding="utf-8"))
    register = reference.read_authorities(source_dir, boundary_centroids=False)
    councils = register[register["is_council"]]
    codes = set(councils["gss_code"].dropna())
    fine = rb.build_council_shapes(topology, codes, tolerance=0, decimals=rb.FINE_DECIMALS, detail="fine")
    coarse = rb.build_council_shapes(
        topology, codes, tolerance=rb.COARSE_TOLERANCE, decimals=rb.COARSE_DECIMALS, detail="coarse"
    )
    points = rb.centroids(fine, coarse)
    register_points = {
        row["authority_code"]: (row["short_name"], float(row["lat"]), float(row["lon"]))
        for row in councils.to_dict("records")
        if pd.notna(row["lat"]) and pd.notna(row["lon"])
    }
    misses = rb.register_centroid_check(fine, register_points)
    checks = rb.predecessor_union_check(fine, originals, *_reorganisations(councils))
    without = sorted(set(councils["authority_code"]) - set(fine.shapes))
    written: Written = {
        "councils-fine.geojson": (
            rb.feature_collection_text(fine).encode("utf-8"),
            f"uk-2025.topo.json objects ltla then utla, the councils of the register (id = authority_code), "
            f"arcs unsimplified, coordinates rounded to {rb.FINE_DECIMALS} decimals, exteriors clockwise (d3)",
        ),
        "councils-coarse.geojson": (
            rb.feature_collection_text(coarse).encode("utf-8"),
            f"as councils-fine.geojson, each arc simplified (Douglas-Peucker, end points kept) at "
            f"{rb.COARSE_TOLERANCE} degrees, coordinates rounded to {rb.COARSE_DECIMALS} decimals",
        ),
        "centroids.csv": (
            _centroids_csv(points),
            "per council with a boundary: the centroid of its largest part in councils-fine.geojson, or that "
            "part's pole of inaccessibility where the centroid falls outside; inside both levels of detail",
        ),
        rb.DISTRICTS_2013_LICENCE: (
            (originals / rb.DISTRICTS_2013_LICENCE).read_bytes(),
            f"copied unchanged from uk-boundaries/{rb.DISTRICTS_2013_LICENCE}: the 2013 districts it covers are "
            "used for the checks in this manifest (checks_against_2013_districts), not shipped",
        ),
    }
    read = [
        topology_path,
        originals / rb.DISTRICTS_2013_FILE,
        originals / rb.NI_DISTRICTS_2015_FILE,
        originals / rb.DISTRICTS_2013_LICENCE,
    ]
    return Built(
        written,
        read,
        {
            "councils_with_boundary": len(fine.shapes),
            "councils_without_boundary": without,
            "centroid_methods": {
                m: sum(1 for p in points.values() if p[2] == m) for m in sorted({p[2] for p in points.values()})
            },
            "tolerance": {
                "coarse_degrees": rb.COARSE_TOLERANCE,
                "coarse_decimals": rb.COARSE_DECIMALS,
                "fine_degrees": 0,
                "fine_decimals": rb.FINE_DECIMALS,
            },
            "register_centroids_outside_boundary": misses,
            "checks_against_2013_districts": checks,
        },
    )


def _reorganisations(councils: Any) -> tuple[dict[str, list[str]], dict[str, list[str]], list[str]]:
    """From the register: councils created since 2013 -> their 2013 predecessor districts;
    each county -> its districts of 2013; districts and unitaries abolished since 2013."""
    from etl.reference import existed_on

    day = DISTRICTS_2013_DAY
    rows = {row["authority_code"]: row for row in councils.to_dict("records")}
    lower = {code for code, row in rows.items() if row["tier"] in ("district", "unitary")}
    in_2013 = {code for code, row in rows.items() if existed_on(row["start_date"], row["end_date"], day)}
    predecessors: dict[str, list[str]] = {}
    for code, row in rows.items():
        for successor in row["successor_codes"]:
            predecessors.setdefault(successor, []).append(code)

    def districts_2013(code: str) -> list[str]:
        if code in in_2013:
            return [code]
        return sorted({d for p in predecessors.get(code, []) if p in lower for d in districts_2013(p)})

    created = {c: districts_2013(c) for c in sorted(lower - in_2013) if predecessors.get(c)}
    counties = {
        county: sorted(d for d in lower & in_2013 if rows[d]["parent_county_code"] == county)
        for county, row in rows.items()
        if row["tier"] == "county"
    }
    abolished = sorted(c for c in lower if rows[c]["end_date"] is not None and rows[c]["end_date"] > day)
    return created, counties, abolished


def _centroids_csv(points: dict[str, tuple[float, float, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["authority_code", "lat", "lon", "method"])
    for code, (lat, lon, method) in sorted(points.items()):
        writer.writerow([code, f"{lat:.4f}", f"{lon:.4f}", method])
    return buffer.getvalue().encode("utf-8")


BUILDERS: dict[str, Callable[[Path, Path], Built]] = {
    "copy": _copy,
    "local_statistics": _local_statistics,
    "boundaries": _boundaries,
}


def _summary(target_dir: Path, facts: dict[str, Any], seconds: float) -> str:
    sizes = {f.target: sum(p.stat().st_size for p in (target_dir / f.target).iterdir()) for f in FOLDERS}
    files = sum(len(list((target_dir / f.target).iterdir())) for f in FOLDERS)
    ons = facts["sources/ons-local-statistics"]
    shapes = facts["reference/uk-boundaries"]
    per_folder = ", ".join(f"{name} {size / 1e6:.2f} MB" for name, size in sizes.items())
    return (
        f"Rebuilt {len(FOLDERS)} folders ({files} files, {sum(sizes.values()) / 1e6:.2f} MB) in {target_dir} "
        f"in {seconds:.1f} s: {per_folder}. ONS local statistics: {ons['rows']['kept']:,} rows kept "
        f"({ons['rows']['council']:,} council, {ons['rows']['aggregate']:,} UK/nation/region) of "
        f"{ons['indicators']} council-level indicators, {ons['rows']['dropped']:,} rows dropped (see the manifest). "
        f"Boundaries for {shapes['councils_with_boundary']} councils "
        f"({len(shapes['councils_without_boundary'])} without one); "
        f"{len(shapes['register_centroids_outside_boundary'])} register centroids fall outside their council's "
        "boundary and are replaced by the boundary's own."
    )
