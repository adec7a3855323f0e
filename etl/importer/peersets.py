"""Peer-group set files (family groups, neighbour lists) for an import: ``peer_sets.csv`` and
``peer_set_members.csv`` in the import's contract folder, councils and neighbours matched like
any other council column (by name, code, or through the spec's lookup table).

Shapes: a family column per set (a cluster file gives several: one spec, several sets); a
neighbour list long (one row per pair), wide (one column per rank, optionally a closeness or
similarity column per rank) or JSON (``{council: [neighbours...]}``). A list that carries no
ranks (``ranked = false``) is stored unranked; ``drop_self`` leaves out a council listed as its
own neighbour (counted); ``duplicates = "drop_identical"`` drops identical repeats (a long
values file repeats each council's family on every row). A family cell holding one of the
spec's ``[family] no_group`` texts (``"[x]"``) puts the council in no group of that set (counted
in the report); group names are never read as markers (a cluster may be called "C").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pandas as pd

from etl.importer.councils import match_texts
from etl.importer.read import ReadError
from etl.importer.run import ImportRun
from etl.importer.spec import PeerSetSpec
from etl.problems import EXAMPLES_PER_PROBLEM

__all__ = ["write_peer_sets"]

MEMBER_COLUMNS = [
    "set_id",
    "authority_code",
    "member_code",
    "rank",
    "similarity",
    "closeness",
    "group_id",
    "source_row",
]
# What makes two member rows the same key, and what they must agree on to be identical repeats.
KEY = ("set_id", "authority_code", "member_code")
DETAIL = ("rank", "similarity", "closeness", "group_id")
# One neighbour pair: (record, neighbour column, neighbour text, rank, closeness column, similarity column).
Pair = tuple[dict[Any, Any], str, Any, Any, str | None, str | None]


def write_peer_sets(run: ImportRun) -> None:
    """Write peer_sets.csv and peer_set_members.csv for a family or neighbours file."""
    frame = run.con.execute("SELECT * FROM raw ORDER BY _row").df().astype(object)
    frame = frame.where(frame.notna(), None)
    councils = run.rows("SELECT raw, outcome, authority_code FROM council_map")
    code_of = {raw: code for raw, outcome, code in councils if outcome == "matched"}
    sets = run.spec.peer_sets
    if run.spec.kind == "family":
        members = [m for peer in sets for m in _family_members(run, frame, code_of, peer)]
    else:
        members = _neighbour_members(run, frame, code_of, sets[0])
    table = _without_repeats(run, pd.DataFrame(members, columns=[*MEMBER_COLUMNS, "_column"]))
    if run.report.problems:
        return
    pd.DataFrame(
        [
            {
                "set_id": p.set_id,
                "name": p.name,
                "kind": run.spec.kind,
                "method": p.method,
                "description": p.description,
            }
            for p in sets
        ]
    ).to_csv(run.folder / "peer_sets.csv", index=False)
    table = table[MEMBER_COLUMNS].copy()
    table["rank"] = table["rank"].astype("Int64")
    table.to_csv(run.folder / "peer_set_members.csv", index=False)
    groups = _group_descriptions(run, table, sets)
    if not groups.empty:
        groups.to_csv(run.folder / "peer_set_groups.csv", index=False)
        run.report.group_descriptions = len(groups)
    run.report.members_written = len(table)
    run.report.sets_written = [p.set_id for p in sets]


def _family_members(
    run: ImportRun, frame: pd.DataFrame, code_of: dict[Any, str], peer: PeerSetSpec
) -> Iterator[dict[str, Any]]:
    group = run.column(peer.group_column or "", "family.group_column")
    family = run.spec.family
    no_group = {t.strip().casefold() for t in (family.no_group if family else ())}
    for record in frame.to_dict("records"):
        code = code_of.get(record[run.council_column])
        text = (record[group] or "").strip()
        if code and text.casefold() in no_group:  # e.g. "[x]": the publisher put the council in no group
            run.report.without_group += 1
        elif code:
            yield {
                "set_id": peer.set_id,
                "authority_code": code,
                "group_id": (record[group] or "").strip(),
                "source_row": record["_row"],
                "_column": group,
            }


def _group_descriptions(run: ImportRun, members: pd.DataFrame, sets: tuple[PeerSetSpec, ...]) -> pd.DataFrame:
    """What each family group is like, from ``[family] descriptions`` (a JSON object): ``{group:
    text}`` for every set, or ``{column: {group: text}}`` per family column. Groups and columns
    are matched without case; a group the file does not describe gets no row.

    Raises:
        ReadError: the file is not such an object, or lacks a family column's entry.
    """
    family = run.spec.family
    path = family.descriptions if family else None
    columns = ["set_id", "group_id", "description"]
    if path is None:
        return pd.DataFrame(columns=columns)
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReadError(f"{path.name}: cannot be read as json: {exc}") from exc
    if not isinstance(data, dict):
        raise ReadError(f"{path.name}: give an object {{group: description}} or {{column: {{group: description}}}}")
    nested = all(isinstance(v, dict) for v in data.values())
    by_key = {str(k).strip().casefold(): v for k, v in data.items()}
    rows = []
    for peer in sets:
        texts = by_key.get(str(peer.group_column).strip().casefold()) if nested else data
        if not isinstance(texts, dict):
            raise ReadError(f"{path.name}: no descriptions for family column {peer.group_column!r}")
        described = {str(k).strip().casefold(): str(v).strip() for k, v in texts.items()}
        for group in sorted(set(members.loc[members["set_id"] == peer.set_id, "group_id"].dropna())):
            text = described.get(str(group).strip().casefold())
            if text:
                rows.append((peer.set_id, group, text))
    return pd.DataFrame(rows, columns=columns)


def _neighbour_pairs(run: ImportRun, frame: pd.DataFrame) -> list[Pair]:
    """(record, neighbour column, neighbour text, rank, closeness column, similarity column) per pair."""
    options = run.spec.neighbours
    assert options is not None  # the spec requires [neighbours] for this kind

    def optional(name: str | None, key: str) -> str | None:
        return run.column(name, key) if name else None

    rank_col = optional(options.rank_column, "neighbours.rank_column")
    close_col = optional(options.closeness_column, "neighbours.closeness_column")
    sim_col = optional(options.similarity_column, "neighbours.similarity_column")
    pairs: list[Pair] = []
    if options.neighbour_column:
        column = run.column(options.neighbour_column, "neighbours.neighbour_column")
        seen: dict[object, int] = {}
        for record in frame.to_dict("records"):
            seen[record[run.council_column]] = seen.get(record[run.council_column], 0) + 1
            rank = record[rank_col] if rank_col else seen[record[run.council_column]]
            pairs.append((record, column, record[column], rank if options.ranked else None, close_col, sim_col))
        return pairs
    ranked = _per_rank(run.columns, options.neighbour_pattern)
    if not ranked:
        raise ReadError(f"{run.file_name}: no column matches neighbours.neighbour_pattern")
    closeness = {rank: column for column, rank in _per_rank(run.columns, options.closeness_pattern)}
    similarity = {rank: column for column, rank in _per_rank(run.columns, options.similarity_pattern)}
    for record in frame.to_dict("records"):
        for column, rank in ranked:
            if record[column] is not None and str(record[column]).strip():
                pairs.append(
                    (
                        record,
                        column,
                        record[column],
                        rank if options.ranked else None,
                        closeness.get(rank, close_col),
                        similarity.get(rank, sim_col),
                    )
                )
    return pairs


def _per_rank(columns: list[str], pattern: str | None) -> list[tuple[str, int]]:
    """The columns ``pattern`` matches, each with the rank its ``(?P<rank>)`` group gives."""
    if not pattern:
        return []
    compiled = re.compile(pattern)
    return [(c, int(m["rank"])) for c in columns if (m := compiled.search(c))]


def _neighbour_members(
    run: ImportRun, frame: pd.DataFrame, code_of: dict[Any, str], peer: PeerSetSpec
) -> list[dict[str, Any]]:
    options = run.spec.neighbours
    assert options is not None
    pairs = _neighbour_pairs(run, frame)
    by = options.by or run.spec.councils.by
    found = match_texts(run, pd.Series(pd.unique(pd.Series([p[2] for p in pairs], dtype=object)), dtype=object), by)
    found = found.set_index("raw")
    members = []
    for record, column, text, rank, close_col, sim_col in pairs:
        code = code_of.get(record[run.council_column])
        if not code:
            continue
        outcome = found.loc[text]
        if outcome["outcome"] != "matched":
            if not run.spec.councils.skip_unmatched:
                detail: str = f" ({outcome['candidates']})" if outcome["candidates"] else ""
                run.problem(record["_row"], column, text, f"neighbour is {outcome['outcome']}{detail}")
            continue
        if outcome["authority_code"] == code and options.drop_self:
            run.report.self_neighbours_dropped += 1
            continue
        members.append(
            {
                "set_id": peer.set_id,
                "authority_code": code,
                "member_code": outcome["authority_code"],
                "rank": rank,
                "similarity": record[sim_col] if sim_col else None,
                "closeness": record[close_col] if close_col else None,
                "source_row": record["_row"],
                "_column": column,
            }
        )
    return members


def _without_repeats(run: ImportRun, table: pd.DataFrame) -> pd.DataFrame:
    """Members without repeated keys: identical repeats dropped when the spec allows, others reported."""
    if table.empty:
        return table
    key = [c for c in KEY if table[c].notna().any()]
    table = table.assign(_same=[repr(tuple(r)) for r in table[list(DETAIL)].itertuples(index=False)])
    repeat = table.duplicated(subset=key, keep="first")
    if not repeat.any():
        return table.drop(columns="_same")
    first_row = table.groupby(key, dropna=False)["source_row"].transform("first")
    versions = table.groupby(key, dropna=False)["_same"].transform("nunique")
    identical = repeat & (versions == 1)
    run.report.duplicates = int(repeat.sum())
    drop = identical if run.spec.duplicates == "drop_identical" else pd.Series(False, index=table.index)
    run.report.duplicates_dropped = int(drop.sum())
    conflicts = table[repeat & ~drop]
    how = (
        "gives a different entry"
        if run.spec.duplicates == "drop_identical"
        else '(set [values] duplicates = "drop_identical" to drop identical repeats)'
    )
    what = "council" if run.spec.kind == "family" else "council and neighbour"
    shown = conflicts.assign(_first=first_row.loc[conflicts.index]).head(EXAMPLES_PER_PROBLEM)
    for record in shown.to_dict("records"):
        run.problem(
            int(record["source_row"]),
            record["_column"],
            None,
            f"repeats the {what} of row {int(record['_first'])} {how}",
            len(conflicts),
        )
    return table[~drop].drop(columns="_same")
