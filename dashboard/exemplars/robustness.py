"""Robustness across peer definitions: is an exemplar still one when its peers are chosen
another way (same type nationally, in the region, statistical neighbours, family groups...)?

For each candidate and each peer definition that applies to it (``definitions``: label ->
candidate -> that group's members, built by the pages from the peer feature), the exemplar rule
is applied within that group, with the same method (weights, indicators, thresholds, improvement
test, maturity). Groups with the same members are scored once, and every group is scored in one
query (``scoring.group_scores`` with group keys), so a whole shortlist takes about the time of a
few single-group runs (bench/robustness_bench.py). The tested trend is the council's own, the
same in every group. docs/exemplar-method.md ("Robustness across peer definitions").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from dashboard.exemplars.rule import ExemplarRule, evaluate
from dashboard.exemplars.scoring import Weights, group_scores
from dashboard.warehouse import Warehouse

__all__ = ["ROBUSTNESS_COLUMNS", "ROBUSTNESS_METHOD", "LIST_SEPARATOR", "robustness", "robustness_text"]

LIST_SEPARATOR = "; "  # between definition labels in one cell
ROBUSTNESS_METHOD = (
    "the same rule and method applied within each peer definition that covers the council: same "
    "authority type nationally, same type in the region, each stored statistical-neighbours or "
    "family-group set that lists it; members as the peer pages resolve them"
)
ROBUSTNESS_COLUMNS = [
    "authority_code",
    "definitions_applicable",
    "definitions_exemplar",
    "robustness",
    "exemplar_under",
    "not_exemplar_under",
]


def robustness_text(exemplar: int, applicable: int) -> str:
    """ "exemplar under 4 of 5 peer definitions" (or "no peer definition applies")."""
    if not applicable:
        return "no peer definition applies"
    return f"exemplar under {exemplar} of {applicable} peer definition{'s' if applicable != 1 else ''}"


def robustness(
    wh: Warehouse,
    candidates: Sequence[str],
    definitions: Mapping[str, Mapping[str, Sequence[str]]],
    period: str,
    rule: ExemplarRule,
    weights: Weights | None = None,
    indicators: Sequence[str] | None = None,
    maturity: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Each candidate's verdict under every definition that applies to it.

    ``definitions`` maps a definition's label to {candidate: member codes of its group} (a
    candidate missing there is one the definition does not apply to). ``maturity`` as in
    ``rule.evaluate`` (it should cover every member). Returns :data:`ROBUSTNESS_COLUMNS`:
    definitions_applicable, definitions_exemplar, robustness (in words), exemplar_under and
    not_exemplar_under (labels joined by :data:`LIST_SEPARATOR`).
    """
    keys: dict[frozenset[str], str] = {}
    group_of: dict[tuple[str, str], str] = {}  # (label, candidate) -> group key
    for label, groups in definitions.items():
        for candidate in candidates:
            members = groups.get(candidate)
            if members is None or candidate not in members:
                continue
            group_of[(label, candidate)] = keys.setdefault(frozenset(members), f"g{len(keys)}")
    verdicts = _verdicts(wh, keys, period, rule, weights, indicators, maturity)
    rows = []
    for candidate in candidates:
        under = [label for label in definitions if (label, candidate) in group_of]
        yes = [label for label in under if verdicts.get((group_of[(label, candidate)], candidate), False)]
        rows.append(
            {
                "authority_code": candidate,
                "definitions_applicable": len(under),
                "definitions_exemplar": len(yes),
                "robustness": robustness_text(len(yes), len(under)),
                "exemplar_under": LIST_SEPARATOR.join(yes),
                "not_exemplar_under": LIST_SEPARATOR.join(label for label in under if label not in yes),
            }
        )
    return pd.DataFrame(rows, columns=ROBUSTNESS_COLUMNS)


def _verdicts(
    wh: Warehouse,
    keys: Mapping[frozenset[str], str],
    period: str,
    rule: ExemplarRule,
    weights: Weights | None,
    indicators: Sequence[str] | None,
    maturity: pd.DataFrame | None,
) -> dict[tuple[str, str], bool]:
    """(group key, council) -> is_exemplar, every group scored within itself in one query."""
    if not keys:
        return {}
    pairs = [(code, key) for members, key in keys.items() for code in sorted(members)]
    # The verdict alone needs no per-indicator rows, and the tested trend no earlier period
    # (the end-point rule needs both: its counts compare indicators K periods apart).
    endpoints = rule.require_improving and not rule.tests_trend
    scores = group_scores(
        wh,
        [code for code, _ in pairs],
        period,
        weights,
        indicators,
        rule.min_completeness,
        rule.k if endpoints else 0,
        groups=[key for _, key in pairs],
        detail=endpoints,
        trend=rule.trend_to_score,
    )
    table = evaluate(scores, rule, maturity, explain=False)
    return dict(zip(zip(table["group_key"], table["authority_code"], strict=True), table["is_exemplar"], strict=True))
