"""What several pages build from two features at once; the only place features meet.

Features never import each other (a test checks). Where a page needs two of them together --
the exemplar rule with self-assessment maturity, self-assessment set against the exemplar
finder's composite, the exemplar pages choosing a peer group as the peer pages do -- the join
is written here once and the pages call it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
import streamlit as st

from dashboard.common.urlstate import show_url_notices, url_selectbox
from dashboard.common.widgets import choose_council
from dashboard.exemplars import finder, robustness, scoring
from dashboard.exemplars.rule import ExemplarRule, evaluate
from dashboard.exemplars.widgets import Method, choose_type_and_region
from dashboard.peers.alternatives import alternative_groups
from dashboard.peers.groups import PeerGroup, PeerGroupSpec, resolve_peer_group
from dashboard.peers.widgets import choose_group, choose_period, show_group
from dashboard.selfassessment import results
from dashboard.selfassessment.quadrant import Quadrant, classify_quadrants
from dashboard.warehouse import Warehouse

__all__ = [
    "BY_COUNCIL",
    "BY_TYPE",
    "IMPROVEMENT_METHOD",
    "OUTCOME_METHOD",
    "PeerChoice",
    "SelfAssessmentChoice",
    "choose_council_round_and_group",
    "choose_exemplar_peer_group",
    "exemplar_robustness",
    "find_exemplars",
    "group_exemplars",
    "maturity_for_rule",
    "national_overview",
    "outcome_improvement",
    "outcome_scores",
    "quadrant_for_group",
    "type_region_group",
]

OUTCOME_METHOD = "composite score (exemplar finder)"  # the outcome axis of maturity against outcomes
IMPROVEMENT_METHOD = (  # the measured improvement that maturity is set against, question by question
    f"change in the composite score (exemplar finder, within the peer group) over the last {scoring.DEFAULT_K} periods"
)


# -- the exemplar rule with self-assessment maturity ----------------------------------------
def maturity_for_rule(wh: Warehouse, codes: list[str], rule: ExemplarRule) -> pd.DataFrame | None:
    """The latest published maturity of ``codes`` when ``rule`` asks for it, else None."""
    return results.latest_maturity(wh, codes) if rule.require_maturity else None


def group_exemplars(wh: Warehouse, codes: list[str], period: str) -> tuple[list[str], str]:
    """The exemplars of the peer group ``codes`` in ``period`` by the exemplar finder's default
    rule (maturity included), and the rule in words."""
    rule = ExemplarRule()
    scores = scoring.group_scores(wh, codes, period, trend=rule.trend_to_score)
    table = evaluate(scores, rule, maturity_for_rule(wh, codes, rule))
    return sorted(table.loc[table["is_exemplar"], "authority_code"].tolist()), f"exemplar rule: {rule.describe()}"


@st.cache_data(max_entries=32, show_spinner="Finding the exemplars…")
def find_exemplars(
    _wh: Warehouse, data_version: str, codes: tuple[str, ...], period: str, method: Method
) -> finder.Finding:
    """:func:`dashboard.exemplars.finder.find_exemplars` for the peer group ``codes`` with the
    page's ``method`` (maturity when it asks), cached per data version: a rerun that changes no
    choice (a toggle, a download) does not score and resample again."""
    maturity = maturity_for_rule(_wh, list(codes), method.rule) if method.use_maturity else None
    return finder.find_exemplars(
        _wh, list(codes), period, method.rule, method.weights, method.indicators, method.settings, maturity
    )


@st.cache_data(max_entries=32, show_spinner="Running the rule in every type and region…")
def national_overview(_wh: Warehouse, data_version: str, period: str, method: Method) -> pd.DataFrame:
    """:func:`dashboard.exemplars.finder.national_overview` with maturity when the method asks,
    names and centroids joined; cached per data version and method."""
    candidates = finder.group_candidates(_wh, period)
    codes = candidates["authority_code"].tolist()
    maturity = maturity_for_rule(_wh, codes, method.rule) if method.use_maturity else None
    overview = finder.national_overview(
        _wh, candidates, period, method.rule, method.weights, method.indicators, maturity
    )
    keep = ["authority_code", "short_name", "nation", "lat", "lon"]
    return overview.merge(candidates[keep], on="authority_code", how="left")


def exemplar_robustness(wh: Warehouse, candidates: list[str], period: str, method: Method) -> pd.DataFrame:
    """Whether each of ``candidates`` is an exemplar under every peer definition that applies
    to it (``peers.alternatives``: same type nationally and in the region, each stored
    neighbours or family set), by ``method`` (maturity included when the method asks):
    ``exemplars.robustness.robustness``'s columns."""
    groups = alternative_groups(wh, candidates, period)
    definitions = {definition.label: members for definition, members in groups.items()}
    everyone = sorted({code for members in definitions.values() for group in members.values() for code in group})
    maturity = maturity_for_rule(wh, everyone, method.rule) if method.use_maturity else None
    return robustness.robustness(
        wh, candidates, definitions, period, method.rule, method.weights, method.indicators, maturity
    )


# -- self-assessment against outcomes -------------------------------------------------------
def outcome_scores(wh: Warehouse, codes: list[str], period: str) -> pd.DataFrame:
    """Each council's outcome score in ``period`` within ``codes``: the exemplar finder's composite
    (councils without one are left out). Columns: authority_code, outcome_score, outcome_method."""
    frame = scoring.composite_scores(wh, codes, period)
    out = frame[["authority_code", "composite"]].rename(columns={"composite": "outcome_score"})
    out["outcome_method"] = OUTCOME_METHOD
    return out.dropna(subset=["outcome_score"]).reset_index(drop=True)


def outcome_improvement(wh: Warehouse, codes: list[str], period: str) -> pd.DataFrame:
    """Each council's measured improvement up to ``period`` within ``codes``: its composite now
    minus its composite :data:`~dashboard.exemplars.scoring.DEFAULT_K` periods before (councils
    without both are left out). Columns: authority_code, improvement."""
    scores = scoring.group_scores(wh, codes, period, detail=False, trend=None)
    change = scoring.improvement(scores)[["authority_code", "composite_change"]]
    return change.rename(columns={"composite_change": "improvement"}).dropna().reset_index(drop=True)


def quadrant_for_group(wh: Warehouse, codes: list[str], round_label: str, period: str) -> tuple[Quadrant, str]:
    """The maturity-against-outcomes quadrant of the peer group ``codes``: mean maturity in
    ``round_label`` against the outcome score in ``period``; returns it with the outcome method."""
    maturity = results.mean_maturity(wh, codes, round_label)
    outcomes = outcome_scores(wh, codes, period)
    method = OUTCOME_METHOD if len(outcomes) else "no outcome score"
    return classify_quadrants(maturity, outcomes), method


# -- choosing a peer group on the exemplar and self-assessment pages --------------------------
BY_TYPE, BY_COUNCIL = "type", "council"  # URL values of ``by``: how the exemplar peer group is chosen
_BY_LABELS = {BY_TYPE: "Authority type and region", BY_COUNCIL: "A council's peer group"}


@dataclass(frozen=True)
class PeerChoice:
    """The exemplar pages' peer group: members, a description, the period's councils and, when
    the group was chosen around a council, that council."""

    codes: list[str]
    description: str
    candidates: pd.DataFrame
    council: str | None = None


def type_region_group(
    wh: Warehouse, candidates: pd.DataFrame, authority_type: str, region: str, period: str
) -> tuple[list[str], str]:
    """Members and description of "``authority_type`` councils in ``region``" (nationally for
    :data:`~dashboard.exemplars.finder.ALL_REGIONS`) in ``period``: the peer pages' group of that
    type around one of its councils, so membership is the same on every page."""
    in_type = candidates[candidates["authority_type"] == authority_type]
    chosen = in_type if region == finder.ALL_REGIONS else in_type[in_type["region"] == region]
    if chosen.empty:
        return [], f"No {authority_type} councils in {region} in {period}"
    kind = "type_nation" if region == finder.ALL_REGIONS else "type_region"
    anchor = sorted(chosen["authority_code"])[0]
    group = resolve_peer_group(wh, PeerGroupSpec(kind=kind, council=anchor, period=period))
    return group.codes, group.description


def choose_exemplar_peer_group(
    wh: Warehouse, period: str, container: Any = st, places: Sequence[Any] | None = None
) -> PeerChoice:
    """The peer group: an authority type in a region (``type``, ``region``), or a council's peer
    group as on the peer pages (``council``, ``group``, ``peers``, ``set``); ``by`` says which.

    Everything goes in ``container``, or side by side in ``places`` (three containers: how the
    group is chosen, the type or council, the region or peer group)."""
    how, first, second = places if places is not None else (container, container, container)
    candidates = finder.group_candidates(wh, period)
    by = url_selectbox(
        "Choose the peer group by",
        list(_BY_LABELS),
        key="by",
        format_func=lambda b: _BY_LABELS[b],
        container=how,
        radio=True,
    )
    if by == BY_COUNCIL:
        council, _ = choose_council(wh, container=first)
        group = choose_group(wh, council, period, container=second)
        return PeerChoice(group.codes, f"{group.label}: {group.description}", candidates, council)
    kind, region = choose_type_and_region(candidates, container=first, region_container=second)
    codes, description = type_region_group(wh, candidates, kind, region, period)
    return PeerChoice(codes, description, candidates)


@dataclass(frozen=True)
class SelfAssessmentChoice:
    """What the reader picked: council, outcome period, round and the resolved peer group."""

    council: str
    council_name: str
    period: str
    round_label: str
    group: PeerGroup


def choose_council_round_and_group(wh: Warehouse, period_label: str) -> SelfAssessmentChoice:
    """Council, period, round and peer group widgets (all kept in the URL); shows the group.

    Stops the page with a message when no self-assessment has been published.
    """
    rounds = results.rounds(wh)
    if not rounds:
        st.info("No self-assessment responses have been published yet.")
        st.stop()
    left, middle, right = st.columns(3)
    with left:
        council, council_name = choose_council(wh)
    with middle:
        period = choose_period(wh, label=period_label)
    with right:
        round_label = url_selectbox("Round", rounds, key="round", default=rounds[-1])
    group = choose_group(wh, council, period)
    show_url_notices()
    show_group(group, council_name)
    return SelfAssessmentChoice(council, council_name, period, round_label, group)
