"""Benchmark: the ETL's peak memory on malformed files, against a clean file of the same size.

Usage::

    python bench/bad_input_memory.py                   # 10 MB and 200 MB files
    python bench/bad_input_memory.py --sizes 10        # a quick run
    python bench/bad_input_memory.py --sizes 10,200,2000 --kinds clean,binary   # 2 GB of random bytes

For each size it writes (under ``bench-output/bad-input/``, git-ignored, reused) a source whose
``values.csv`` is, byte for byte about as large as the clean one:

- ``clean``: well-formed rows for real councils (the baseline, validated in the same run);
- ``short``: every row has two of the four fields;
- ``long``: every row has six fields;
- ``quote``: every row opens a quote it never closes;
- ``binary``: a good header, then random bytes;
- ``sparse``: the clean rows with every 10,000th row cut short (the row-by-row pass reads the
  whole file: fewer rejected rows than the stop limit).

Each source is checked by ``python -m etl validate`` in its own child process; the script prints
the exit code, seconds, the child's peak resident memory (from ``wait4``), its ratio to the clean
baseline and the report's first line. Target: every peak under 2 GiB. Not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl_bench import council_codes

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "bench-output" / "bad-input"
MEMORY_TARGET_BYTES = 2 * 1024**3  # the bound: peak under 2 GiB whatever the input
KINDS = ("clean", "short", "long", "quote", "binary", "sparse")
HEADER = "authority_code,indicator_id,period,value\n"
PERIODS = [f"{y}/{(y + 1) % 100:02d}" for y in range(2004, 2024)]
SPARSE_EVERY = 10_000  # a cut-short row every N rows: well under the stop limit at 200 MB
BLOCK = 1 << 20


def _write_repeated(path: Path, line: str, size: int) -> None:
    """``HEADER`` then ``line`` repeated: whole lines, up to ``size`` bytes."""
    block = line.encode() * max(1, BLOCK // len(line))
    with open(path, "wb") as out:
        out.write(HEADER.encode())
        left = size - len(HEADER)
        while left >= len(line):
            part = block[: left - left % len(line)]
            out.write(part)
            left -= len(part)


def _write_clean(folder: Path, size: int, sparse: bool = False) -> None:
    """Well-formed rows for 400 real councils and 20 periods, indicators added until ``size``."""
    codes = council_codes(400)
    indicators = max(1, size // (len(codes) * len(PERIODS) * 33))
    with open(folder / "indicators.csv", "w", encoding="utf-8") as out:
        out.write("indicator_id,name,theme,unit,polarity,description,source\n")
        for i in range(indicators):
            out.write(f"ind_{i:05d},Indicator {i},Theme {i % 6},%,higher,Benchmark indicator {i},Synthetic\n")
    number = 0
    with open(folder / "values.csv", "w", encoding="utf-8") as out:
        out.write(HEADER)
        for code in codes:
            rows = []
            for i in range(indicators):
                for period in PERIODS:
                    number += 1
                    if sparse and number % SPARSE_EVERY == 0:
                        rows.append(f"{code},ind_{i:05d}\n")
                    else:
                        rows.append(f"{code},ind_{i:05d},{period},{(number * 7919) % 100000 / 1000}\n")
            out.write("".join(rows))


def _write_binary(path: Path, size: int) -> None:
    rng = random.Random(2006)
    with open(path, "wb") as out:
        out.write(HEADER.encode())
        left = size - len(HEADER)
        while left > 0:
            out.write(rng.randbytes(min(BLOCK, left)))
            left -= BLOCK


def generate(kind: str, size_mb: int, size: int) -> Path:
    """The source folder of ``kind`` for ``size_mb`` MB (``size`` bytes: the clean file's size for
    the bad kinds), written unless already there."""
    folder = OUTPUT / f"{size_mb}mb" / kind
    stamp = folder / "params.json"
    params = {"kind": kind, "size_mb": size_mb, "size": size, "format": 2}
    if stamp.exists() and json.loads(stamp.read_text()) == params:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    started = time.perf_counter()
    values = folder / "values.csv"
    if kind in ("clean", "sparse"):
        _write_clean(folder, size_mb * 1_000_000, sparse=kind == "sparse")  # the same rows as clean
    elif kind == "binary":
        _write_binary(values, size)
    else:
        line = {
            "short": "E06000001,ind_00001\n",
            "long": "E06000001,ind_00001,2004/05,1.5,x,y\n",
            "quote": 'E06000001,"ind_00001,2004/05,1.5\n',
        }[kind]
        _write_repeated(values, line, size)
    stamp.write_text(json.dumps(params))
    print(f"generated {values} ({values.stat().st_size / 1e6:,.0f} MB) in {time.perf_counter() - started:.1f}s")
    return folder


def run_validate(folder: Path) -> dict:
    """``python -m etl validate folder`` in a child; its exit code, seconds, peak RSS, report."""
    with tempfile.TemporaryDirectory(prefix="bad-input-", dir=OUTPUT) as tmp:
        command = [sys.executable, "-m", "etl", "--warehouse", str(Path(tmp) / "exemplar.duckdb"), "validate"]
        started = time.perf_counter()
        with open(Path(tmp) / "out.txt", "w+") as out:
            child = subprocess.Popen([*command, str(folder)], cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
            _pid, status, usage = os.wait4(child.pid, 0)
            seconds = time.perf_counter() - started
            out.seek(0)
            report = out.read()
    code = os.waitstatus_to_exitcode(status)
    lines = [line.strip() for line in report.splitlines() if line.strip()]
    detail = next((line for line in lines if " row " in line), lines[0] if lines else "")
    return {"code": code, "seconds": seconds, "peak": usage.ru_maxrss * 1024, "first": lines[:1], "detail": detail}


def main() -> int:
    """Generate (or reuse) the files, validate each in a child, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10,200", help="comma-separated file sizes in MB")
    parser.add_argument("--kinds", default=",".join(KINDS), help="comma-separated, from: " + ", ".join(KINDS))
    args = parser.parse_args()
    kinds = [k for k in args.kinds.split(",") if k]
    if "clean" not in kinds:
        kinds.insert(0, "clean")  # the baseline is always measured in the same run
    unknown = set(kinds) - set(KINDS)
    if unknown:
        raise SystemExit(f"unknown kinds: {', '.join(sorted(unknown))}")
    OUTPUT.mkdir(parents=True, exist_ok=True)
    worst = 0
    for size_mb in [int(s) for s in args.sizes.split(",") if s]:
        clean = generate("clean", size_mb, size_mb * 1_000_000)
        size = (clean / "values.csv").stat().st_size  # the bad files match the baseline's size
        folders = {kind: clean if kind == "clean" else generate(kind, size_mb, size) for kind in kinds}
        baseline = None
        print(f"\n{size_mb} MB files")
        print(f"{'kind':<8} {'exit':>4} {'seconds':>8} {'peak MB':>8} {'x clean':>8}  report")
        for kind, folder in folders.items():
            got = run_validate(folder)
            baseline = baseline or got["peak"]
            worst = max(worst, got["peak"])
            shown = got["detail"] if kind != "clean" else " ".join(got["first"])
            print(
                f"{kind:<8} {got['code']:>4} {got['seconds']:>8.1f} {got['peak'] / 1e6:>8,.0f} "
                f"{got['peak'] / baseline:>8.2f}  {shown[:150]}"
            )
    ok = worst < MEMORY_TARGET_BYTES
    print(f"\nworst peak {worst / 1024**3:.2f} GiB (target < 2 GiB): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
