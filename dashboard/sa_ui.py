"""Controls shared by the self-assessment pages (UI only; the logic is in ``selfassessment``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import streamlit as st

from dashboard import selfassessment as sa
from dashboard.peer_ui import choose_council, choose_group, choose_period, show_group
from dashboard.peers import PeerGroup
from dashboard.urlstate import show_url_notices, url_selectbox

__all__ = ["SelfAssessmentChoice", "choose_council_round_and_group"]


@dataclass(frozen=True)
class SelfAssessmentChoice:
    """What the reader picked: council, outcome period, round and the resolved peer group."""

    council: str
    council_name: str
    period: str
    round_label: str
    group: PeerGroup


def choose_council_round_and_group(wh: Any, period_label: str) -> SelfAssessmentChoice:
    """Council, period, round and peer group widgets (all kept in the URL); shows the group.

    Stops the page with a message when no self-assessment has been published.
    """
    rounds = sa.rounds(wh)
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
