"""The ``python -m etl`` command line: parses arguments, calls the library, reports."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

import duckdb

from etl.extract import SourceReadError
from etl.history import RollbackError
from etl.load import LoadResult, Source, load_sources
from etl.problems import format_problems
from etl.status import format_status, warehouse_status

__all__ = ["main"]

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
REPO_ROOT = Path(__file__).resolve().parent.parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m etl", description="Load data into the Exemplar warehouse.")
    parser.add_argument(
        "--warehouse", help="live warehouse path (default: $EXEMPLAR_WAREHOUSE or data/exemplar.duckdb)"
    )
    parser.add_argument("--reference-dir", type=Path, help="folder with uk-authorities/ and uk-deprivation/")
    commands = parser.add_subparsers(dest="command", required=True)
    demo = commands.add_parser("build-demo", help="generate the synthetic demo source and load it")
    demo.add_argument(
        "--if-missing",
        action="store_true",
        help="do nothing when a warehouse of the current schema version is already published",
    )
    demo.add_argument("--keep-source", type=Path, help="also keep the generated CSV files in this folder")
    load = commands.add_parser("load", help="validate and publish one or more source folders")
    load.add_argument("dirs", nargs="+", type=Path)
    load.add_argument("--source-name", help="store rows under this name (one folder only)")
    validate = commands.add_parser("validate", help="run every check on a source folder; write nothing")
    validate.add_argument("dirs", nargs="+", type=Path)
    commands.add_parser("status", help="data version, sources, row counts and recent loads")
    commands.add_parser("load-inbox", help="check and publish the self-assessment submissions in the inbox")
    _add_operations(parser, commands)
    _add_import_commands(commands)
    refresh = commands.add_parser("refresh-reference", help="rebuild data/reference and data/sources from originals")
    refresh.add_argument(
        "--from",
        dest="from_dir",
        type=Path,
        default=REPO_ROOT.parent / "shared" / "data",
        help="the originals (default: ../shared/data beside the repository)",
    )
    refresh.add_argument(
        "--to",
        dest="to_dir",
        type=Path,
        default=REPO_ROOT / "data",
        help="the folder holding reference/ and sources/ (default: the repository's data/)",
    )
    return parser


def _refresh_reference(args: argparse.Namespace) -> int:
    from etl.refresh import RefreshError, refresh_reference

    try:
        print(refresh_reference(args.from_dir, args.to_dir))
    except RefreshError as exc:  # an original cannot be read: bad input, nothing was replaced
        print(f"error: {exc}\nNothing was replaced in {args.to_dir}.", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK


def _add_import_commands(commands: argparse._SubParsersAction) -> None:
    """Files in publishers' shapes and computed peer sets (see docs/importing.md)."""
    imp = commands.add_parser("import", help="import a CSV/xlsx/parquet file in its own shape, mapped by a TOML spec")
    imp.add_argument("file", type=Path)
    imp.add_argument("--spec", type=Path, required=True, help="the TOML mapping spec")
    imp.add_argument("--dry-run", action="store_true", help="run every check and print the report; write nothing")
    nb = commands.add_parser("neighbours", help="compute each council's 15 nearest statistical neighbours")
    nb.add_argument(
        "--variables",
        default="population,density,deprivation",
        help="comma-separated: population, density, deprivation, area, indicator:ID@PERIOD",
    )
    nb.add_argument("--weights", help="comma-separated weights in the order of --variables (default: all 1)")
    nb.add_argument("--count", type=int, default=15, help="neighbours per council (default 15)")
    nb.add_argument("--set-id", default="computed-neighbours", help="id of the peer set (replaces one of that id)")
    nb.add_argument("--name", help="display name of the peer set")
    nb.add_argument("--dry-run", action="store_true", help="compute and validate; write nothing")


def _imports(args: argparse.Namespace) -> int:
    """``import`` and ``neighbours``: build contract files and load them like any source."""
    if args.command == "import":
        from etl.importer import format_report, import_file

        report = import_file(
            args.file, args.spec, args.warehouse, dry_run=args.dry_run, reference_dir=args.reference_dir
        )
        print(format_report(report), file=sys.stdout if report.ok else sys.stderr)
        return EXIT_OK if report.ok else EXIT_INVALID
    from etl import neighbours

    result = neighbours.compute_and_load(
        args.warehouse,
        variables=args.variables,
        weights=args.weights,
        count=args.count,
        set_id=args.set_id,
        name=args.name,
        dry_run=args.dry_run,
        reference_dir=args.reference_dir,
    )
    print(neighbours.format_summary(result), file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_INVALID


def _add_operations(parser: argparse.ArgumentParser, commands: argparse._SubParsersAction) -> None:
    """The operator's commands: history, rollback, prune, export (see docs/operations.md)."""
    parser.add_argument(
        "--keep-versions",
        type=int,
        metavar="N",
        help="versions kept after a publish (default: $EXEMPLAR_KEEP_VERSIONS or 5)",
    )
    commands.add_parser("history", help="list published versions, the live one starred")
    rollback = commands.add_parser("rollback", help="switch the live warehouse back to an earlier version")
    rollback.add_argument("version", nargs="?", help="version id (default: the one before the live one)")
    commands.add_parser("prune", help="delete versions beyond the newest N (never the live one)")
    export = commands.add_parser("export", help="write every table of the live warehouse to DIR")
    export.add_argument("--format", choices=("parquet", "csv"), default="parquet")
    export.add_argument("dir", type=Path)


def _operations(args: argparse.Namespace) -> int:
    from etl import export, history

    if args.command == "history":
        print(history.format_history(history.list_versions(args.warehouse)))
    elif args.command == "rollback":
        before, after = history.rollback(args.warehouse, args.version)
        print(f"Live warehouse now serves version {after} (was {before}).")
    elif args.command == "prune":
        removed = history.prune(args.warehouse, args.keep_versions)
        print(f"Pruned {len(removed)} old version(s)." + "".join(f"\n  {p.name}" for p in removed))
    else:
        result = export.export_warehouse(args.dir, args.format, args.warehouse)
        for name, (file, rows) in result.tables.items():
            print(f"{name}: {rows:,} rows -> {file}")
        print(f"Exported data version {result.data_version} to {result.directory}.")
    return EXIT_OK


def _report(result: LoadResult, out=None) -> int:
    out = out or sys.stdout  # looked up per call, so a redirected stdout (tests, wrappers) is honoured
    if result.problems:
        print(format_problems(result.problems), file=sys.stderr)
        print("Nothing was published; the live warehouse is unchanged.", file=sys.stderr)
        return EXIT_INVALID
    for record in result.files:
        print(
            f"{record['source']}/{record['file']}: {record['rows_read']:,} rows read, {record['rows_loaded']:,} loaded",
            file=out,
        )
    if result.outcome == "published":
        print(f"Published data version {result.version}.", file=out)
    else:
        print("Valid: every check passed (nothing was written).", file=out)
    return EXIT_OK


def _build_demo(args: argparse.Namespace) -> int:
    from etl import demo, reference
    from etl.warehouse import SCHEMA_VERSION, WarehousePaths

    if args.if_missing and WarehousePaths.from_env(args.warehouse).current_file() is not None:
        built_with = warehouse_status(args.warehouse).get("meta", {}).get("schema_version")
        if built_with == SCHEMA_VERSION:
            print("A warehouse is already published; leaving it as it is.")
            return EXIT_OK
        print(
            f"The published warehouse has schema version {built_with}, this code needs "
            f"{SCHEMA_VERSION}: rebuilding the demo."
        )
    authorities = reference.read_authorities(args.reference_dir)
    with tempfile.TemporaryDirectory(prefix="exemplar-demo-") as tmp:
        folder = args.keep_source or Path(tmp) / demo.DEMO_SOURCE_NAME
        folder.mkdir(parents=True, exist_ok=True)
        demo.write_demo_source(folder, authorities)
        source = Source.of(folder, demo.DEMO_SOURCE_NAME, synthetic=True)
        result = load_sources([source], args.warehouse, reference_dir=args.reference_dir)
    code = _report(result)
    if result.outcome == "published":  # so the Statistical neighbours peer group works at once
        from etl import neighbours

        computed = neighbours.compute_and_load(args.warehouse, reference_dir=args.reference_dir)
        print(neighbours.format_summary(computed), file=sys.stdout if computed.ok else sys.stderr)
    return code


def _load_inbox(args: argparse.Namespace) -> int:
    from etl.inbox import format_inbox_report, load_inbox

    report = load_inbox(args.warehouse, reference_dir=args.reference_dir)
    print(format_inbox_report(report), file=sys.stdout if report.ok else sys.stderr)
    return EXIT_OK if report.ok else EXIT_INVALID


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; returns the process exit code (0 ok, 1 invalid input, 2 other error)."""
    args = _parser().parse_args(argv)
    if args.keep_versions is not None:  # read by the prune that follows every publish
        os.environ["EXEMPLAR_KEEP_VERSIONS"] = str(args.keep_versions)
    try:
        if args.command in ("history", "rollback", "prune", "export"):
            return _operations(args)
        if args.command == "load-inbox":
            return _load_inbox(args)
        if args.command in ("import", "neighbours"):
            return _imports(args)
        if args.command == "build-demo":
            return _build_demo(args)
        if args.command == "refresh-reference":
            return _refresh_reference(args)
        if args.command == "status":
            print(format_status(warehouse_status(args.warehouse)))
            return EXIT_OK
        if args.command in ("load", "validate"):
            if getattr(args, "source_name", None) and len(args.dirs) > 1:
                print("--source-name needs exactly one folder", file=sys.stderr)
                return EXIT_ERROR
            sources = [Source.of(d, getattr(args, "source_name", None)) for d in args.dirs]
            result = load_sources(
                sources, args.warehouse, validate_only=args.command == "validate", reference_dir=args.reference_dir
            )
            return _report(result)
    except SourceReadError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (RollbackError, FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (OSError, duckdb.Error) as exc:  # disk full, unreadable file...: say so, no traceback
        print(f"error: {type(exc).__name__}: {exc}", file=sys.stderr)
        print("Nothing was published by this command; the live warehouse is as it was.", file=sys.stderr)
        return EXIT_ERROR
    return EXIT_ERROR
