"""Quoting for the few places the ETL must write a name or path into SQL text.

Values always travel as parameters. DuckDB cannot bind a table function's file argument, an
identifier or a ``SET`` value, so those are quoted here, once, the way DuckDB's grammar
requires: a string literal doubles its single quotes, an identifier doubles its double quotes.
Anything quoted this way reads back exactly as given, apostrophes and all.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["sql_literal", "sql_identifier", "sql_literal_list"]


def sql_literal(text: str | Path) -> str:
    """``text`` (or a path) as a single-quoted SQL string literal, e.g. ``'O''Brien'``."""
    return "'" + str(text).replace("'", "''") + "'"


def sql_identifier(name: str) -> str:
    """``name`` as a double-quoted SQL identifier: every ``"`` inside is doubled."""
    return '"' + name.replace('"', '""') + '"'


def sql_literal_list(words: tuple[str, ...] | list[str]) -> str:
    """A parenthesised list of string literals for ``IN (...)``, e.g. ``('a', 'b')``."""
    return "(" + ", ".join(sql_literal(w) for w in words) + ")"
