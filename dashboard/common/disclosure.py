"""The self-assessment disclosure rule, stated once for every page that shows maturity.

A peer statistic of self-assessment scores (median, quartiles, the exemplar profile, the
quadrant's split, the exemplar rule's maturity median) is shown only when at least
:data:`MIN_PEER_RESPONDENTS` councils behind it have published responses; otherwise the page
shows :func:`hidden_reason`. Unpublished answers never leave the warehouse at all: every query
reads the ``published_responses`` view.
"""

from __future__ import annotations

__all__ = ["MIN_PEER_RESPONDENTS", "hidden_reason", "peer_stat_allowed"]

# Fewer councils than this behind a median or quartile could let a reader work out a single
# council's scores (e.g. a group of 3 where two councils know their own): too few to disclose.
MIN_PEER_RESPONDENTS = 5


def peer_stat_allowed(respondents: int) -> bool:
    """True when a peer statistic over ``respondents`` councils may be shown."""
    return int(respondents) >= MIN_PEER_RESPONDENTS


def hidden_reason(respondents: int, what: str = "The peer median and quartiles") -> str:
    """The sentence a page shows instead of a peer statistic it may not disclose."""
    return (
        f"{what} are hidden: only {int(respondents)} council(s) in this group have published "
        f"responses, and a statistic is shown only when at least {MIN_PEER_RESPONDENTS} have, "
        "so that no council's own scores can be worked out from it."
    )
