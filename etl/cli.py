"""The ``python -m etl`` command line: declares the commands (click), calls the library, reports.

Every command returns its exit code: 0 success, 1 invalid input (the problems are printed and
nothing is published), 2 anything else (bad arguments, a missing folder, an unreadable file, a
full disk). ``main`` turns the library's exceptions into those codes in one place.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import click
import duckdb

from etl import settings
from etl.extract import SourceReadError
from etl.history import RollbackError
from etl.load import LoadResult, Source, load_sources
from etl.problems import format_problems
from etl.status import format_status, warehouse_status

__all__ = ["main", "cli"]

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
DEFAULT_REFRESH_FROM = settings.PROJECT_ROOT.parent / "shared" / "data"  # the published register beside the project
DEFAULT_REFRESH_TO = settings.PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Options:
    """The options every command shares (given before the command's name)."""

    warehouse: str | None
    reference_dir: Path | None
    keep_versions: int | None


pass_options = click.make_pass_decorator(Options)
PathArgument = click.Path(path_type=Path)


def _say(text: str, ok: bool = True) -> None:
    """Print to stdout, or to stderr when ``ok`` is False (looked up per call, so tests see it)."""
    click.echo(text, err=not ok)


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
    help="Load data into the Exemplar warehouse.",
)
@click.option("--warehouse", help="live warehouse path (default: $EXEMPLAR_WAREHOUSE or data/exemplar.duckdb)")
@click.option("--reference-dir", type=PathArgument, help="folder with uk-authorities/ and uk-deprivation/")
@click.option(
    "--keep-versions",
    type=int,
    metavar="N",
    help="versions kept after a publish (default: $EXEMPLAR_KEEP_VERSIONS or 5)",
)
@click.pass_context
def cli(ctx: click.Context, warehouse: str | None, reference_dir: Path | None, keep_versions: int | None) -> None:
    ctx.obj = Options(warehouse, reference_dir, keep_versions)


# -- loading --------------------------------------------------------------------------------------
def _report(result: LoadResult) -> int:
    """Print what a load or validation did; returns its exit code."""
    if result.problems:
        _say(format_problems(result.problems), ok=False)
        _say("Nothing was published; the live warehouse is unchanged.", ok=False)
        return EXIT_INVALID
    for record in result.files:
        _say(
            f"{record['source']}/{record['file']}: {record['rows_read']:,} rows read, {record['rows_loaded']:,} loaded"
        )
    if result.outside_life is not None:
        for line in result.outside_life.describe():
            _say(line)
    if result.outcome == "published":
        _say(f"Published data version {result.version}.")
    else:
        _say("Valid: every check passed (nothing was written).")
    return EXIT_OK


@cli.command(help="validate and publish one or more source folders")
@click.argument("dirs", nargs=-1, required=True, type=PathArgument)
@click.option("--source-name", help="store rows under this name (one folder only)")
@pass_options
def load(options: Options, dirs: tuple[Path, ...], source_name: str | None) -> int:
    return _load_or_validate(options, dirs, source_name, validate_only=False)


@cli.command(help="run every check on a source folder; write nothing")
@click.argument("dirs", nargs=-1, required=True, type=PathArgument)
@pass_options
def validate(options: Options, dirs: tuple[Path, ...]) -> int:
    return _load_or_validate(options, dirs, None, validate_only=True)


def _load_or_validate(options: Options, dirs: tuple[Path, ...], source_name: str | None, validate_only: bool) -> int:
    if source_name and len(dirs) > 1:
        _say("--source-name needs exactly one folder", ok=False)
        return EXIT_ERROR
    result = load_sources(
        [Source.of(d, source_name) for d in dirs],
        options.warehouse,
        validate_only=validate_only,
        reference_dir=options.reference_dir,
        keep_versions=options.keep_versions,
    )
    return _report(result)


IF_MISSING_HELP = "do nothing when a warehouse of the current schema version is already published"


def _already_published(options: Options, what: str) -> bool:
    """True (and said) when a warehouse of this code's schema version is published; a warehouse
    of an older schema is said to be rebuilt as ``what``."""
    from etl.warehouse import SCHEMA_VERSION, WarehousePaths

    if WarehousePaths.from_env(options.warehouse).current_file() is None:
        return False
    built_with = warehouse_status(options.warehouse).get("meta", {}).get("schema_version")
    if built_with == SCHEMA_VERSION:
        _say("A warehouse is already published; leaving it as it is.")
        return True
    _say(
        f"The published warehouse has schema version {built_with}, this code needs {SCHEMA_VERSION}: rebuilding {what}."
    )
    return False


@cli.command(
    "build-default",
    help="load the default warehouse: real ONS indicators and similar areas for every UK council, "
    "computed neighbours, and synthetic self-assessment answers",
)
@click.option("--if-missing", is_flag=True, help=IF_MISSING_HELP)
@click.option("--dry-run", is_flag=True, help="run every check and print the reports; write nothing")
@pass_options
def build_default(options: Options, if_missing: bool, dry_run: bool) -> int:
    from etl.default_build import build_default as build
    from etl.default_build import format_build

    if if_missing and _already_published(options, "the default warehouse"):
        return EXIT_OK
    built = build(
        options.warehouse, reference_dir=options.reference_dir, keep_versions=options.keep_versions, dry_run=dry_run
    )
    _say(format_build(built), ok=built.ok)
    return EXIT_OK if built.ok else EXIT_INVALID


@cli.command(
    "build-demo",
    help="generate the fully synthetic demo (invented transformation indicators and answers) and load it",
)
@click.option("--if-missing", is_flag=True, help=IF_MISSING_HELP)
@click.option("--keep-source", type=PathArgument, help="also keep the generated CSV files in this folder")
@pass_options
def build_demo(options: Options, if_missing: bool, keep_source: Path | None) -> int:
    from etl import demo, neighbours, reference

    if if_missing and _already_published(options, "the demo"):
        return EXIT_OK
    authorities = reference.read_authorities(options.reference_dir)
    with tempfile.TemporaryDirectory(prefix="exemplar-demo-") as tmp:
        folder = keep_source or Path(tmp) / demo.DEMO_SOURCE_NAME
        folder.mkdir(parents=True, exist_ok=True)
        demo.write_demo_source(folder, authorities)
        source = Source.of(folder, demo.DEMO_SOURCE_NAME, synthetic=True)
        result = load_sources(
            [source], options.warehouse, reference_dir=options.reference_dir, keep_versions=options.keep_versions
        )
    code = _report(result)
    if result.outcome == "published":  # so the Statistical neighbours peer group works at once
        computed = neighbours.compute_and_load(
            options.warehouse, reference_dir=options.reference_dir, keep_versions=options.keep_versions
        )
        _say(neighbours.format_summary(computed), ok=computed.ok)
    return code


@cli.command(help="data version, sources, row counts and recent loads")
@pass_options
def status(options: Options) -> int:
    _say(format_status(warehouse_status(options.warehouse)))
    return EXIT_OK


@cli.command("load-inbox", help="check and publish the self-assessment submissions in the inbox")
@pass_options
def load_inbox(options: Options) -> int:
    from etl.inbox import format_inbox_report, load_inbox

    report = load_inbox(options.warehouse, reference_dir=options.reference_dir, keep_versions=options.keep_versions)
    _say(format_inbox_report(report), ok=report.ok)
    return EXIT_OK if report.ok else EXIT_INVALID


# -- files in publishers' shapes, computed peer sets (see docs/importing.md) ----------------------
@cli.command("import", help="import a CSV/xlsx/parquet file in its own shape, mapped by a TOML spec")
@click.argument("file", type=PathArgument)
@click.option("--spec", type=PathArgument, required=True, help="the TOML mapping spec")
@click.option("--dry-run", is_flag=True, help="run every check and print the report; write nothing")
@pass_options
def import_(options: Options, file: Path, spec: Path, dry_run: bool) -> int:
    from etl.importer import format_report, import_file

    report = import_file(
        file,
        spec,
        options.warehouse,
        dry_run=dry_run,
        reference_dir=options.reference_dir,
        keep_versions=options.keep_versions,
    )
    _say(format_report(report), ok=report.ok)
    return EXIT_OK if report.ok else EXIT_INVALID


@cli.command(help="compute each council's 15 nearest statistical neighbours")
@click.option(
    "--variables",
    default="population,density,deprivation",
    show_default=False,
    help="comma-separated: population, density, deprivation, area, indicator:ID@PERIOD",
)
@click.option("--weights", help="comma-separated weights in the order of --variables (default: all 1)")
@click.option("--count", type=int, default=15, help="neighbours per council (default 15)")
@click.option("--set-id", default="computed-neighbours", help="id of the peer set (replaces one of that id)")
@click.option("--name", help="display name of the peer set")
@click.option("--dry-run", is_flag=True, help="compute and validate; write nothing")
@pass_options
def neighbours(
    options: Options,
    variables: str,
    weights: str | None,
    count: int,
    set_id: str,
    name: str | None,
    dry_run: bool,
) -> int:
    from etl import neighbours as computed_neighbours

    result = computed_neighbours.compute_and_load(
        options.warehouse,
        variables=variables,
        weights=weights,
        count=count,
        set_id=set_id,
        name=name,
        dry_run=dry_run,
        reference_dir=options.reference_dir,
        keep_versions=options.keep_versions,
    )
    _say(computed_neighbours.format_summary(result), ok=result.ok)
    return EXIT_OK if result.ok else EXIT_INVALID


# -- the operator's commands (see docs/operations.md) ----------------------------------------------
@cli.command(help="list published versions, the live one starred")
@pass_options
def history(options: Options) -> int:
    from etl import history as versions

    _say(versions.format_history(versions.list_versions(options.warehouse)))
    return EXIT_OK


@cli.command(help="switch the live warehouse back to VERSION (default: the one before the live one)")
@click.argument("version", required=False)
@pass_options
def rollback(options: Options, version: str | None) -> int:
    from etl import history as versions

    before, after = versions.rollback(options.warehouse, version)
    _say(f"Live warehouse now serves version {after} (was {before}).")
    return EXIT_OK


@cli.command(help="delete versions beyond the newest N (never the live one)")
@pass_options
def prune(options: Options) -> int:
    from etl import history as versions

    removed = versions.prune(options.warehouse, options.keep_versions)
    _say(f"Pruned {len(removed)} old version(s)." + "".join(f"\n  {p.name}" for p in removed))
    return EXIT_OK


@cli.command(help="write every table of the live warehouse to DIR")
@click.option("--format", "file_format", type=click.Choice(["parquet", "csv"]), default="parquet")
@click.argument("dir", type=PathArgument)
@pass_options
def export(options: Options, file_format: str, dir: Path) -> int:
    from etl import export as exporter

    result = exporter.export_warehouse(dir, file_format, options.warehouse)
    for name, (file, rows) in result.tables.items():
        _say(f"{name}: {rows:,} rows -> {file}")
    _say(f"Exported data version {result.data_version} to {result.directory}.")
    return EXIT_OK


# -- the vendored register -------------------------------------------------------------------------
@cli.command("refresh-reference", help="rebuild data/reference and data/sources from the publishers' originals")
@click.option(
    "--from",
    "source_dir",
    type=PathArgument,
    default=DEFAULT_REFRESH_FROM,
    help="the originals (default: ../shared/data beside the repository)",
)
@click.option(
    "--to",
    "target_dir",
    type=PathArgument,
    default=DEFAULT_REFRESH_TO,
    help="the folder holding reference/ and sources/ (default: the repository's data/)",
)
def refresh_reference(source_dir: Path, target_dir: Path) -> int:
    from etl.refresh import RefreshError
    from etl.refresh import refresh_reference as rebuild

    try:
        _say(rebuild(source_dir, target_dir))
    except RefreshError as exc:  # an original cannot be read: bad input, nothing was replaced
        _say(f"error: {exc}\nNothing was replaced in {target_dir}.", ok=False)
        return EXIT_INVALID
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code (0 ok, 1 invalid input, 2 other error)."""
    try:
        code = cli.main(
            args=list(argv) if argv is not None else sys.argv[1:], prog_name="python -m etl", standalone_mode=False
        )
    except click.ClickException as exc:  # bad arguments: the usage line and the reason, exit 2
        exc.show()
        return exc.exit_code
    except click.Abort:
        _say("Aborted.", ok=False)
        return EXIT_ERROR
    except (SourceReadError, RollbackError, FileNotFoundError, ValueError) as exc:
        _say(f"error: {exc}", ok=False)
        return EXIT_ERROR
    except (OSError, duckdb.Error) as exc:  # disk full, unreadable file...: say so, no traceback
        _say(f"error: {type(exc).__name__}: {exc}", ok=False)
        _say("Nothing was published by this command; the live warehouse is as it was.", ok=False)
        return EXIT_ERROR
    return code if isinstance(code, int) else EXIT_OK
