"""The default warehouse: real published figures for every UK council, from the repository alone.

``python -m etl build-default`` (``make dashboard`` runs it when nothing is published) loads, as
one new version (all or nothing):

- every council-level row of ONS Explore Local Statistics (``data/sources/ons-local-statistics``)
  through ``etl import`` with the spec in ``data/specs/``, polarity from our table beside it;
- ONS's three similar-area sets (global, economic, demographic: 20 nearest per council) and its
  clusters with their descriptions (``data/sources/ons-similar-areas``), imported the same way;
- Exemplar's computed statistical neighbours (population, density, deprivation);
- the self-assessment framework (Exemplar's own questions) and **synthetic** answers on the real
  councils (``etl.demo``): no council publishes its answers. The answers' source is loaded as
  synthetic, so every page and download that shows them says so.

The specs are exactly what a user runs by hand (``python -m etl import FILE --spec SPEC``); this
module only lists them (:data:`DEFAULT_IMPORTS`) and loads them together.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

from etl import demo, neighbours, reference, settings
from etl.importer import ImportJob, ImportReport, format_report, import_files
from etl.load import LoadResult, Source
from etl.neighbours import NeighbourResult
from etl.problems import format_problems

__all__ = ["DEFAULT_IMPORTS", "DefaultBuild", "SPECS_DIR", "build_default", "format_build"]

DATA_DIR = settings.PROJECT_ROOT / "data"
SPECS_DIR = DATA_DIR / "specs"
SOURCES_DIR = DATA_DIR / "sources"
ONS_SIMILAR = SOURCES_DIR / "ons-similar-areas"

# (publisher's file, the spec that maps it): every import of the default warehouse.
DEFAULT_IMPORTS: tuple[ImportJob, ...] = (
    ImportJob(SOURCES_DIR / "ons-local-statistics" / "observations.parquet", SPECS_DIR / "ons-local-statistics.toml"),
    *(
        ImportJob(ONS_SIMILAR / f"{kind}-neighbours.csv", SPECS_DIR / f"ons-{kind}-neighbours.toml")
        for kind in ("global", "economic", "demographic")
    ),
    ImportJob(ONS_SIMILAR / "cluster-allocation.csv", SPECS_DIR / "ons-clusters.toml"),
)


@dataclass
class DefaultBuild:
    """What a default build did: each import's report, the computed neighbours, the joint load."""

    reports: list[ImportReport] = field(default_factory=list)
    computed: NeighbourResult | None = None
    result: LoadResult | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """True when the build was published (or validated, in a dry run)."""
        return self.result is not None and self.result.ok and all(r.ok for r in self.reports)


def build_default(
    warehouse: str | Path | None = None,
    *,
    reference_dir: Path | None = None,
    keep_versions: int | None = None,
    dry_run: bool = False,
    imports: Sequence[ImportJob] = DEFAULT_IMPORTS,
) -> DefaultBuild:
    """Build the default warehouse (see the module docstring) as one new published version;
    other loaded sources are kept. Nothing is published when any part has a problem.

    Raises:
        SpecError, ReadError: a committed spec or data file is broken (a bug in the repository).
        FileNotFoundError: the register is not in ``reference_dir``.
    """
    started = time.perf_counter()
    build = DefaultBuild()
    authorities = reference.read_authorities(reference_dir)
    with tempfile.TemporaryDirectory(prefix="exemplar-default-") as tmp:
        folder = Path(tmp)
        framework = demo.write_framework_source(folder / demo.FRAMEWORK_SOURCE_NAME)
        answers = demo.write_answers_source(folder / demo.ANSWERS_SOURCE_NAME, authorities)
        build.computed = _computed_neighbours(folder / "neighbours", authorities)
        extra = [
            Source.of(framework, demo.FRAMEWORK_SOURCE_NAME, publisher="Exemplar (self-assessment framework)"),
            Source.of(answers, demo.ANSWERS_SOURCE_NAME, synthetic=True),
            Source.of(folder / "neighbours", neighbours.source_name(build.computed.set_id), publisher="Exemplar"),
        ]
        build.reports, build.result = import_files(
            imports,
            warehouse,
            extra_sources=extra,
            dry_run=dry_run,
            reference_dir=reference_dir,
            keep_versions=keep_versions,
        )
    build.seconds = time.perf_counter() - started
    return build


def _computed_neighbours(folder: Path, authorities: pd.DataFrame) -> NeighbourResult:
    """Exemplar's statistical neighbours from the register's facts, written as a contract source."""
    con = duckdb.connect()
    try:
        con.execute("CREATE SCHEMA ref")
        con.register("register_frame", authorities)
        con.execute("CREATE TABLE ref.authorities AS SELECT * FROM register_frame")
        return neighbours.write_neighbour_source(folder, con)
    finally:
        con.close()


def format_build(build: DefaultBuild) -> str:
    """Lines for the terminal: each import's report, the computed set, the outcome and the time."""
    lines = [format_report(report) for report in build.reports]
    if build.computed is not None:
        councils = build.computed.members["authority_code"].nunique()
        lines.append(f"Computed neighbours {build.computed.set_id!r}: {councils} councils")
    result = build.result
    if result is not None:
        for record in result.files:
            lines.append(f"{record['source']}/{record['file']}: {record['rows_loaded']:,} rows loaded")
        if result.outside_life is not None:
            lines += result.outside_life.describe()
        if result.problems and not any(r.problems for r in build.reports):
            lines.append(format_problems(result.problems))
        if result.outcome == "published":
            lines.append(f"Published data version {result.version} (default warehouse, {build.seconds:.1f} s).")
        elif result.outcome == "validated":
            lines.append(f"Valid: every check passed (dry run: nothing was written; {build.seconds:.1f} s).")
    if not build.ok:
        lines.append("Nothing was published; the live warehouse is unchanged.")
    return "\n".join(lines)
