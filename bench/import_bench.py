"""Benchmark: ``etl import --dry-run`` of a 1-million-row wide file, against ``etl validate`` of
the same values already in contract format, measured in the same run.

Usage::

    python bench/import_bench.py                 # 1,000,000 rows x 5 period columns
    python bench/import_bench.py --rows 200000   # a quicker look

What it does:

1. Writes (with DuckDB, in seconds) a wide CSV in a publisher's shape under
   ``bench-output/import``: one row per (council name, indicator) -- about 380 current councils
   x ~2,630 indicators = 1,000,000 rows -- and one column per financial year written ``2019-20``
   ... ``2023-24`` (5 million values). Some cells are suppression markers (``c``, ``[x]``,
   ``..``) and some numbers carry thousands separators or ``%``, so the cleaning runs for real.
   Councils are given by name, so name matching runs too. A spec maps it (wide by period,
   metadata defaults).
2. Writes the same 5 million values as a contract source folder (``indicators.csv`` and
   ``values.csv`` with GSS codes and canonical periods): the baseline.
3. Runs, each in a fresh Python process so peak memory is that step's own:
   the baseline ``python -m etl validate`` on the contract folder, then
   ``python -m etl import FILE --spec SPEC --dry-run``. Both go through the same load checks;
   the import also reads, reshapes, matches and cleans.
4. Prints wall time and peak resident memory of each, and the ratio import / baseline.

Not a test: figures depend on the machine (and on what else runs on it).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench-output" / "import"
PERIODS = ["2019-20", "2020-21", "2021-22", "2022-23", "2023-24"]  # the file's column headers


def _write_inputs(rows: int) -> tuple[Path, Path, Path]:
    import duckdb

    sys.path.insert(0, str(ROOT))
    from etl import reference

    OUT.mkdir(parents=True, exist_ok=True)
    authorities = reference.read_authorities()
    current = authorities[authorities["is_current"] & authorities["is_council"]
                          & (authorities["tier"] != "combined")]
    # names that match exactly one council (the register gives a few names to two councils)
    from etl.importer.match import Matcher

    matcher = Matcher.from_register()
    councils = [(n, c) for n, c in zip(current["short_name"], current["authority_code"], strict=True)
                if matcher.match_name(n).authority_code == c]
    per_council = -(-rows // len(councils))
    con = duckdb.connect()
    con.execute("CREATE TABLE councils (n INTEGER, name VARCHAR, code VARCHAR)")
    con.executemany("INSERT INTO councils VALUES (?, ?, ?)", [(i, n, c) for i, (n, c) in enumerate(councils)])
    # one row per (council, indicator); deterministic pseudo-random values from hash()
    con.execute(f"""CREATE TABLE grid AS
        SELECT c.name, c.code, 'Indicator ' || lpad(CAST(i AS VARCHAR), 5, '0') AS indicator, i, c.n
        FROM councils c, range({per_council}) AS r(i)
        ORDER BY c.n, i LIMIT {rows}""")
    cells = []
    for k, period in enumerate(PERIODS):
        value = f"(hash(n, i, {k}) % 100000) / 10.0"
        cells.append(f"""CASE hash(n, i, {k}) % 97 WHEN 0 THEN 'c' WHEN 1 THEN '[x]' WHEN 2 THEN '..'
                         WHEN 3 THEN format('{{:,.1f}}', {value} * 10) WHEN 4 THEN CAST({value} AS VARCHAR) || '%'
                         ELSE CAST({value} AS VARCHAR) END AS "{period}" """)
    wide = OUT / "wide.csv"
    con.execute(f"COPY (SELECT name AS \"Local authority\", indicator AS \"Measure\", {', '.join(cells)} "
                f"FROM grid ORDER BY n, i) TO '{wide}' (HEADER)")
    spec = OUT / "spec.toml"
    spec.write_text("""source_name = "bench-import"
[councils]
column = "Local authority"
[shape]
form = "wide"
columns_are = "period"
indicator_column = "Measure"
[indicators.defaults]
theme = "Benchmark"
unit = "score"
polarity = "higher"
source = "Synthetic benchmark"
""", encoding="utf-8")
    contract = OUT / "contract"
    contract.mkdir(exist_ok=True)
    con.execute(f"""COPY (SELECT DISTINCT lower(replace(indicator, ' ', '_')) AS indicator_id, indicator AS name,
                                'Benchmark' AS theme, 'score' AS unit, 'higher' AS polarity,
                                indicator AS description, 'Synthetic benchmark' AS source FROM grid ORDER BY 1)
                    TO '{contract / "indicators.csv"}' (HEADER)""")
    selects = []
    for k, period in enumerate(PERIODS):
        canonical = period.replace("-", "/")
        value = f"(hash(n, i, {k}) % 100000) / 10.0"
        selects.append(f"""SELECT code AS authority_code, lower(replace(indicator, ' ', '_')) AS indicator_id,
                           '{canonical}' AS period,
                           CASE WHEN hash(n, i, {k}) % 97 IN (0, 1, 2) THEN NULL
                                WHEN hash(n, i, {k}) % 97 = 3 THEN {value} * 10 ELSE {value} END AS value
                           FROM grid""")
    con.execute(f"COPY ({' UNION ALL '.join(selects)}) TO '{contract / 'values.csv'}' (HEADER)")
    con.close()
    return wide, spec, contract


def _child(args: list[str]) -> dict:
    """Run ``python -m etl ARGS`` in a child; its wall time and its own peak RSS."""
    runner = ("import json, resource, sys, time; from etl.cli import main; t = time.perf_counter(); "
              f"code = main({args!r}); s = time.perf_counter() - t; "
              "print(json.dumps({'code': code, 'seconds': s, "
              "'peak_mb': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", runner], cwd=ROOT, capture_output=True, text=True)
    last = [line for line in done.stderr.splitlines() if line.startswith("{")][-1]
    result = json.loads(last)
    result["report"] = (done.stdout or done.stderr)[-1500:]
    return result


def main() -> None:
    """Generate the inputs, run baseline and import, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    started = time.perf_counter()
    wide, spec, contract = _write_inputs(args.rows)
    size_mb = wide.stat().st_size / 1e6
    print(f"inputs written in {time.perf_counter() - started:.1f} s: {wide} ({size_mb:.0f} MB, "
          f"{args.rows:,} rows x {len(PERIODS)} period columns)")
    warehouse = OUT / "wh" / "exemplar.duckdb"
    baseline = _child(["--warehouse", str(warehouse), "validate", str(contract)])
    imported = _child(["--warehouse", str(warehouse), "import", str(wide), "--spec", str(spec), "--dry-run"])
    print("\n--- import report ---\n" + imported["report"].strip())
    print("\n--- figures ---")
    print(f"baseline  etl validate (contract CSV): {baseline['seconds']:7.1f} s  peak {baseline['peak_mb']:6.0f} MB"
          f"  exit {baseline['code']}")
    print(f"etl import --dry-run (wide CSV):       {imported['seconds']:7.1f} s  peak {imported['peak_mb']:6.0f} MB"
          f"  exit {imported['code']}")
    print(f"ratio import / baseline: time {imported['seconds'] / baseline['seconds']:.2f}, "
          f"peak memory {imported['peak_mb'] / baseline['peak_mb']:.2f}")
    print(f"peak RSS of this parent process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
