"""Benchmark: many visitors at once on one app process, and on several behind nginx.

Usage::

    python bench/multi_user.py                          # N = 1, 5, 10, 20 on one `streamlit run`
    python bench/multi_user.py --replicas 1,2           # ...and again on 2 replicas behind nginx
    python bench/multi_user.py --sessions 1,5 --rounds 2 --warehouse PATH

For each replica count and each N it starts fresh app process(es) on the warehouse (the demo,
built into bench-output/multi-user/ once, unless ``--warehouse``), warms each up with one visit,
then opens N headless Chromium sessions at once, each doing ``--rounds`` rounds of browse ->
profile (clicked) -> profile of its council -> download (tests/support/sessions.py, the rounds
the load tests make). It prints p50 and p95 seconds to settle per step, the app processes'
resident memory (sampled every 0.5 s: peak over the run, and at the end), failed steps, and the
load average before and after: the machine is shared, so read the figures beside it.

The verdict: N sessions are *served* when the p95 of every step stays within ``--target-p95``
seconds (default 5: a visitor waits that long, no longer, for a page); each row also gives its
slowest step's p95 as a ratio to the same step's p50 with one session, measured in the same run.
"One process is enough up to N" is the largest N served by one replica. Browsers and server
share the machine's cores, so a real server (browsers elsewhere) does better than this.
Not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from memory_per_app import tree_memory  # noqa: E402  (after the path)

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app  # noqa: E402
from tests.support.proxy import replicas_behind_nginx  # noqa: E402
from tests.support.sessions import STEPS, browse_profile_download, visitors  # noqa: E402

OUTPUT = ROOT / "bench-output"
MB = 1024**2
SAMPLE_S = 0.5  # memory sampling interval
DEFAULT_SESSIONS = "1,5,10,20"
DEFAULT_TARGET_P95_S = 5.0


@dataclass
class Result:
    """One (replicas, N) run."""

    replicas: int
    sessions: int
    seconds: dict[str, list[float]] = field(default_factory=lambda: {step: [] for step in STEPS})
    failures: list[str] = field(default_factory=list)
    peak_mb: float = 0.0
    end_mb: float = 0.0
    wall_s: float = 0.0
    load_before: float = 0.0
    load_after: float = 0.0

    def p(self, step: str, q: float) -> float:
        """The ``q`` quantile (0.5, 0.95) of a step's seconds (nan without any)."""
        values = sorted(self.seconds[step])
        if not values:
            return float("nan")
        if len(values) == 1:
            return values[0]
        return statistics.quantiles(values, n=100, method="inclusive")[round(q * 100) - 1]


def build_demo() -> Path:
    """The demo warehouse under bench-output (built once, then reused)."""
    live = OUTPUT / "multi-user" / "exemplar.duckdb"
    if not live.exists():
        subprocess.run(
            [sys.executable, "-m", "etl", "--warehouse", str(live), "build-demo"],
            cwd=ROOT, check=True, stdout=subprocess.DEVNULL,
        )
    return live


class MemorySampler(threading.Thread):
    """Samples the app processes' total RSS every SAMPLE_S seconds until stopped."""

    def __init__(self, pids: list[int]) -> None:
        super().__init__(daemon=True)
        self.pids, self.peak, self.last = pids, 0, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.last = sum(tree_memory(pid)[0] for pid in self.pids)
            self.peak = max(self.peak, self.last)
            self._stop_event.wait(SAMPLE_S)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


@contextlib.contextmanager
def serving(live: Path, replicas: int) -> Iterator[tuple[str, list[int]]]:
    """(base URL, app pids): one `streamlit run`, or ``replicas`` of them behind nginx."""
    if replicas == 1:
        with streamlit_app(live) as (base, app):
            yield base, [app.pid]
        return
    with tempfile.TemporaryDirectory(prefix="exemplar-nginx-") as runtime, replicas_behind_nginx(
        live, replicas, Path(runtime)
    ) as proxy:
        yield proxy.url, [p.pid for p in proxy.replicas.values()]


async def visit(browser, base: str, council: str, period: str, rounds: int, result: Result, name: str) -> None:
    """One session: ``rounds`` rounds, timings and failures into ``result``."""
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    try:
        for number in range(rounds):
            try:
                done = await browse_profile_download(page, base, council, period, f"{name} #{number}")
            except Exception as exc:  # a timeout is a failed step, recorded, and the session goes on
                result.failures.append(f"{name} #{number}: {type(exc).__name__}: {str(exc)[:200]}")
                continue
            result.failures += done.errors
            for step, seconds in done.seconds.items():
                result.seconds[step].append(seconds)
    finally:
        await context.close()


async def drive(base: str, councils: list[str], period: str, rounds: int, result: Result, warm: int) -> None:
    """Warm every replica with ``warm`` sequential visits, then run the sessions at once."""
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            for i in range(warm):  # not timed: the first visit of a process opens the warehouse, imports plotly
                await visit(browser, base, councils[0], period, 1, Result(0, 0), f"warm{i}")
            began = time.monotonic()
            await asyncio.gather(*[
                visit(browser, base, code, period, rounds, result, f"s{i}") for i, code in enumerate(councils)
            ])
            result.wall_s = time.monotonic() - began
        finally:
            await browser.close()


def measure(live: Path, replicas: int, sessions: int, rounds: int) -> Result:
    """One (replicas, N) run on fresh app processes."""
    result = Result(replicas, sessions)
    period, _codes, councils = visitors(live, sessions)
    with serving(live, replicas) as (base, pids):
        result.load_before = os.getloadavg()[0]
        sampler = MemorySampler(pids)
        sampler.start()
        try:
            asyncio.run(drive(base, councils, period, rounds, result, warm=2 * replicas))
        finally:
            sampler.stop()
        result.peak_mb, result.end_mb = sampler.peak / MB, sampler.last / MB
        result.load_after = os.getloadavg()[0]
    return result


def report(results: list[Result], target: float) -> None:
    """The table, the ratios to one session's p50 and the verdict."""
    baseline = {step: next((r.p(step, 0.5) for r in results if r.sessions == 1 and r.replicas == 1), float("nan"))
                for step in STEPS}
    header = " ".join(f"{step[:12]:>12}" for step in STEPS)
    print("\np50 / p95 seconds to settle per step; memory of the app process(es); load average (1 min)")
    print(f"{'replicas':>8} {'N':>3}  {header}  {'peak MB':>8} {'end MB':>7} {'fails':>5} {'wall s':>6} "
          f"{'load':>10}  {'worst p95/1-user p50':>20}  verdict")
    for r in results:
        cells = " ".join(f"{r.p(s, 0.5):5.1f}/{r.p(s, 0.95):<6.1f}" for s in STEPS)
        worst = max(STEPS, key=lambda s: r.p(s, 0.95))
        ratio = r.p(worst, 0.95) / baseline[worst] if baseline[worst] == baseline[worst] else float("nan")
        served = not r.failures and all(r.p(s, 0.95) <= target for s in STEPS)
        print(f"{r.replicas:>8} {r.sessions:>3}  {cells}  {r.peak_mb:8.0f} {r.end_mb:7.0f} {len(r.failures):>5} "
              f"{r.wall_s:6.0f} {r.load_before:4.1f}->{r.load_after:<4.1f}  {ratio:14.1f}x {worst[:5]:<5}  "
              f"{'MET' if served else 'MISSED'} (p95 <= {target:g} s, no failure)")
    for replicas in sorted({r.replicas for r in results}):
        served = [r.sessions for r in results if r.replicas == replicas and not r.failures
                  and all(r.p(s, 0.95) <= target for s in STEPS)]
        print(f"{replicas} replica(s) served up to N = {max(served) if served else 0} sessions at p95 <= {target:g} s")
    for r in results:
        for failure in r.failures[:3]:
            print(f"  failure ({r.replicas} replicas, N={r.sessions}): {failure}")


def main() -> int:
    """Run every (replicas, N) and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, help="published live path (default: the demo)")
    parser.add_argument("--sessions", default=DEFAULT_SESSIONS, help="comma-separated N (default 1,5,10,20)")
    parser.add_argument("--replicas", default="1", help="comma-separated replica counts (default 1; 2 uses nginx)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds per session (default 3)")
    parser.add_argument("--target-p95", type=float, default=DEFAULT_TARGET_P95_S, help="seconds (default 5)")
    args = parser.parse_args()
    live = (args.warehouse or build_demo()).absolute()  # the live link itself, not the version it names
    print(f"warehouse {live}; {os.cpu_count()} cores; load average {os.getloadavg()}")
    results = []
    for replicas in [int(x) for x in args.replicas.split(",")]:
        for sessions in [int(x) for x in args.sessions.split(",")]:
            result = measure(live, replicas, sessions, args.rounds)
            print(f"replicas {replicas} N {sessions}: {result.wall_s:.0f} s, {len(result.failures)} failures, "
                  f"load {result.load_before:.1f}->{result.load_after:.1f}", flush=True)
            results.append(result)
    report(results, args.target_p95)
    return 0


if __name__ == "__main__":
    sys.exit(main())
