"""A warehouse whose every name is hostile (issue 16 §3): the demo source with each indicator,
theme, unit, description, publisher, caveat, question and level text, plus a family peer set and
its group descriptions, carrying Markdown links and images, raw HTML, KaTeX, colour directives,
icon shortcodes and bare URLs. Loaded through the real ETL into a real DuckDB file.

Every piece points at ``EVIL_HOST`` and styled pieces wrap a marker word, so a test can tell an
element made from data (a link to the host, a bold or coloured marker) from the app's own.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from etl.load import Source, load_sources
from tests.support.sources import write_source

EVIL_HOST = "evil.example"
LINK = f"[Sign in](https://{EVIL_HOST}/x)"
IMAGE = f"![x](https://{EVIL_HOST}/i.png)"
BARE_URL = f"https://{EVIL_HOST}/bare"
# Marker words inside styled pieces: they may appear as plain text, never inside a styled element.
BOLD_MARK, SPAN_MARK, RED_MARK, ANCHOR_MARK = "BOLDMARK", "SPANMARK", "REDMARK", "ANCHORMARK"
MARKERS = (BOLD_MARK, SPAN_MARK, RED_MARK, ANCHOR_MARK)
PIECES = (
    LINK,
    IMAGE,
    f'<a href="https://{EVIL_HOST}/a">{ANCHOR_MARK}</a>',
    f'<img src="https://{EVIL_HOST}/img.png">',
    f"<b>{BOLD_MARK}</b>",
    f'<span style="color:red">{SPAN_MARK}</span>',
    "$x^2$",
    "$$y^2$$",
    f":red[{RED_MARK}]",
    ":material/home:",
    BARE_URL,
    f"www.{EVIL_HOST}/w",
    f"someone@{EVIL_HOST}",
)
PAYLOAD = " ".join(PIECES)
# What a page that shows the data must show literally somewhere (so it did render it).
LITERAL = LINK

SOURCE_NAME = "hostile"
FAMILY_SET = "hostile-families"


def hostile(text: object) -> str:
    """``text`` followed by every hostile piece (kept distinct per original, so ids stay unique)."""
    return f"{text} {PAYLOAD}"


def _indicators(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("name", "theme", "description", "source"):
        frame[column] = frame[column].map(hostile)
    frame["unit"] = frame["unit"].map(lambda unit: f"{unit} {LINK} :red[{RED_MARK}] $u$")
    frame["caveats"] = hostile("Caveat")
    frame["polarity_reason"] = hostile("Reason")
    return frame


def _questions(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for column in ("theme", "text", *(f"level_{n}" for n in range(1, 6))):
        frame[column] = frame[column].map(hostile)
    return frame


def _family_set(authorities: pd.DataFrame) -> dict[str, str]:
    """A family peer set (type x deprivation quintile) with hostile names and group descriptions."""
    current = authorities[authorities["is_council"] & authorities["is_current"]].dropna(subset=["deprivation_quintile"])
    group = current["authority_type_code"] + "-" + current["deprivation_quintile"].astype(int).astype(str)
    members = pd.DataFrame({"set_id": FAMILY_SET, "authority_code": current["authority_code"], "group_id": group})
    sets = pd.DataFrame({"set_id": [FAMILY_SET], "name": [hostile("Families")], "kind": ["family"],
                         "method": [hostile("Method")], "description": [hostile("Description")]})
    groups = pd.DataFrame({"set_id": FAMILY_SET, "group_id": sorted(group.unique())})
    groups["description"] = groups["group_id"].map(hostile)
    return {"peer_sets.csv": sets.to_csv(index=False), "peer_set_members.csv": members.to_csv(index=False),
            "peer_set_groups.csv": groups.to_csv(index=False)}


def build(root: Path, authorities: pd.DataFrame, reference_dir: Path) -> Path:
    """Write the hostile source under ``root`` and publish it; returns the live warehouse path."""
    from etl import demo
    from etl.neighbours import compute_and_load

    folder = demo.write_demo_source(root / "demo", authorities)
    files = {
        "indicators.csv": _indicators(pd.read_csv(folder / "indicators.csv", dtype=str, keep_default_na=False)),
        "questions.csv": _questions(pd.read_csv(folder / "questions.csv", dtype=str, keep_default_na=False)),
    }
    for name, frame in files.items():
        frame.to_csv(folder / name, index=False)
    peers = write_source(root / "families", _family_set(authorities))
    live = root / "wh" / "exemplar.duckdb"
    result = load_sources(
        [Source.of(folder, SOURCE_NAME, synthetic=True, publisher=hostile("Publisher"), licence=hostile("Licence")),
         Source.of(peers, "families", publisher=hostile("Peer publisher"))],
        live, reference_dir=reference_dir, progress=False,
    )
    assert result.ok, [p.describe() for p in result.problems]
    assert compute_and_load(live, reference_dir=reference_dir).ok
    return live
