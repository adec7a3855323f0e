"""axe-core in a real page: the WCAG 2.2 AA rules run on the app's own content and on Streamlit's chrome.

axe-core is the npm package pinned in ``tests/axe/package.json`` (``make axe`` installs it with
``npm ci`` into ``tests/axe/node_modules``; nothing else is fetched). :func:`audit` injects it
into a settled page and runs it twice: on the main area (``[data-testid="stMain"]``: everything
the app's pages draw, which must have no violation) and on the rest of the document (Streamlit's
sidebar, header and toolbar, whose violations the accessibility statement lists).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["AXE_JS", "MAIN", "WCAG_TAGS", "Finding", "audit", "axe_installed", "describe"]

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
MAIN = '[data-testid="stMain"]'  # the app's own content; the sidebar and header are Streamlit's
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]  # WCAG 2.2 level A and AA rules

_RUN = """async ([context, tags]) => {
  const result = await axe.run(context, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary, html: n.html.slice(0, 200)})),
  }));
}"""


@dataclass(frozen=True)
class Finding:
    """One axe rule broken on a page: the rule, its impact and help text, and where."""

    rule: str
    impact: str
    help: str
    nodes: tuple[dict[str, str], ...]


def axe_installed() -> bool:
    """True when ``make axe`` has installed axe-core."""
    return AXE_JS.exists()


def _run(page: Any, context: dict[str, list[str]]) -> list[Finding]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    found = page.evaluate(_RUN, [context, WCAG_TAGS])
    return [Finding(v["id"], v["impact"] or "", v["help"], tuple(v["nodes"])) for v in found]


def audit(page: Any) -> tuple[list[Finding], list[Finding]]:
    """axe's WCAG 2.2 AA violations on ``page`` (a settled Playwright page): ``(own, chrome)``,
    the app's main area and everything around it."""
    own = _run(page, {"include": [MAIN]})
    chrome = _run(page, {"exclude": [MAIN]})
    return own, chrome


def describe(findings: list[Finding]) -> str:
    """The findings as lines a failing test can print: rule, impact, help and the first places."""
    lines = []
    for f in findings:
        lines.append(f"{f.rule} ({f.impact}): {f.help}")
        lines.extend(f"    {n['target']}: {n['html']}" for n in f.nodes[:5])
    return "\n".join(lines)
