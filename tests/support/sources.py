"""Source folders written by tests (contract CSVs from text), and reading a published warehouse back."""

from __future__ import annotations

import textwrap
from pathlib import Path


def write_source(folder: Path, files: dict[str, str | bytes]) -> Path:
    """Write a source folder from {file name: text or bytes}; returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        data = content.encode("utf-8") if isinstance(content, str) else content
        (folder / name).write_bytes(data)
    return folder


def write_dedented(folder: Path, name: str, text: str) -> Path:
    """Write ``text`` (indented in a test, dedented here) as ``folder/name``; returns the path."""
    path = folder / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def query_warehouse(live: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Rows of ``sql`` run on the published warehouse at ``live``, opened read-only and closed."""
    import duckdb

    con = duckdb.connect(str(live), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()
