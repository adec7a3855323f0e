"""Period texts as publishers write them, before :func:`etl.periods.parse_period` reads them.

Two rules a spec may name in ``[periods]``:

- ``map``: an exact text (``"2013/14-15/16"``) stands for a period the parser reads
  (``"2013/14 to 2015/16"``);
- ``annotations``: a trailing bracketed word (``"2018 (Rev)"``, ``"2021 (prov)"``,
  ``"2016-17 (OT)"``) is split off. With ``"status"`` the word becomes the value's status
  (revised, provisional, estimate; ``final`` means an ordinary figure); an unknown word is an
  error naming it. With ``"ignore"`` the word is dropped. Without either rule such a text is
  not a period.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import pandas as pd

from etl.importer.spec import PeriodSpec
from etl.periods import Period, PeriodError, parse_period
from etl.validate import build_period_map

__all__ = ["PeriodReader", "PeriodText", "map_periods"]

_ANNOTATED = re.compile(r"^(?P<period>.*?)\s*[(\[]\s*(?P<word>[^()\[\]]+?)\s*[)\]]$")


@dataclass(frozen=True)
class PeriodText:
    """What one period text of a file stands for: the text to parse, a status, or an error."""

    text: str | None
    status: str | None = None  # revised | provisional | estimate (None: an ordinary figure)
    error: str | None = None


@dataclass(frozen=True)
class PeriodReader:
    """The spec's ``[periods]`` rules applied to one text at a time."""

    rules: PeriodSpec

    def read(self, raw: str) -> PeriodText:
        """The period text ``raw`` stands for after the map and the annotation rule."""
        text = " ".join(raw.split())
        if text in self.rules.map:
            return PeriodText(self.rules.map[text])
        found = _ANNOTATED.match(text)
        if found is None or self.rules.annotations == "none":
            return PeriodText(text)
        word = found["word"].casefold()
        if self.rules.annotations == "ignore":
            return PeriodText(found["period"])
        status = self.rules.words.get(word)
        if status is None:
            return PeriodText(
                None,
                error=f"has annotation {found['word']!r}, which [periods] annotation_statuses does not map "
                "(to revised, provisional, estimate or final)",
            )
        return PeriodText(found["period"], None if status == "final" else status)

    def parse(self, raw: str) -> Period:
        """The period ``raw`` names (the status, if any, is left aside).

        Raises:
            PeriodError: it is not a period even after the spec's rules.
        """
        read = self.read(raw)
        if read.error:
            raise PeriodError(read.error)
        return parse_period(read.text or "")


def map_periods(con: duckdb.DuckDBPyConnection, reader: PeriodReader, table: str = "long_cells") -> list[str]:
    """Temp table ``period_map`` (raw, period_label, period_start, period_end, period_kind,
    period_error, period_status) for each distinct period text of ``table``; returns the labels
    found, in date order.

    Parsing itself is :func:`etl.validate.build_period_map`, the one the load uses, so a label
    the importer writes is the label the load reads back.
    """
    raws = [r[0] for r in con.execute(f"SELECT DISTINCT period FROM {table} WHERE period IS NOT NULL").fetchall()]
    read = [(raw, reader.read(raw)) for raw in raws]
    frame = pd.DataFrame(
        [(raw, r.text, r.status, r.error) for raw, r in read], columns=["raw", "text", "status", "error"]
    ).astype(object)
    con.register("period_text_frame", frame)
    con.execute("""CREATE OR REPLACE TEMP TABLE period_texts AS
        SELECT raw::VARCHAR AS raw, text::VARCHAR AS text, status::VARCHAR AS status, error::VARCHAR AS error
        FROM period_text_frame""")
    con.unregister("period_text_frame")
    build_period_map(con, "period_texts", "text", "parsed_periods")
    con.execute("""CREATE OR REPLACE TEMP TABLE period_map AS
        SELECT t.raw, p.period_label, p.period_start, p.period_end, p.period_kind,
               coalesce(t.error, p.period_error) AS period_error, t.status AS period_status
        FROM period_texts t LEFT JOIN parsed_periods p ON p.raw = t.text""")
    return [
        r[0]
        for r in con.execute(
            "SELECT period_label FROM period_map WHERE period_label IS NOT NULL "
            "GROUP BY period_label ORDER BY min(period_start), period_label"
        ).fetchall()
    ]
