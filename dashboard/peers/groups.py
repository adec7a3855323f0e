"""Peer groups: which councils a council is compared with.

A peer group is described by a :class:`PeerGroupSpec` (what the user chose) and resolved
against the warehouse by :func:`resolve_peer_group` into a :class:`PeerGroup` (the member
codes plus a label and a one-sentence description shown on every page and in every export).

Rules every kind obeys (enforced once, in :func:`resolve_peer_group`):

- members belong to ``spec.period`` by the warehouse's one existence rule (``councils_in``):
  councils only (never combined or strategic authorities) that existed on at least one day of
  the period, plus those the data reports a value for in it however outside their life (the
  period travels *in the spec*, so a kind's ``members(wh, spec)`` sees it); ``period=None``
  means councils existing today;
- the focal council is a member when it belongs to the period (a custom group always
  includes it), so "rank r of n" counts the council itself.

Adding a kind is one class with ``id``, ``label``, ``describe(wh, spec)`` and
``members(wh, spec)`` plus a call to :func:`register_kind`; pages list whatever
:data:`GROUP_KINDS` holds. The built-in kinds: same authority type nationally or in the region,
the region, the nation, a custom list, and the stored sets (statistical neighbours and family
groups, ``spec.set_id`` naming which set).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from dashboard.common.register import UnknownCouncil, council_facts
from dashboard.peers import sets
from dashboard.warehouse import Warehouse

__all__ = [
    "DEFAULT_KIND",
    "GROUP_KINDS",
    "GroupKind",
    "PeerGroup",
    "PeerGroupSpec",
    "UnknownCouncil",
    "kind_ids",
    "peer_candidates",
    "register_kind",
    "resolve_peer_group",
]

DEFAULT_KIND = "type_nation"  # the comparison officers expect first: councils of the same type


@dataclass(frozen=True)
class PeerGroupSpec:
    """What the user chose: a group ``kind`` (a key of :data:`GROUP_KINDS`) around ``council``.

    ``custom`` holds the chosen codes for the ``custom`` kind; ``set_id`` names a stored set
    for kinds that have several (family groups); ``period`` restricts members to councils that
    belong to that period (``None``: councils existing today).
    """

    kind: str
    council: str
    custom: tuple[str, ...] = ()
    set_id: str | None = None
    period: str | None = None

    def __post_init__(self) -> None:
        # Lists from URLs or widgets become a hashable, order-stable tuple.
        object.__setattr__(self, "custom", tuple(dict.fromkeys(self.custom)))


@dataclass(frozen=True)
class PeerGroup:
    """A resolved group: member ``codes`` (sorted), a short ``label`` and a ``description``."""

    spec: PeerGroupSpec
    codes: list[str]
    label: str
    description: str
    members_frame: pd.DataFrame = field(repr=False, compare=False, default_factory=pd.DataFrame)

    @property
    def size(self) -> int:
        """How many councils are in the group."""
        return len(self.codes)

    @property
    def includes_council(self) -> bool:
        """True when the focal council itself is a member (it belongs to the period)."""
        return self.spec.council in self.codes

    def definition(self) -> str:
        """One line for exports: the label, the description and the size."""
        return f"{self.label}: {self.description} ({self.size} councils)"


class GroupKind(Protocol):
    """What a peer-group kind provides. ``members`` may return any codes; the resolver keeps
    only councils that belong to the spec's period."""

    @property
    def id(self) -> str:
        """The kind's id: the ``group`` URL value and the key in :data:`GROUP_KINDS`."""
        ...

    @property
    def label(self) -> str:
        """The name shown in menus, e.g. "Same authority type in the region"."""
        ...

    def describe(self, wh: Warehouse, spec: PeerGroupSpec) -> str:
        """One sentence saying who is in the group, e.g. "London boroughs in England"."""
        ...

    def members(self, wh: Warehouse, spec: PeerGroupSpec) -> list[str]:
        """The member authority codes for ``spec``."""
        ...


def peer_candidates(wh: Warehouse, period: str | None) -> pd.DataFrame:
    """Councils that belong to ``period`` (``councils_in``; today's councils when None), with
    nation, region, type, tier and population."""
    return wh.query("peer_candidates", period=period)


def _plural(authority_type: str) -> str:
    # Type names are singular nouns ("London borough", "NI district"); plural for sentences.
    if authority_type.endswith("y"):
        return authority_type[:-1] + "ies"
    return authority_type if authority_type.endswith("s") else f"{authority_type}s"


def _period_phrase(spec: PeerGroupSpec) -> str:
    return f" that existed in {spec.period}" if spec.period else " existing today"


@dataclass(frozen=True)
class _AttributeKind:
    """A kind whose members share the focal council's values of some reference columns."""

    id: str
    label: str
    columns: tuple[str, ...]

    def describe(self, wh: Warehouse, spec: PeerGroupSpec) -> str:
        facts = council_facts(wh, spec.council)
        parts = {
            "authority_type": _plural(str(facts["authority_type"])),
            "region": f"in {facts['region']}",
            "nation": f"in {facts['nation']}",
        }
        subject = parts["authority_type"] if "authority_type" in self.columns else "All councils"
        places = [parts[c] for c in self.columns if c != "authority_type"]
        return " ".join([subject, *places]) + _period_phrase(spec)

    def members(self, wh: Warehouse, spec: PeerGroupSpec) -> list[str]:
        facts = council_facts(wh, spec.council)
        frame = peer_candidates(wh, spec.period)
        keep = pd.Series(True, index=frame.index)
        for column in self.columns:
            keep &= frame[column] == facts[column]
        return frame.loc[keep, "authority_code"].tolist()


@dataclass(frozen=True)
class _CustomKind:
    """The council plus a list of councils the user picked."""

    id: str = "custom"
    label: str = "Custom list of councils"

    def describe(self, wh: Warehouse, spec: PeerGroupSpec) -> str:
        others = [c for c in spec.custom if c != spec.council]
        name = council_facts(wh, spec.council)["short_name"]
        return f"{name} and {len(others)} chosen councils" + _period_phrase(spec)

    def members(self, wh: Warehouse, spec: PeerGroupSpec) -> list[str]:
        return [spec.council, *spec.custom]


@dataclass(frozen=True)
class SetKind:
    """A kind whose members come from a stored set: ``neighbours`` (the council and its ranked
    neighbours in the chosen set) or ``family`` (every council in its numbered group). Without
    ``spec.set_id``, the first set of that kind (by name) that lists the council is used."""

    id: str
    label: str

    def sets(self, wh: Warehouse) -> pd.DataFrame:
        """The sets this kind can use, for a menu."""
        return sets.available_sets(wh, self.id)

    def _set_id(self, wh: Warehouse, spec: PeerGroupSpec) -> str | None:
        return spec.set_id or sets.default_set(wh, self.id, spec.council)

    def members(self, wh: Warehouse, spec: PeerGroupSpec) -> list[str]:
        set_id = self._set_id(wh, spec)
        if set_id is None:
            return [spec.council]
        return [spec.council, *sets.set_members(wh, self.id, set_id, spec.council)["authority_code"].tolist()]

    def describe(self, wh: Warehouse, spec: PeerGroupSpec) -> str:
        name = council_facts(wh, spec.council)["short_name"]
        set_id = self._set_id(wh, spec)
        info = sets.set_info(wh, set_id) if set_id else None
        if info is None or set_id is None:
            return f"{name} only: no {self.label.lower()} set lists this council"
        found = sets.set_members(wh, self.id, set_id, spec.council)
        if self.id == "neighbours":
            return f"{name} and its {len(found)} nearest neighbours in the set {info['name']}"
        return f"{name}'s family group {found['group_id'].iloc[0]} in the set {info['name']}"


# Authority types are nation-specific in the register ("Scottish unitary authority", "Welsh
# unitary authority", "NI district"), so "same type in the same nation" is the national group.
GROUP_KINDS: dict[str, GroupKind] = {
    kind.id: kind
    for kind in (
        _AttributeKind("type_nation", "Same authority type, nationally", ("authority_type", "nation")),
        _AttributeKind("type_region", "Same authority type in the region", ("authority_type", "region")),
        _AttributeKind("region", "All councils in the region", ("region",)),
        _AttributeKind("nation", "All councils in the nation", ("nation",)),
        _CustomKind(),
        SetKind("neighbours", "Statistical neighbours"),
        SetKind("family", "Family group"),
    )
}


def register_kind(kind: GroupKind) -> GroupKind:
    """Add ``kind`` to :data:`GROUP_KINDS` under ``kind.id`` (replacing one of the same id)."""
    GROUP_KINDS[kind.id] = kind
    return kind


def resolve_peer_group(wh: Warehouse, spec: PeerGroupSpec) -> PeerGroup:
    """The members, label and description of the group ``spec`` describes.

    Members are filtered to councils belonging to ``spec.period`` whatever the kind returns,
    so no kind can mix in combined authorities or councils from another time.

    Raises:
        KeyError: ``spec.kind`` is not a registered kind.
        UnknownCouncil: ``spec.council`` is not a council.
    """
    if spec.kind not in GROUP_KINDS:
        raise KeyError(f"unknown peer group kind {spec.kind!r}; known: {sorted(GROUP_KINDS)}")
    kind = GROUP_KINDS[spec.kind]
    council_facts(wh, spec.council)  # raises for an unknown council before any kind runs
    candidates = peer_candidates(wh, spec.period)
    wanted = set(kind.members(wh, spec))
    members = candidates[candidates["authority_code"].isin(wanted)].reset_index(drop=True)
    return PeerGroup(
        spec=spec,
        codes=sorted(members["authority_code"].tolist()),
        label=kind.label,
        description=kind.describe(wh, spec),
        members_frame=members,
    )


def kind_ids() -> Sequence[str]:
    """The registered kind ids in registration order (for menus)."""
    return list(GROUP_KINDS)
