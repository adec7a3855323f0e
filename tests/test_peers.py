"""Peer groups: every kind's members against an independent reading of the real register."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import pytest

from dashboard.peers.groups import (
    GROUP_KINDS,
    PeerGroupSpec,
    UnknownCouncil,
    register_kind,
    resolve_peer_group,
)
from dashboard.warehouse import FileWarehouse

BIRMINGHAM = "E08000025"
GLASGOW = "S12000049"
CARDIFF = "W06000015"
ALLERDALE = "E07000026"  # district abolished 2023-03-31, merged into Cumberland
CUMBERLAND = "E06000063"  # unitary created 2023-04-01
WMCA = "E47000007"  # West Midlands Combined Authority


@pytest.fixture(scope="module")
def wh(demo_warehouse):
    warehouse = FileWarehouse(demo_warehouse)
    yield warehouse
    warehouse.close()


def _period_bounds(period: str) -> tuple[dt.date, dt.date]:
    start_year = int(period[:4])
    return dt.date(start_year, 4, 1), dt.date(start_year + 1, 3, 31)


def expected_members(authorities: pd.DataFrame, council: str, columns: list[str],
                     period: str | None) -> list[str]:
    """Councils sharing ``columns`` with ``council`` that existed in the financial year ``period``."""
    a = authorities
    facts = a.set_index("authority_code").loc[council]
    keep = a["is_council"] & (a["tier"] != "combined")
    for column in columns:
        keep &= a[column] == facts[column]
    if period is None:
        keep &= a["is_current"]
    else:
        start, end = _period_bounds(period)
        begins = a["start_date"].map(lambda d: d is None or pd.isna(d) or d <= end)
        # end_date is the abolition day (or the last day): gone by the period's first day
        ends = a["end_date"].map(lambda d: d is None or pd.isna(d) or d > start)
        keep &= begins & ends
    return sorted(a.loc[keep, "authority_code"])


KIND_COLUMNS = {
    "type_nation": ["authority_type", "nation"],
    "type_region": ["authority_type", "region"],
    "region": ["region"],
    "nation": ["nation"],
}


@pytest.mark.parametrize("kind", sorted(KIND_COLUMNS))
@pytest.mark.parametrize("council", [BIRMINGHAM, GLASGOW, CARDIFF, ALLERDALE])
@pytest.mark.parametrize("period", [None, "2019/20", "2023/24"])
def test_attribute_kinds_match_register(wh, authorities, kind, council, period):
    group = resolve_peer_group(wh, PeerGroupSpec(kind, council, period=period))
    assert group.codes == expected_members(authorities, council, KIND_COLUMNS[kind], period)
    assert group.codes and group.size == len(group.codes)


def test_members_exist_in_the_period(wh):
    before = resolve_peer_group(wh, PeerGroupSpec("nation", BIRMINGHAM, period="2022/23"))
    after = resolve_peer_group(wh, PeerGroupSpec("nation", BIRMINGHAM, period="2023/24"))
    assert ALLERDALE in before.codes and ALLERDALE not in after.codes
    assert CUMBERLAND in after.codes and CUMBERLAND not in before.codes


def test_council_that_did_not_exist_is_flagged_not_member(wh):
    group = resolve_peer_group(wh, PeerGroupSpec("type_nation", CUMBERLAND, period="2019/20"))
    assert not group.includes_council
    assert group.size > 0  # the other English unitaries of 2019/20


def test_combined_authorities_never_members(wh, authorities):
    combined = set(authorities.loc[authorities["tier"] == "combined", "authority_code"])
    for kind in ("region", "nation"):
        group = resolve_peer_group(wh, PeerGroupSpec(kind, BIRMINGHAM))
        assert not combined & set(group.codes)
    custom = resolve_peer_group(wh, PeerGroupSpec("custom", BIRMINGHAM, custom=(WMCA, CARDIFF)))
    assert custom.codes == sorted([BIRMINGHAM, CARDIFF])


def test_combined_authority_cannot_be_the_council(wh):
    with pytest.raises(UnknownCouncil):
        resolve_peer_group(wh, PeerGroupSpec("region", WMCA))
    with pytest.raises(UnknownCouncil):
        resolve_peer_group(wh, PeerGroupSpec("region", "NOPE"))


def test_unknown_kind_is_refused(wh):
    with pytest.raises(KeyError, match="unknown peer group kind"):
        resolve_peer_group(wh, PeerGroupSpec("astrology", BIRMINGHAM))


def test_custom_group_always_holds_the_council_and_drops_duplicates(wh):
    spec = PeerGroupSpec("custom", BIRMINGHAM, custom=[GLASGOW, GLASGOW, BIRMINGHAM])
    assert spec.custom == (GLASGOW, BIRMINGHAM)
    group = resolve_peer_group(wh, spec)
    assert group.codes == sorted([BIRMINGHAM, GLASGOW])
    assert resolve_peer_group(wh, PeerGroupSpec("custom", BIRMINGHAM)).codes == [BIRMINGHAM]


def test_descriptions_say_who_is_in(wh):
    group = resolve_peer_group(wh, PeerGroupSpec("type_region", BIRMINGHAM, period="2023/24"))
    assert "Metropolitan districts" in group.description and "West Midlands" in group.description
    assert "2023/24" in group.description
    assert str(group.size) in group.definition()
    members = group.members_frame
    assert sorted(members["authority_code"]) == group.codes
    assert set(members["region"]) == {"West Midlands"}


@dataclass(frozen=True)
class _EveryoneKind:
    """A kind that returns everything, combined authorities included (to test the resolver)."""

    id: str = "everyone"
    label: str = "Everyone"

    def describe(self, wh, spec):
        return "every authority"

    def members(self, wh, spec):
        return [*wh.query("council_choices")["authority_code"].tolist(), WMCA]


def test_new_kinds_register_and_still_obey_the_rules(wh, monkeypatch, authorities):
    monkeypatch.setattr("dashboard.peers.groups.GROUP_KINDS", dict(GROUP_KINDS))
    from dashboard.peers import groups as peers

    register_kind(_EveryoneKind())
    assert "everyone" in peers.GROUP_KINDS and "everyone" not in GROUP_KINDS
    group = resolve_peer_group(wh, PeerGroupSpec("everyone", BIRMINGHAM, period="2023/24"))
    assert WMCA not in group.codes
    assert ALLERDALE not in group.codes  # abolished before 2023/24
    assert len(group.codes) == len(expected_members(authorities, BIRMINGHAM, [], "2023/24"))
