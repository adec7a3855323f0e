"""A small seeded self-assessment warehouse source for the self-assessment tests.

- London boroughs: 20 respond in round 2023 and 24 in 2024 (published), one more keeps its 2024
  answers private with score 5 everywhere (``PRIVATE_COUNCIL``), so any leak is visible;
- Welsh unitary authorities: exactly 4 respond (``WELSH_RESPONDERS``): below the disclosure
  threshold, so no peer median may be shown for that group;
- three indicators (higher, lower, neutral) in 2023/24 for every London borough and Welsh
  unitary authority, from ``random.Random(SEED)``.
"""

from __future__ import annotations

import random
from pathlib import Path

import pandas as pd

from etl import demo

SEED = 42
ROUNDS = ("2023", "2024")
PERIOD = "2023/24"
SOURCE_NAME = "fixture"


def councils(authorities: pd.DataFrame, authority_type: str) -> list[str]:
    """Current councils of one type, sorted."""
    frame = authorities[authorities["is_council"] & authorities["is_current"]
                        & (authorities["authority_type"] == authority_type)]
    return sorted(frame["authority_code"].tolist())


def layout(authorities: pd.DataFrame) -> dict[str, object]:
    """Which councils play which part in the fixture."""
    london = councils(authorities, "London borough")
    wales = councils(authorities, "Welsh unitary authority")
    return {
        "london": london,
        "wales": wales,
        "responders_2023": london[:20],
        "responders_2024": london[:24],
        "private": london[24],
        "silent_london": london[25:],
        "welsh_responders": wales[:4],
    }


def write_fixture_source(folder: Path, authorities: pd.DataFrame) -> Path:
    """Write questions.csv, responses.csv, indicators.csv and values.csv into ``folder``."""
    rng = random.Random(SEED)
    parts = layout(authorities)
    folder.mkdir(parents=True, exist_ok=True)
    questions = demo.demo_questions()
    questions.to_csv(folder / "questions.csv", index=False)
    qids = questions["question_id"].tolist()
    rows = []
    for round_label, responders in (("2023", parts["responders_2023"]), ("2024", parts["responders_2024"])):
        for code in responders:
            base = rng.randint(1, 4)
            for qid in qids:
                score = min(5, max(1, base + rng.choice((-1, 0, 0, 1))))
                rows.append((code, round_label, qid, score, "true"))
    for qid in qids:
        rows.append((parts["private"], "2024", qid, 5, "false"))
    for code in parts["welsh_responders"]:
        for qid in qids:
            rows.append((code, "2024", qid, rng.randint(1, 5), "true"))
    pd.DataFrame(rows, columns=["authority_code", "round", "question_id", "score", "published"]).to_csv(
        folder / "responses.csv", index=False)
    indicators = pd.DataFrame([
        ("good_up", "Higher is better", "Digital", "%", "higher", "d", "fixture", 0, 100),
        ("good_down", "Lower is better", "Digital", "days", "lower", "d", "fixture", None, None),
        ("context", "Neutral context", "Context", "count", "neutral", "d", "fixture", None, None),
    ], columns=["indicator_id", "name", "theme", "unit", "polarity", "description", "source",
                "min_value", "max_value"])
    indicators.to_csv(folder / "indicators.csv", index=False)
    values = []
    for code in [*parts["london"], *parts["wales"]]:
        values.append((code, "good_up", PERIOD, round(rng.uniform(0, 100), 1)))
        values.append((code, "good_down", PERIOD, round(rng.uniform(1, 30), 0)))
        values.append((code, "context", PERIOD, rng.randint(1, 1000)))
    pd.DataFrame(values, columns=["authority_code", "indicator_id", "period", "value"]).to_csv(
        folder / "values.csv", index=False)
    return folder


def build_warehouse(root: Path, authorities: pd.DataFrame, reference_dir: Path) -> Path:
    """Write the fixture source under ``root`` and publish it; returns the live path."""
    from etl.load import Source, load_sources

    source = write_fixture_source(root / SOURCE_NAME, authorities)
    live = root / "wh" / "exemplar.duckdb"
    result = load_sources([Source.of(source, SOURCE_NAME)], live, reference_dir=reference_dir)
    assert result.ok, result.problems
    return live


def copy_warehouse(live: Path, dest: Path) -> Path:
    """A private copy of a published warehouse folder (symlink kept); returns its live path."""
    import shutil

    shutil.copytree(live.parent, dest, symlinks=True,
                    ignore=shutil.ignore_patterns("*.lock"))
    return dest / live.name


def tree_hash(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (symlinks by target), to prove nothing changed."""
    import hashlib
    import os

    out: dict[str, str] = {}
    if not folder.exists():
        return out
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            out[key] = "link:" + os.readlink(path)
        elif path.is_file() and not path.name.endswith(".lock"):
            out[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def filled_rows(template_csv: bytes, scores: dict[str, int] | int) -> pd.DataFrame:
    """The template's rows (as text) with ``score`` filled in (one score for all, or per id)."""
    import io

    frame = pd.read_csv(io.BytesIO(template_csv), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if isinstance(scores, int):
        frame["score"] = str(scores)
    else:
        frame["score"] = frame["question_id"].map(lambda q: str(scores[q]))
    return frame


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV bytes as a council's spreadsheet would save them (UTF-8, no index)."""
    return frame.to_csv(index=False).encode("utf-8")
