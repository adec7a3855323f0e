"""Two app replicas behind Debian's nginx (the committed template, sticky by a route cookie),
ten browser sessions clicking browse -> profile -> download and uploading a filled template,
and a publish in the middle (issue 15 §3).

Pass: no page shows an error, nginx answered nothing with a server error; every session's
requests, its websocket and its upload included, reached one replica, and the sessions
reached both; every round that started after the publish had finished downloaded the new
version (with the indicator it added) on both replicas, and every earlier one the old or the new.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import shutil
import subprocess
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pytest

from dashboard.selfassessment import results as sa
from dashboard.selfassessment import template
from dashboard.warehouse import FileWarehouse
from etl.warehouse import WarehousePaths
from tests.support import sa_fixture
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_installed
from tests.support.proxy import Request, nginx_installed, read_access_log, replicas_behind_nginx
from tests.support.sessions import STEP_TIMEOUT_MS, browse_profile_download, page_errors, settled, visitors
from tests.support.sources import write_source
from tests.support.stamps import fixed_stamp

pytestmark = [pytest.mark.browser, pytest.mark.slow]  # two replicas, nginx and ten sessions: minutes

ROOT = Path(__file__).resolve().parent.parent
REPLICAS = 2
SESSIONS = 10  # as many as the one-process load test (tests/test_load_test_browser.py)
MARK = "proxy_marker"  # the indicator the publish in the middle adds
ROUND = str(dt.date.today().year)  # the submit page's default round
BASE_PATH_PROBE = re.compile(r"^GET /[^/?]+/_stcore/(health|host-config) ")


@dataclass
class Run:
    """What the sessions saw."""

    errors: list[str] = field(default_factory=list)
    downloads: list[tuple[str, float, bytes]] = field(default_factory=list)  # (session, round began, csv)
    routes: dict[str, str] = field(default_factory=dict)  # session -> its route cookie
    uploads: int = 0
    published_at: float | None = None  # when the publish had finished (monotonic)
    new_version: str | None = None


def _marker_source(folder: Path, codes: list[str], period: str) -> Path:
    rows = [f"{code},{MARK},{period},{i}" for i, code in enumerate(codes)]
    return write_source(folder, {
        "indicators.csv": "indicator_id,name,theme,unit,polarity,description,source\n"
                          f"{MARK},Proxy marker,Load test,count,higher,Added in the middle,Tests\n",
        "values.csv": "authority_code,indicator_id,period,value\n" + "\n".join(rows) + "\n",
    })


@pytest.fixture(scope="module")
def setup(demo_warehouse, tmp_path_factory):
    """A private copy of the demo, its latest period and councils, and a filled template."""
    root = tmp_path_factory.mktemp("nginx")
    shutil.copytree(demo_warehouse.parent, root / "wh", symlinks=True)
    live = root / "wh" / demo_warehouse.name
    period, codes, councils = visitors(live, SESSIONS)
    wh = FileWarehouse(live)
    try:
        questions = sa.framework(wh)
    finally:
        wh.close()
    filled = {}
    for code in councils:
        blank = template.template_csv(questions, code, ROUND, stamp=fixed_stamp())
        filled[code] = root / f"filled-{code}.csv"
        filled[code].write_bytes(sa_fixture.to_csv_bytes(sa_fixture.filled_rows(blank, 3)))
    return {"root": root, "live": live, "period": period, "codes": codes, "councils": councils, "filled": filled}


async def _upload(page, base: str, council: str, file: Path, where: str, run: Run) -> None:
    """Upload a filled template on the submit page and wait for its check to pass (the upload
    goes to /_stcore/upload_file/<session>: only the replica holding the session accepts it)."""
    await page.goto(f"{base}/submit?council={council}&round={ROUND}", timeout=STEP_TIMEOUT_MS)
    await settled(page)
    await page.locator('input[type="file"]').set_input_files(str(file))
    await page.wait_for_selector('h3:has-text("3. Check and submit")', timeout=STEP_TIMEOUT_MS)
    await settled(page)
    run.errors += await page_errors(page, f"{where} upload")
    run.uploads += 1


async def _session(browser, base: str, name: str, council: str, setup: dict, run: Run, first_round: asyncio.Event,
                   started: list[int]) -> None:
    context = await browser.new_context(accept_downloads=True)
    page = await context.new_page()
    try:
        rounds = 0
        while True:
            began = time.monotonic()
            done = await browse_profile_download(page, base, council, setup["period"], f"{name} #{rounds}")
            run.errors += done.errors
            run.downloads.append((name, began, done.csv))
            if rounds == 0:
                await _upload(page, base, council, setup["filled"][council], name, run)
                started.append(1)
                if len(started) == SESSIONS:
                    first_round.set()
            rounds += 1
            if run.published_at is not None and began > run.published_at:
                break  # one whole round on the new version
        cookies = {c["name"]: c["value"] for c in await context.cookies()}
        run.routes[name] = cookies.get("exemplar_route", "")
    except Exception as exc:  # a timeout or a crash is a failed page, recorded with context
        run.errors.append(f"{name}: {type(exc).__name__}: {str(exc)[-800:]}")
        first_round.set()
    finally:
        await context.close()


async def _publish(setup: dict, run: Run, first_round: asyncio.Event) -> None:
    """Once every session has done a round, publish the marker through the ETL's command line."""
    await first_round.wait()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "etl", "--warehouse", str(setup["live"]), "load",
        str(_marker_source(setup["root"] / "marker", setup["codes"], setup["period"])), "--source-name", "marker",
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    _out, err = await process.communicate()
    if process.returncode:
        run.errors.append(f"publish failed: {err.decode()[-500:]}")
    run.new_version = WarehousePaths(setup["live"]).current_version()
    run.published_at = time.monotonic()


async def _drive(base: str, setup: dict, run: Run) -> None:
    from playwright.async_api import async_playwright

    first_round, started = asyncio.Event(), []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            await asyncio.gather(
                _publish(setup, run, first_round),
                *[_session(browser, base, f"s{i}", code, setup, run, first_round, started)
                  for i, code in enumerate(setup["councils"])],
            )
        finally:
            await browser.close()


def _expected_refusal(request: Request) -> bool:
    """The refusals a healthy app gives: Streamlit's frontend first asks for /<page>/_stcore/health
    and host-config to find its base path (404, then it asks /_stcore/...), and 499 is nginx's
    word for a browser that left mid-request (a page navigated away from). A 404 for a file under
    /media/ is Streamlit having dropped a session's files (a rerun or a session left) while a
    request for one was in flight: every session's own download is still checked, by its errors
    and by the CSV it saved."""
    if request.status == 404 and " /media/" in request.request:
        return True
    return request.status == 499 or (request.status == 404 and bool(BASE_PATH_PROBE.match(request.request)))


def _version_and_marker(csv: bytes) -> tuple[str, bool]:
    frame = pd.read_csv(io.BytesIO(csv), encoding="utf-8-sig", dtype=str)
    versions = frame["about_data_version"].unique().tolist()
    assert len(versions) == 1, versions
    return versions[0], MARK in set(frame["indicator_id"])


def test_two_replicas_behind_nginx_share_the_sessions_and_pick_up_a_publish(setup):
    if not chromium_installed() or not nginx_installed():
        pytest.fail("Debian's chromium or nginx is missing: run `make browser nginx`")
    old_version = WarehousePaths(setup["live"]).current_version()
    run = Run()
    with replicas_behind_nginx(setup["live"], REPLICAS, setup["root"] / "nginx") as proxy:
        began = time.monotonic()
        asyncio.run(_drive(proxy.url, setup, run))
        elapsed = time.monotonic() - began
        replicas = set(proxy.replicas)
    requests = read_access_log(proxy.access_log)  # complete once nginx has stopped: websockets log on close

    upstreams_of = defaultdict(set)
    for request in requests:
        upstreams_of[request.route].add(request.upstream)
    replica_of = {name: next(iter(upstreams_of[route])) for name, route in run.routes.items() if upstreams_of[route]}
    per_replica = defaultdict(list)
    for name, round_began, csv in run.downloads:
        version, marked = _version_and_marker(csv)
        per_replica[replica_of.get(name)].append((round_began > (run.published_at or float("inf")), version, marked))
    refused = Counter(f"{r.status} {r.request.split(' ')[1].split('?')[0]}" for r in requests if r.status >= 400)
    print(f"\nnginx: {SESSIONS} sessions on {REPLICAS} replicas in {elapsed:.0f} s; {len(run.downloads)} downloads, "
          f"{run.uploads} uploads; sessions per replica {dict(Counter(replica_of.values()))}; {len(requests)} "
          f"requests, statuses {dict(Counter(r.status for r in requests))}; 4xx/5xx {dict(refused.most_common(8))}")

    assert not run.errors, "\n".join(run.errors)
    assert not [r for r in requests if r.status >= 400 and not _expected_refusal(r)]
    assert len(run.routes) == SESSIONS and all(run.routes.values()) and len(set(run.routes.values())) == SESSIONS
    for name, route in run.routes.items():  # sticky: page, websocket and upload on one replica
        assert len(upstreams_of[route]) == 1, (name, upstreams_of[route])
        mine = [r for r in requests if r.route == route]
        assert any(r.status == 101 and "/_stcore/stream" in r.request for r in mine), name
        assert any("/_stcore/upload_file/" in r.request and r.status < 300 for r in mine), name
    assert set(replica_of.values()) == replicas  # the sessions reached both replicas
    assert run.uploads == SESSIONS
    assert run.new_version and run.new_version != old_version
    for replica, downloads in per_replica.items():
        after = [(version, marked) for late, version, marked in downloads if late]
        assert after and all(d == (run.new_version, True) for d in after), (replica, after)
        before = [(version, marked) for late, version, marked in downloads if not late]
        assert all(d in {(old_version, False), (run.new_version, True)} for d in before), (replica, before)
