"""Nothing about an unpublished submission is visible outside the operator's ETL commands
(issue 16 §1), tested by attack.

Two worlds are built from the self-assessment fixture: *without* (republished as it is) and
*with* (the same, plus two submissions sent with publishing turned off through the inbox: one council for a
new round, 2025, two answers changed from its published 2024 ones; another for 2024, the round
it already has published bulk answers for, one answer changed). Then:

- the attacker of the issue, re-implemented: it regenerates the inbox's deterministic source
  text for every answer set within two changes of a council's published answers, for every
  round it can see or guess, hashes each, and looks for the hashes (or any prefix of 12 hex
  digits or more) in every page's rendered elements and downloads and in every file of both
  exports. Aimed at the operator's view (``etl status`` and the load log) it recovers both
  private submissions, which proves it works; aimed at what readers get it must recover nothing;
- every page's rendered elements and downloads, and every exported file, are compared between the
  worlds: nothing may differ but the data version and times;
- and the operator still sees the private files in ``etl status`` and ``etl history``.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import element_tree

from dashboard.selfassessment import template
from etl import submission
from etl.export import export_warehouse
from etl.history import format_history, list_versions
from etl.inbox import load_inbox
from etl.load import load_sources
from etl.provenance import PRIVATE_SCHEMA
from etl.status import format_status, warehouse_status
from etl.warehouse import WarehousePaths, read_load_log
from tests.support import apptest, sa_fixture
from tests.support.stamps import fixed_stamp

pytestmark = pytest.mark.slow  # two fixture warehouses, four exports and ~60 page runs

ROOT = Path(__file__).resolve().parent.parent
NEW_ROUND = "2025"  # the private-only round: not even its period may be published
BULK_ROUND = "2024"  # the fixture's published round, which the second submission answers again
MAX_CHANGES = 2  # the attacker tries every answer set this close to a published one
MIN_HEX = 12  # a shown hash prefix this long already identifies one candidate among millions
PAGES = [Path(p).stem for p in re.findall(r'st\.Page\("([^"]+)"', (ROOT / "streamlit_app.py").read_text())]
COUNCIL_PAGES = {"profile", "exemplars", "self_assessment", "maturity_outcomes", "submit", "former_councils"}
HEX = re.compile(rb"[0-9a-fA-F]{%d,}" % MIN_HEX)


# -- the two worlds ---------------------------------------------------------------------------
def _private_answers(published: dict[str, int], changes: int) -> dict[str, int]:
    """``published`` with the first ``changes`` answers moved by one (as a council revises)."""
    revised = dict(published)
    for qid in sorted(revised)[:changes]:
        revised[qid] = revised[qid] + 1 if revised[qid] < 5 else revised[qid] - 1
    return revised


def _published_answers(live: Path, council: str, round_label: str) -> dict[str, int]:
    con = duckdb.connect(str(live), read_only=True)
    try:
        rows = con.execute(
            "SELECT question_id, score FROM published_responses WHERE authority_code = ? AND round = ?",
            [council, round_label],
        ).fetchall()
    finally:
        con.close()
    assert rows, (council, round_label)
    return dict(rows)


def _submit_private(live: Path, questions: pd.DataFrame, council: str, round_label: str, scores: dict[str, int]):
    blank = template.template_csv(questions, council, round_label, stamp=fixed_stamp())
    data = sa_fixture.to_csv_bytes(sa_fixture.filled_rows(blank, scores))
    assert submission.check_upload(data, "mine.csv", council, round_label, questions).ok
    submission.write_to_inbox(
        WarehousePaths(live).inbox, data, "mine.csv", council, round_label,
        submission.framework_id(questions), published=False,
    )


@pytest.fixture(scope="module")
def worlds(sa_live, sa_parts, sa_questions, tmp_path_factory) -> dict:
    """``without`` and ``with`` live paths, and the private submissions of ``with``."""
    root = tmp_path_factory.mktemp("private-answers")
    without = sa_fixture.copy_warehouse(sa_live, root / "without" / "wh")
    with_private = sa_fixture.copy_warehouse(sa_live, root / "with" / "wh")
    new_round_council, bulk_council = sa_parts["responders_2024"][0], sa_parts["responders_2024"][1]
    secrets = {
        (new_round_council, NEW_ROUND): _private_answers(_published_answers(sa_live, new_round_council, "2024"), 2),
        (bulk_council, BULK_ROUND): _private_answers(_published_answers(sa_live, bulk_council, BULK_ROUND), 1),
    }
    for (council, round_label), scores in secrets.items():
        _submit_private(with_private, sa_questions, council, round_label, scores)
    report = load_inbox(with_private)
    assert report.ok and len(report.published) == 2, report
    # The world without them gets a new version too (a load of nothing), so both differ from the
    # fixture's version in the same way: only in the data version and the time.
    assert load_sources([], without, progress=False).outcome == "published"
    return {"without": without, "with": with_private, "secrets": secrets, "root": root}


# -- what readers get: pages and exports --------------------------------------------------------
def _elements(node) -> Iterator:
    if isinstance(node, element_tree.Block):
        yield node  # its label (an expander's, a tab's) is shown too
        for child in node.children.values():
            yield from _elements(child)
    else:
        yield node


def _element_text(node) -> str:
    if isinstance(node, element_tree.Dataframe):
        return "dataframe\n" + node.value.to_csv(index=False)
    return f"{type(node).__name__}\n{node.proto}"


def _download_text(data: bytes) -> str:
    """A download as text: CSV as it is, a workbook as the values of every cell of every sheet."""
    if not data.startswith(b"PK"):
        return data.decode("utf-8-sig")
    book = load_workbook(io.BytesIO(data))
    return "\n".join(
        f"{sheet.title}!" + ",".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


def _page_views(parts: dict) -> list[tuple[str, dict[str, str]]]:
    """Every page as a visitor opens it, and the pages about a council for each private council
    and round (a visitor may guess them)."""
    views = [(page, {}) for page in PAGES]
    for council, round_label in parts["secrets"]:
        views += [(page, {"council": council, "round": round_label}) for page in sorted(COUNCIL_PAGES)]
    return views


def _render(live: Path, views, monkeypatch) -> dict[str, list[str]]:
    """{page view: the text of every element on it, then of every download}."""
    monkeypatch.setenv("EXEMPLAR_WAREHOUSE", str(live))
    shown = {}
    for page, params in views:
        at = apptest.open_page(page, **params)
        texts = [_element_text(e) for block in (at.main, at.sidebar) for e in _elements(block)]
        texts += [f"download {key}\n{_download_text(data)}" for key, data in sorted(apptest.downloads(at).items())]
        shown[f"{page} {params}"] = texts
    return shown


def _exports(live: Path, out: Path) -> dict[str, bytes]:
    """{file: bytes} of a Parquet and a CSV export, plus every table of the Parquet export's
    views file as CSV text (what a tool opening it reads)."""
    files: dict[str, bytes] = {}
    for fmt in ("parquet", "csv"):
        export_warehouse(out / fmt, fmt, live)
        files |= {f"{fmt}/{p.name}": p.read_bytes() for p in sorted((out / fmt).iterdir())}
    con = duckdb.connect(str(out / "parquet" / "exemplar.duckdb"), read_only=True)
    try:
        for schema, view, sql in con.execute(
            "SELECT schema_name, view_name, sql FROM duckdb_views() WHERE NOT internal ORDER BY ALL"
        ).fetchall():
            rows = con.execute(f'SELECT * FROM "{schema}"."{view}"').df().to_csv(index=False)
            files[f"views/{schema}.{view}"] = f"{sql}\n{rows}".replace(str(out.resolve()), "<EXPORT>").encode()
    finally:
        con.close()
    return files


@pytest.fixture(scope="module")
def seen(worlds) -> dict:
    """Everything readers get from each world: rendered pages and exported files."""
    views = _page_views(worlds)
    with pytest.MonkeyPatch.context() as monkeypatch:
        apptest.keep_downloads(monkeypatch)
        pages = {name: _render(worlds[name], views, monkeypatch) for name in ("without", "with")}
    exports = {name: _exports(worlds[name], worlds["root"] / f"export-{name}") for name in ("without", "with")}
    return {"pages": pages, "exports": exports}


# -- the attacker ---------------------------------------------------------------------------
def _inbox_source_text(council: str, round_label: str, answers: dict[str, int], published: bool) -> bytes:
    """The responses.csv the inbox writes for a submission: the format is public (etl/inbox.py)."""
    lines = ["authority_code,round,question_id,score,published"]
    flag = "true" if published else "false"
    lines += [f"{council},{round_label},{qid},{answers[qid]},{flag}" for qid in sorted(answers)]
    return ("\n".join(lines) + "\n").encode()


def _near(answers: dict[str, int], changes: int) -> Iterator[dict[str, int]]:
    """Every answer set within ``changes`` answers of ``answers``."""
    qids = sorted(answers)
    for k in range(changes + 1):
        for chosen in itertools.combinations(qids, k):
            for scores in itertools.product(*[[s for s in range(1, 6) if s != answers[q]] for q in chosen]):
                yield {**answers, **dict(zip(chosen, scores, strict=True))}


def _hex_found(corpus: list[bytes]) -> dict[int, set[str]]:
    """Every run of MIN_HEX or more hex digits in ``corpus``, lower-cased, by length."""
    found: dict[int, set[str]] = {}
    for blob in corpus:
        for match in HEX.findall(blob):
            token = match.decode().lower()[:64]
            found.setdefault(len(token), set()).add(token)
    return found


def attack(corpus: list[bytes], published: pd.DataFrame, targets: list[str]) -> dict[tuple[str, str], dict[str, int]]:
    """What the attacker recovers: {(council, round): answers} whose inbox source hash, or a
    prefix of it, appears anywhere in ``corpus``. ``published`` are the published answers
    (authority_code, round, question_id, score) it starts from; it tries every round it can see
    and the year after the latest, both publishing flags, every answer set within MAX_CHANGES."""
    hashes = _hex_found(corpus)
    seen_rounds = sorted(published["round"].unique())
    rounds = [*seen_rounds, str(int(max(r[:4] for r in seen_rounds)) + 1)]
    recovered = {}
    for council in targets:
        mine = published[published["authority_code"] == council]
        for _base_round, rows in mine.groupby("round"):
            base = dict(zip(rows["question_id"], rows["score"].astype(int), strict=True))
            for answers, round_label, flag in itertools.product(_near(base, MAX_CHANGES), rounds, (False, True)):
                digest = hashlib.sha256(_inbox_source_text(council, round_label, answers, flag)).hexdigest()
                if any(digest[:length] in tokens for length, tokens in hashes.items()):
                    recovered[(council, round_label)] = answers
    return recovered


def _published_from_export(exports: dict[str, bytes]) -> pd.DataFrame:
    """The published answers as the attacker has them: from the export."""
    return pd.read_parquet(io.BytesIO(exports["parquet/published_responses.parquet"]))


def _reader_corpus(seen: dict) -> list[bytes]:
    pages = seen["pages"]["with"]
    return [t.encode() for texts in pages.values() for t in texts] + list(seen["exports"]["with"].values())


def _operator_corpus(live: Path) -> list[bytes]:
    status = format_status(warehouse_status(live)).encode()
    return [status, json.dumps(read_load_log(WarehousePaths(live))).encode()]


def test_the_attacker_recovers_private_answers_from_what_the_operator_sees(worlds, seen):
    published = _published_from_export(seen["exports"]["with"])
    targets = sorted({council for council, _round in worlds["secrets"]})
    recovered = attack(_operator_corpus(worlds["with"]), published, targets)
    assert recovered == worlds["secrets"]  # so the attacker is a real one, and the format is the inbox's


def test_no_private_answer_is_recovered_from_any_page_or_export(worlds, seen):
    published = _published_from_export(seen["exports"]["with"])
    targets = sorted({council for council, _round in worlds["secrets"]})  # it knows whom to attack
    assert attack(_reader_corpus(seen), published, targets) == {}


# -- nothing differs ------------------------------------------------------------------------
def _meta(live: Path) -> dict[str, str]:
    con = duckdb.connect(str(live), read_only=True)
    try:
        return dict(con.execute("SELECT key, value FROM meta").fetchall())
    finally:
        con.close()


def _normalise(text: str, live: Path, root: Path) -> str:
    """``text`` with what may differ between the worlds replaced: the data version, the times
    and the world's folder."""
    meta = _meta(live)
    for key in ("data_version", "published_at"):
        text = text.replace(meta[key], f"<{key}>")
    text = text.replace(str(root), "<WORLD>")
    text = re.sub(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?", "<time>", text)
    text = re.sub(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d\d:\d\d UTC", "<time>", text)  # "File made", when_text
    text = re.sub(r'deferred_file_id: "[0-9a-f]+"', 'deferred_file_id: "<file>"', text)  # a new id every run
    return re.sub(r"/media/[0-9a-f]+\.\w+", "/media/<file>", text)  # named by a hash of the bytes


def test_every_page_reads_the_same_with_and_without_the_private_submissions(worlds, seen):
    shown = {
        name: {
            view: [_normalise(t, worlds[name], worlds[name].parent.parent) for t in texts]
            for view, texts in seen["pages"][name].items()
        }
        for name in ("without", "with")
    }
    assert shown["with"].keys() == shown["without"].keys()
    for view, texts in shown["without"].items():
        assert shown["with"][view] == texts, view
    assert len(shown["with"]) == len(PAGES) + 2 * len(COUNCIL_PAGES) == len(set(shown["with"]))


def _export_tables_differing(seen: dict) -> list[str]:
    before, after = seen["exports"]["without"], seen["exports"]["with"]
    assert before.keys() == after.keys()
    return sorted(name for name in before if before[name] != after[name])


def test_every_export_holds_the_same_bytes_with_and_without_the_private_submissions(worlds, seen):
    # The meta table (data version and time), the manifest (which names them and the meta file's
    # checksum) and the views file (a DuckDB file) may differ; their contents are compared below.
    assert _export_tables_differing(seen) == [
        "csv/manifest.json", "csv/meta.csv", "parquet/exemplar.duckdb", "parquet/manifest.json", "parquet/meta.parquet",
        "views/main.meta",
    ]
    before, after = seen["exports"]["without"], seen["exports"]["with"]
    for name in ("csv/meta.csv", "views/main.meta"):
        assert _normalise(after[name].decode(), worlds["with"], worlds["root"]) == _normalise(
            before[name].decode(), worlds["without"], worlds["root"]
        )
    for fmt in ("parquet", "csv"):
        manifests = [json.loads(files[f"{fmt}/manifest.json"]) for files in (before, after)]
        for manifest in manifests:
            for key in ("data_version", "exported_at", "source_file"):
                manifest.pop(key)
            manifest["tables"]["meta"].pop("sha256")
        assert manifests[0] == manifests[1]
    views = [name for name in after if name.startswith("views/") and name != "views/main.meta"]
    assert views and all(after[name] == before[name] for name in views)


def test_nothing_readers_get_names_the_private_schema_or_the_private_round(worlds, seen):
    exported = seen["exports"]["with"]
    assert not any(PRIVATE_SCHEMA in name for name in exported)
    periods = pd.read_parquet(io.BytesIO(exported["parquet/periods.parquet"]))
    assert NEW_ROUND not in set(periods["period"])
    sql = [p for p in (ROOT / "dashboard").rglob("*") if p.suffix in (".sql", ".py")]
    assert sql and not [p for p in sql if re.search(rf"\b{PRIVATE_SCHEMA}\.\w", p.read_text(encoding="utf-8"))]


# -- the operator sees everything -----------------------------------------------------------
def test_the_operator_sees_the_private_files_in_status_and_history(worlds):
    live = worlds["with"]
    status = warehouse_status(live)
    private = {(row[0], row[1]) for row in status["source_files"] if row[5]}
    names = {f"submission-{council}-{round_label}" for council, round_label in worlds["secrets"]}
    assert {(name, "responses.csv") for name in names} <= private
    text = format_status(status)
    assert all(name in text for name in names) and "unpublished answers" in text
    live_version = next(v for v in list_versions(live) if v.is_live)
    assert names <= set(live_version.sources)
    assert all(name in format_history(list_versions(live)) for name in names)
