"""Property (issue 10 §3): for random reorganisation scenarios (successors restated back before
they existed, predecessors reported after their end), every peer group's members, ranks and n
equal an independent computation: "rank among the councils with a value in the period, ties
share the best rank", the group being the councils that existed then plus those the data
reports for that period.

Each example imports a small long file through ``etl import`` into a real warehouse and reads
the national peer group through the dashboard's public API (one helper below).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from etl.importer import import_file
from etl.importer.match import Matcher
from etl.periods import parse_period

PERIODS = ["2018/19", "2019/20", "2020/21", "2021/22", "2022/23", "2023/24", "2024/25"]
STABLE = ["E08000025", "E08000035", "E08000003", "E06000023", "E06000043", "E08000019"]  # no reorganisation
INDICATOR = "score"
SPEC = """
source_name = "reorganised"
[councils]
column = "Code"
by = "gss"
[shape]
form = "long"
indicator = "Score"
period_column = "Period"
value_column = "Value"
[indicators.defaults]
theme = "Test"
unit = "points"
polarity = "higher"
source = "Property test"
"""


def dashboard_peer_view(warehouse: Path, asks: list[tuple[str, str]]) -> dict[tuple[str, str], tuple]:
    """For each (council, period): the dashboard's national peer group members, the council's
    rank and the group's n for the indicator (the one place this test calls the dashboard)."""
    from dashboard.peers.groups import PeerGroupSpec, resolve_peer_group
    from dashboard.peers.statistics import peer_profile
    from dashboard.warehouse import FileWarehouse

    wh = FileWarehouse(warehouse)
    try:
        seen = {}
        for council, period in asks:
            group = resolve_peer_group(wh, PeerGroupSpec("nation", council, period=period))
            row = peer_profile(wh, group, period).set_index("indicator_id").loc[INDICATOR]
            rank = None if pd.isna(row["rank"]) else int(row["rank"])
            seen[(council, period)] = (sorted(group.codes), rank, int(row["n_values"]))
        return seen
    finally:
        wh.close()


class Register:
    """What the scenarios draw on: the matcher, the 2019-2023 reorganisations (successor ->
    predecessors) and England's councils. A short repr keeps hypothesis's reports readable."""

    def __init__(self, matcher: Matcher, reorganisations: dict[str, list[str]], councils: pd.DataFrame) -> None:
        self.matcher, self.reorganisations, self.councils = matcher, reorganisations, councils

    def __repr__(self) -> str:
        return "Register(the real register)"


@pytest.fixture(scope="module")
def register(authorities) -> Register:
    """The real register, read once for the module."""
    matcher = Matcher.from_register()
    found = defaultdict(list)
    for old, new in matcher.predecessors():
        start = matcher.lifetimes[new][0]
        if start is not None and dt.date(2019, 1, 1) <= start <= dt.date(2023, 12, 31):
            found[new].append(old)
    councils = authorities[
        authorities["is_council"] & (authorities["tier"] != "combined") & (authorities["nation"] == "England")
    ]
    return Register(matcher, {new: sorted(olds)[:3] for new, olds in sorted(found.items())}, councils)


def _bounds(period: str) -> tuple[dt.date, dt.date]:
    parsed = parse_period(period)
    return parsed.start, parsed.end


def _known(day: object) -> bool:
    return day is not None and not pd.isna(day)


def expected(councils: pd.DataFrame, rows: dict[tuple[str, str], int], period: str) -> tuple[list, dict, int]:
    """Independently of the importer and the dashboard: the members, ranks and n for ``period``
    (the register's dates read directly: a council exists from its start date until its end date)."""
    start, end = _bounds(period)
    existed = [
        code
        for code, began, ended in zip(
            councils["authority_code"], councils["start_date"], councils["end_date"], strict=True
        )
        if (not _known(began) or began <= end) and (not _known(ended) or ended > start)
    ]
    values = pd.Series({code: value for (code, p), value in rows.items() if p == period}, dtype=float)
    ranks = values.rank(method="min", ascending=False).astype(int).to_dict()
    return sorted(set(existed) | set(values.index)), ranks, len(values)


@st.composite
def scenarios(draw, register: Register) -> dict[tuple[str, str], int]:
    """Values by (council, period): stable councils, successors (sometimes restated before they
    began), predecessors (sometimes reported after they ended); at least one outside a life."""
    matcher, reorganisations = register.matcher, register.reorganisations
    chosen = draw(st.lists(st.sampled_from(sorted(reorganisations)), min_size=1, max_size=2, unique=True))
    periods = draw(st.lists(st.sampled_from(PERIODS), min_size=2, max_size=3, unique=True))
    score = st.integers(min_value=0, max_value=4)  # a narrow range, so ties are common
    rows: dict[tuple[str, str], int] = {}
    for period in periods:
        start, end = _bounds(period)
        for code in STABLE:
            if draw(st.booleans()):
                rows[(code, period)] = draw(score)
        for new in chosen:
            for code in (new, *reorganisations[new]):
                alive = matcher.existed(code, start, end)
                if draw(st.booleans()) or (alive and draw(st.booleans())):
                    rows[(code, period)] = draw(score)
    if all(matcher.existed(code, *_bounds(period)) for code, period in rows):
        new, period = chosen[0], periods[0]  # a reorganisation leaves someone outside their life
        code = new if not matcher.existed(new, *_bounds(period)) else reorganisations[new][0]
        rows[(code, period)] = draw(score)
    return rows


@pytest.mark.slow
@settings(
    max_examples=6,
    deadline=None,
    # each example is a real import and publish: shrinking would re-run dozens of them
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_peer_groups_rank_the_councils_the_publisher_compared(data, register):
    matcher = register.matcher
    rows = data.draw(scenarios(register))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        lines = [f"{code},{period},{value}" for (code, period), value in sorted(rows.items())]
        (folder / "data.csv").write_text("Code,Period,Value\n" + "\n".join(lines) + "\n", encoding="utf-8")
        (folder / "spec.toml").write_text(SPEC, encoding="utf-8")
        warehouse = folder / "wh" / "exemplar.duckdb"
        report = import_file(folder / "data.csv", folder / "spec.toml", warehouse, matcher=matcher)
        assert report.ok, report.problems
        assert report.outside_life == sum(not matcher.existed(c, *_bounds(p)) for c, p in rows)
        seen = dashboard_peer_view(warehouse, sorted(rows))
    for (council, period), (members, rank, n) in seen.items():
        want_members, want_ranks, want_n = expected(register.councils, rows, period)
        assert members == want_members, (council, period, set(want_members) ^ set(members))
        assert (rank, n) == (want_ranks[council], want_n), (council, period)
