"""Benchmark: the full ETL against DuckDB's raw CSV load of the same 16-million-row file.

Usage::

    python bench/etl_bench.py                 # 400 councils x 2,000 indicators x 20 periods
    python bench/etl_bench.py --indicators 50 # a quick smaller run (400 x 50 x 20 = 400,000 rows)

The generated source (``values.csv`` plus ``indicators.csv``) is cached under
``bench-output/`` (git-ignored) and reused while its parameters stay the same. Each run then
times, in separate child processes so memory is measured per job:

1. the baseline: ``CREATE TABLE t AS SELECT * FROM read_csv(...)`` into a fresh DuckDB file;
2. the ETL: ``etl.load.load_sources`` into a fresh warehouse (extract, every validation check,
   transform, sorted write, integrity check and publish).

Baselines and ETL runs alternate (raw, etl, raw, ... ``--repeats`` ETL runs), so each ETL run is
compared with the mean of the two baselines either side of it: on a shared machine the load
changes during a run. It prints, per ETL run and as the median over runs, the wall-clock and the
CPU-time ratio ETL / baseline (target: at most 3; aim 2; CPU time is the steadier figure when
the machine is busy) and the ETL child's peak resident memory (target: under 1.5 GiB), each
MET or MISSED, with the load average before and after every job. Not a test: figures depend on
the machine.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output"
RATIO_TARGET = 3.0  # the target: full ETL at most 3x DuckDB's raw CSV load
RATIO_AIM = 2.0  # what the issue aims for
MEMORY_TARGET_BYTES = int(1.5 * 1024**3)  # the target: ETL peak memory under 1.5 GiB
FIRST_YEAR = 2004  # 20 financial years 2004/05 .. 2023/24 by default

# Runs in a child process: times one job and reports its own peak RSS. VmHWM is the peak of this
# process image alone (ru_maxrss would carry over the parent's peak across fork and exec).
CHILD = r"""
import json, resource, sys, time
from pathlib import Path
job, csv_path, target = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, sys.argv[4])

import duckdb  # imports happen before the clock starts for both jobs
from etl.load import Source, load_sources
before = resource.getrusage(resource.RUSAGE_SELF)
cpu_before = before.ru_utime + before.ru_stime
started = time.perf_counter()
if job == "raw":
    con = duckdb.connect(str(target))
    con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [str(csv_path)])
    rows = con.execute("SELECT count(*) FROM t").fetchone()[0]
    con.close()
    outcome = "ok"
else:
    result = load_sources([Source.of(csv_path.parent, "bench")], target, progress=False)
    outcome = result.outcome
    rows = sum(f["rows_loaded"] for f in result.files if f["file"] == "values.csv")
    if result.problems:
        outcome += ": " + "; ".join(p.describe() for p in result.problems[:5])
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_SELF)
with open("/proc/self/status") as status:
    peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
cpu = usage.ru_utime + usage.ru_stime - cpu_before
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu, "peak_bytes": peak, "rows": rows, "outcome": outcome}))
"""


def council_codes(count: int) -> list[str]:
    """``count`` real GSS codes from the register (current councils first), so every row validates."""
    sys.path.insert(0, str(ROOT))
    from etl import reference

    frame = reference.read_authorities()
    frame = frame[frame["gss_code"].notna() & frame["is_council"]]
    frame = frame.sort_values(["is_current", "authority_code"], ascending=[False, True])
    codes = list(frame["gss_code"])
    if len(codes) < count:
        raise SystemExit(f"the register has only {len(codes)} councils with a GSS code")
    return codes[:count]


def generate(folder: Path, councils: int, indicators: int, periods: int) -> Path:
    """Write ``indicators.csv`` and ``values.csv`` into ``folder`` unless already there for these sizes."""
    import duckdb

    stamp = folder / "params.json"
    params = {"councils": councils, "indicators": indicators, "periods": periods, "format": 2}
    values = folder / "values.csv"
    if stamp.exists() and json.loads(stamp.read_text()) == params and values.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    with open(folder / "indicators.csv", "w", encoding="utf-8") as out:
        out.write("indicator_id,name,theme,unit,polarity,description,source,min_value,max_value\n")
        for i in range(indicators):
            polarity = ("higher", "lower", "neutral")[i % 3]
            out.write(f"ind_{i:05d},Indicator {i},Theme {i % 6},%,{polarity},"
                      f"Synthetic benchmark indicator {i},Synthetic (benchmark),0,100\n")
    con = duckdb.connect()
    con.execute("CREATE TABLE councils AS SELECT unnest(?) AS code", [council_codes(councils)])
    labels = [f"{y}/{(y + 1) % 100:02d}" for y in range(FIRST_YEAR, FIRST_YEAR + periods)]
    con.execute("CREATE TABLE periods AS SELECT unnest(?) AS label", [labels])
    # Publisher order (council, indicator, period) so the ETL's sort by indicator does real work;
    # about 3% of values empty; values deterministic from the key so reruns write the same file.
    con.execute(
        f"""COPY (
            SELECT c.code AS authority_code, printf('ind_%05d', i.range) AS indicator_id,
                   p.label AS period,
                   CASE WHEN hash(c.code, i.range, p.label) % 33 = 0 THEN NULL
                        ELSE (hash(p.label, i.range, c.code) % 100000) / 1000.0 END AS value
            FROM councils c, range({indicators}) i, periods p
            ORDER BY c.code, i.range, p.label
        ) TO '{values}' (HEADER, DELIMITER ',')"""
    )
    con.close()
    stamp.write_text(json.dumps(params))
    size = values.stat().st_size / 1e6
    print(f"generated {values} ({size:,.0f} MB) in {time.perf_counter() - started:.1f}s")
    return folder


def run_child(job: str, csv_path: Path, target: Path) -> dict:
    """Run one timed job in a fresh Python process; returns its seconds, CPU seconds, peak memory,
    rows and the 1-minute load average before and after it."""
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, job, str(csv_path), str(target), str(ROOT)],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{job} failed:\n{done.stderr[-3000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return result | {"load": (load_before, os.getloadavg()[0])}


def _verdict(met: bool) -> str:
    return "MET" if met else "MISSED"


def _load(job: dict) -> str:
    return f"load {job['load'][0]:.1f}->{job['load'][1]:.1f}"


def _stage_durations(folder: Path) -> list[tuple[str, float]]:
    """(stage, seconds) from the ETL's per-stage log, where that log exists."""
    stages = []
    for log in folder.glob("*.stages.jsonl"):
        for line in log.read_text().splitlines():
            record = json.loads(line)
            if record.get("duration_s") is not None:
                stages.append((record["stage"], record["duration_s"]))
    return stages


def main() -> int:
    """Generate (or reuse) the source, time the baseline and the ETL, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--councils", type=int, default=400)
    parser.add_argument("--indicators", type=int, default=2000)
    parser.add_argument("--periods", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=1, help="ETL runs, each between two baselines")
    parser.add_argument("--keep", action="store_true", help="keep the last built warehouse afterwards")
    args = parser.parse_args()

    rows = args.councils * args.indicators * args.periods
    source = generate(OUTPUT / f"source-{rows}", args.councils, args.indicators, args.periods)
    csv_path = source / "values.csv"
    work = OUTPUT / "run"
    shutil.rmtree(work, ignore_errors=True)  # old versions from an earlier run: disk is finite
    work.mkdir(parents=True)
    raws: list[dict] = []
    etls: list[tuple[dict, list[tuple[str, float]]]] = []
    try:
        raws.append(_raw(csv_path, work))
        for _ in range(args.repeats):
            shutil.rmtree(work / "wh", ignore_errors=True)
            etl = run_child("etl", csv_path, work / "wh" / "exemplar.duckdb")
            etls.append((etl, _stage_durations(work / "wh")))
            raws.append(_raw(csv_path, work))
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    print(f"rows: {rows:,} ({args.councils} councils x {args.indicators} indicators x {args.periods} periods), "
          f"{os.cpu_count()} cores")
    walls, cpus = [], []
    for n, (etl, stages) in enumerate(etls):
        before, after = raws[n], raws[n + 1]
        raw_seconds = (before["seconds"] + after["seconds"]) / 2
        raw_cpu = (before["cpu_seconds"] + after["cpu_seconds"]) / 2
        walls.append(etl["seconds"] / raw_seconds)
        cpus.append(etl["cpu_seconds"] / raw_cpu)
        print(f"run {n + 1}: raw CREATE TABLE AS read_csv {before['seconds']:.2f}s / {after['seconds']:.2f}s "
              f"(CPU {before['cpu_seconds']:.1f}s / {after['cpu_seconds']:.1f}s; {_load(before)}, {_load(after)}, "
              f"peak {before['peak_bytes'] / 1e6:,.0f} MB)")
        print(f"       ETL load_sources {etl['seconds']:.2f}s (CPU {etl['cpu_seconds']:.1f}s; {_load(etl)}), "
              f"peak {etl['peak_bytes'] / 1e6:,.0f} MB, {etl['rows']:,} values, outcome {etl['outcome']}")
        print("       stages: " + ", ".join(f"{name} {seconds:.2f}s" for name, seconds in stages))
        print(f"       ratio {walls[-1]:.2f} wall-clock, {cpus[-1]:.2f} CPU time")
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    peak = max(etl["peak_bytes"] for etl, _ in etls)
    published = all(etl["outcome"] == "published" for etl, _ in etls)
    print(f"ETL / raw, median of {len(etls)}: {wall:.2f} wall-clock, {cpu:.2f} CPU time "
          f"(target <= {RATIO_TARGET:g}: {_verdict(wall <= RATIO_TARGET)} wall-clock, "
          f"{_verdict(cpu <= RATIO_TARGET)} CPU; aim {RATIO_AIM:g}: {_verdict(wall <= RATIO_AIM)} wall-clock, "
          f"{_verdict(cpu <= RATIO_AIM)} CPU)")
    print(f"ETL peak memory {peak / 1024**3:.2f} GiB (target < {MEMORY_TARGET_BYTES / 1024**3:g} GiB: "
          f"{_verdict(peak < MEMORY_TARGET_BYTES)})")
    ok = wall <= RATIO_TARGET and peak < MEMORY_TARGET_BYTES and published
    print("targets MET" if ok else "targets MISSED")
    return 0 if ok else 1


def _raw(csv_path: Path, work: Path) -> dict:
    """One baseline run into a fresh file, removed afterwards."""
    try:
        return run_child("raw", csv_path, work / "raw.duckdb")
    finally:
        (work / "raw.duckdb").unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
