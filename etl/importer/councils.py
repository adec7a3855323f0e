"""Which council each row of a file means, and what the register's life dates say about it.

1. :func:`match_councils` matches each distinct council text once (by name, code, or through a
   lookup table) into temp table ``council_map``; unmatched and ambiguous texts are reported.
2. :func:`settle_by_period` settles, per (text, period), the names whose council depends on the
   row's period: dated overrides (``"Somerset" = [{code = ..., until = ...}, ...]``) and, with
   ``by_period``, ambiguous names the register's dates decide (:meth:`Matcher.fitting`). The
   result is temp table ``period_councils``; the report says how many cells went each way.
3. :func:`life_facts` counts values for councils outside their life (kept: the load marks
   them) and names successor/predecessor pairs both given for one indicator and period.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from etl.importer.match import fold, match_frame
from etl.importer.read import read_frame, resolve_column
from etl.importer.run import ImportRun
from etl.lifespan import after_abolition_sql, before_creation_sql, outside_life_sql
from etl.sqltext import sql_identifier

__all__ = ["life_facts", "match_councils", "match_texts", "settle_by_period"]

MATCH_COLUMNS = ["raw", "outcome", "authority_code", "area_name", "area_code", "candidates", "how", "candidate_codes"]


def match_councils(run: ImportRun) -> None:
    """Match each distinct council text of temp view ``raw`` once into temp table ``council_map``."""
    spec, report = run.spec, run.report
    seen = (
        run.con.execute(f"""SELECT {sql_identifier(run.council_column)} AS raw, min(_row) AS first_row,
                                   count(*) AS rows FROM raw GROUP BY 1""")
        .df()
        .astype(object)
    )
    seen["raw"] = seen["raw"].where(seen["raw"].notna(), None)  # NULL cells stay None, never "nan"
    frame = _with_dated_overrides(run, match_texts(run, seen["raw"], spec.councils.by))
    first = {t: int(r) for t, r in zip(seen["raw"], seen["first_row"], strict=True)}
    rows = {t: int(n) for t, n in zip(seen["raw"], seen["rows"], strict=True)}
    frame = _not_councils(run, frame, first, rows)
    run.table("council_map", frame, dict.fromkeys(MATCH_COLUMNS, "VARCHAR"))
    by_outcome = frame.assign(rows=frame["raw"].map(rows)).groupby("outcome")["rows"].sum().to_dict()
    # a name with dated overrides is matched: to the code its row's period picks (settle_by_period)
    report.rows_matched = int(by_outcome.get("matched", 0)) + int(by_outcome.get("dated", 0))
    report.rows_unmatched = int(by_outcome.get("unmatched", 0))
    report.rows_ambiguous = int(by_outcome.get("ambiguous", 0))
    report.rows_blank = int(by_outcome.get("blank", 0))
    report.rows_aggregate = int(by_outcome.get("aggregate", 0))
    named = frame[frame["outcome"].isin(["matched", "dated"])]
    report.matched_by = {str(k): int(v) for k, v in named.groupby("how").size().items()}
    report.aggregate_areas = sorted(set(frame.loc[frame["outcome"] == "aggregate", "area_name"]))
    unmatched = frame[frame["outcome"] == "unmatched"].sort_values("raw", key=lambda s: s.astype(str))
    ambiguous = frame[frame["outcome"] == "ambiguous"].sort_values("raw", key=lambda s: s.astype(str))
    report.unmatched = [(str(t), rows.get(t, 0)) for t in unmatched["raw"]]
    report.ambiguous = [(str(t), c) for t, c in zip(ambiguous["raw"], ambiguous["candidates"], strict=True)]
    if spec.councils.skip_unmatched:
        return
    what = "name" if spec.councils.by == "name" else "code"
    for text in unmatched["raw"]:
        run.problem(
            first.get(text),
            run.council_column,
            text,
            f"is not a council {what} the register knows (set skip_unmatched = true "
            "to leave such rows out, or add an override)",
            report.rows_unmatched,
            len(unmatched),
        )
    if not (spec.councils.by_period and spec.kind == "values"):  # else settled per row's period later
        ambiguous_rows = sum(rows.get(t, 0) for t in ambiguous["raw"])
        for text, candidates in zip(ambiguous["raw"], ambiguous["candidates"], strict=True):
            run.problem(
                first.get(text),
                run.council_column,
                text,
                f"is ambiguous, could be {candidates}: settle it with [councils] overrides or by_period = true",
                ambiguous_rows,
                len(ambiguous),
            )
    if report.rows_blank:
        row = min(int(first[t]) for t in frame.loc[frame["outcome"] == "blank", "raw"])
        run.problem(row, run.council_column, "", "no council given", report.rows_blank)


def _not_councils(run: ImportRun, frame: pd.DataFrame, first: dict[Any, int], rows: dict[Any, int]) -> pd.DataFrame:
    """Texts the spec lists as no council (``not_councils``) become outcome ``not_council``: left
    out and listed in the report with the spec's reason. Listing a text that is a council is a
    problem, so a real council is never left out by mistake."""
    listed = {fold(text): (text, reason) for text, reason in run.spec.councils.not_councils.items()}
    if not listed:
        return frame
    frame = frame.copy()
    for index, text in frame["raw"].items():
        hit = listed.get(fold(text)) if text is not None else None
        if hit is None:
            continue
        if frame.at[index, "outcome"] == "matched":
            run.problem(
                first.get(text),
                run.council_column,
                text,
                f"is listed in [councils] not_councils but is {run.matcher.describe(str(frame.at[index, 'authority_code']))}",
            )
            continue
        frame.loc[index, ["outcome", "authority_code", "how"]] = ["not_council", None, hit[1]]
        run.report.not_councils.append((str(text), hit[1], rows.get(text, 0)))
    run.report.rows_not_council = sum(n for _, _, n in run.report.not_councils)
    run.report.not_councils.sort()
    return frame


def _with_dated_overrides(run: ImportRun, frame: pd.DataFrame) -> pd.DataFrame:
    """Texts with a dated override become outcome ``dated``: their council is the period's."""
    dated = {fold(written): entries for written, entries in run.spec.councils.dated_overrides.items()}
    if not dated:
        return frame
    for written, entries in run.spec.councils.dated_overrides.items():
        for entry in entries:
            run.matcher.override_target(written, entry.code)  # an unknown code fails before any row
    hit = frame["raw"].map(lambda t: t is not None and fold(t) in dated)
    frame = frame.copy()
    frame.loc[hit, ["outcome", "authority_code", "area_name", "area_code", "how"]] = [
        "dated",
        None,
        None,
        None,
        "override by period",
    ]
    return frame


def match_texts(run: ImportRun, texts: pd.Series, by: str) -> pd.DataFrame:
    """Match texts by name, a code kind, or through the spec's lookup table (columns MATCH_COLUMNS)."""
    if by != "lookup":
        return match_frame(run.matcher, texts, by)
    lookup = run.spec.councils.lookup
    assert lookup is not None  # the spec requires it with by = "lookup"
    mapping = _lookup_mapping(run)
    found = match_frame(run.matcher, pd.Series(list(mapping.values()), dtype=object), lookup.to_by).set_index("raw")
    where = lookup.file.name if lookup.file else f"sheet {lookup.sheet!r}"
    rows = []
    for raw in texts:
        key = None if raw is None else str(raw).strip()
        if key is None or key == "":
            rows.append({"raw": raw, "outcome": "blank"})
        elif key not in mapping:
            rows.append({"raw": raw, "outcome": "unmatched", "how": f"not in {where}"})
        else:
            hit = found.loc[mapping[key]].to_dict() if mapping[key] in found.index else {"outcome": "unmatched"}
            rows.append({**hit, "raw": raw, "how": "lookup" if hit.get("outcome") == "matched" else hit.get("how")})
    return pd.DataFrame(rows, columns=MATCH_COLUMNS).astype(object).where(lambda f: f.notna(), None)


def _lookup_mapping(run: ImportRun) -> dict[str, Any]:
    """The lookup table as {code written in the file: code the register knows} (read once per run)."""
    if run.lookup_map is None:
        lookup = run.spec.councils.lookup
        assert lookup is not None
        path = lookup.file or run.data_path  # no file: a sheet of the data workbook itself
        fmt = None if lookup.file else run.spec.file.format
        table = read_frame(path, fmt, lookup.sheet, lookup.skip_rows, lookup.encoding, lookup.delimiter)
        name = path.name if lookup.file else f"{path.name} (sheet {lookup.sheet!r})"
        columns = list(table.columns)
        source = resolve_column(columns, lookup.from_column or "", name, "councils.lookup.from")
        target = resolve_column(columns, lookup.to_column or "", name, "councils.lookup.to")
        run.lookup_map = {str(k).strip(): v for k, v in zip(table[source], table[target], strict=True) if k is not None}
    return run.lookup_map


# -- names that mean one council in one period and another in the next ------------------------
def settle_by_period(run: ImportRun) -> None:
    """Temp table ``period_councils`` (raw, period, authority_code) for names the row's period
    settles; pairs it cannot settle become problems (unless skip_unmatched)."""
    run.con.execute(
        "CREATE OR REPLACE TEMP TABLE period_councils (raw VARCHAR, period VARCHAR, authority_code VARCHAR)"
    )
    spec = run.spec
    wanted = "c.outcome = 'dated'" + (" OR c.outcome = 'ambiguous'" if spec.councils.by_period else "")
    pairs = run.rows(f"""SELECT l.council, l.period, c.outcome, c.candidate_codes, c.candidates, p.period_label,
                                p.period_start, p.period_end, min(l._row), count(*)
                         FROM long_cells l JOIN council_map c ON c.raw = l.council
                         LEFT JOIN period_map p ON p.raw = l.period
                         WHERE {wanted} GROUP BY ALL ORDER BY 9""")
    dated = {fold(w): entries for w, entries in spec.councils.dated_overrides.items()}
    settled: list[tuple[str, str, str]] = []
    each_way: dict[tuple[str, str], int] = {}
    for text, period, outcome, codes, candidates, label, start, end, row, cells in pairs:
        if start is None:
            continue  # an unreadable period is reported as such
        if outcome == "dated":
            fits = [run.matcher.override_target(text, e.code) for e in dated[fold(text)] if e.covers(_as_date(end))]
            why = "has no dated override covering"
        else:
            fits = run.matcher.fitting((codes or "").split(",") if codes else [], _as_date(start), _as_date(end))
            why = f"is ambiguous in {label or period}, could be {candidates}: settle it with [councils] overrides"
        if len(fits) == 1:
            settled.append((text, period, fits[0]))
            each_way[(text, fits[0])] = each_way.get((text, fits[0]), 0) + cells
            run.report.settled_by_period += cells
        elif not spec.councils.skip_unmatched:
            reason = f"{why} {label}" if outcome == "dated" else why
            run.problem(row, run.council_column, text, reason, cells)
    run.report.settled = [(text, run.matcher.describe(code), cells) for (text, code), cells in sorted(each_way.items())]
    if settled:
        run.con.executemany("INSERT INTO period_councils VALUES (?, ?, ?)", settled)


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) and not isinstance(value, dt.datetime) else pd.Timestamp(value).date()


# -- the register's life dates against the values --------------------------------------------
def life_facts(run: ImportRun) -> None:
    """Count values (temp table ``cells``) for councils outside their life and name successor
    and predecessor pairs both given for one indicator and period."""
    matcher, report = run.matcher, run.report
    lives = pd.DataFrame(
        [(code, start, end) for code, (start, end) in matcher.lifetimes.items()],
        columns=["authority_code", "start_date", "end_date"],
    )
    run.table("council_lives", lives, {"authority_code": "VARCHAR", "start_date": "DATE", "end_date": "DATE"})
    # the load's own rule (etl.lifespan), over the cells' periods and the register's lives
    outside = run.rows(f"""SELECT a.authority_code, count(*) FILTER (WHERE {before_creation_sql("a", "p")}),
                                  count(*) FILTER (WHERE {after_abolition_sql("a", "p")}), count(*)
                           FROM cells p JOIN council_lives a USING (authority_code)
                           WHERE p.outcome = 'matched' AND p.period_start IS NOT NULL AND {outside_life_sql("a", "p")}
                           GROUP BY 1 ORDER BY 4 DESC, 1""")
    report.outside_life_before = sum(r[1] for r in outside)
    report.outside_life_after = sum(r[2] for r in outside)
    report.outside_life = sum(r[3] for r in outside)
    report.outside_life_councils = [(matcher.describe(code), values) for code, _, _, values in outside]
    pairs = pd.DataFrame(matcher.predecessors(), columns=["predecessor", "successor"])
    run.table("succession", pairs, {"predecessor": "VARCHAR", "successor": "VARCHAR"})
    overlaps = run.rows("""SELECT s.successor, s.predecessor, count(*), min(a.indicator_id || ' ' || a.period_label)
        FROM cells a JOIN succession s ON a.authority_code = s.predecessor
        JOIN cells b ON b.authority_code = s.successor AND b.indicator_id = a.indicator_id
                    AND b.period_label = a.period_label
        WHERE a.outcome = 'matched' AND b.outcome = 'matched' AND a.number IS NOT NULL AND b.number IS NOT NULL
        GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2""")
    report.overlaps = [
        (matcher.describe(new), matcher.describe(old), count, example) for new, old, count, example in overlaps
    ]
