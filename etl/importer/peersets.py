"""Peer-group set files (family groups, neighbour lists) for an import: ``peer_sets.csv`` and
``peer_set_members.csv`` in the import's contract folder, councils and neighbours matched like
any other council column.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from etl.importer.match import Matcher, match_frame
from etl.importer.read import ReadError, resolve_column
from etl.importer.report import ImportReport
from etl.importer.spec import Spec, SpecError
from etl.problems import Problem

__all__ = ["write_peer_set"]


def write_peer_set(
    con: duckdb.DuckDBPyConnection,
    spec: Spec,
    matcher: Matcher,
    columns: list[str],
    council_column: str,
    file_name: str,
    folder: Path,
    report: ImportReport,
) -> None:
    """Write peer_sets.csv and peer_set_members.csv for a family or neighbours file."""
    peer = spec.peer_set
    assert peer is not None  # parse_spec requires [set] for these kinds
    frame = con.execute("SELECT * FROM raw ORDER BY _row").df().astype(object)
    frame = frame.where(frame.notna(), None)
    councils = con.execute("SELECT raw, outcome, authority_code FROM council_map").df().astype(object)
    code_of = {r: c for r, o, c in councils.itertuples(index=False) if o == "matched"}
    members = []
    if spec.kind == "family":
        group = resolve_column(columns, peer.group_column or "", file_name, "family.group_column")
        for record in frame.to_dict("records"):
            code = code_of.get(record[council_column])
            if code:
                members.append(
                    {
                        "set_id": peer.set_id,
                        "authority_code": code,
                        "group_id": (record[group] or "").strip(),
                        "source_row": record["_row"],
                    }
                )
    else:
        members = _neighbour_members(frame, spec, matcher, columns, council_column, code_of, file_name, report)
    if report.problems:
        return
    pd.DataFrame(
        [
            {
                "set_id": peer.set_id,
                "name": peer.name,
                "kind": spec.kind,
                "method": peer.method,
                "description": peer.description,
            }
        ]
    ).to_csv(folder / "peer_sets.csv", index=False)
    table = pd.DataFrame(
        members,
        columns=[
            "set_id",
            "authority_code",
            "member_code",
            "rank",
            "similarity",
            "closeness",
            "group_id",
            "source_row",
        ],
    )
    table["rank"] = table["rank"].astype("Int64")
    table.to_csv(folder / "peer_set_members.csv", index=False)
    report.members_written = len(table)


def _neighbour_members(
    frame: pd.DataFrame,
    spec: Spec,
    matcher: Matcher,
    columns: list[str],
    council_column: str,
    code_of: dict,
    file_name: str,
    report: ImportReport,
) -> list[dict]:
    peer = spec.peer_set
    assert peer is not None
    by = peer.neighbour_by or spec.councils.by
    if by == "lookup":
        raise SpecError('neighbours.by is required when councils.by = "lookup" (gss, register, name...)')

    def optional(name: str | None, key: str) -> str | None:
        return resolve_column(columns, name, file_name, key) if name else None

    rank_col = optional(peer.rank_column, "neighbours.rank_column")
    close_col = optional(peer.closeness_column, "neighbours.closeness_column")
    sim_col = optional(peer.similarity_column, "neighbours.similarity_column")
    pairs = []  # (record, neighbour column, neighbour text, rank)
    if peer.neighbour_column:
        column = resolve_column(columns, peer.neighbour_column, file_name, "neighbours.neighbour_column")
        seen: dict[object, int] = {}
        for record in frame.to_dict("records"):
            seen[record[council_column]] = seen.get(record[council_column], 0) + 1
            rank = record[rank_col] if rank_col else seen[record[council_column]]
            pairs.append((record, column, record[column], rank))
    else:
        pattern = re.compile(peer.neighbour_pattern or "")
        ranked = [(c, int(m["rank"])) for c in columns if (m := pattern.search(c))]
        if not ranked:
            raise ReadError(f"{file_name}: no column matches neighbours.neighbour_pattern")
        for record in frame.to_dict("records"):
            for column, rank in ranked:
                if record[column] is not None and str(record[column]).strip():
                    pairs.append((record, column, record[column], rank))
    found = match_frame(matcher, pd.Series([p[2] for p in pairs], dtype=object), by).set_index("raw")
    members = []
    for record, column, text, rank in pairs:
        code = code_of.get(record[council_column])
        if not code:
            continue
        outcome = found.loc[text]
        if outcome["outcome"] != "matched":
            if not spec.councils.skip_unmatched:
                report.problems.append(
                    Problem(
                        file_name,
                        record["_row"],
                        column,
                        str(text),
                        f"neighbour is {outcome['outcome']}"
                        + (f" ({outcome['candidates']})" if outcome["candidates"] else ""),
                    )
                )
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
            }
        )
    return members
