"""Values written as text: suppression and missing markers, separators and signs.

A cell becomes one of:

- a number: spaces, ``£`` and ``%`` signs are removed and commas are accepted only as
  thousands separators (``1,234.5``); ``12.5%`` is stored as ``12.5`` (the indicator's unit
  says it is a percentage);
- empty with status ``suppressed``: the publisher withheld a figure it has (``c``, ``[c]``,
  ``*``, ``low``, ``[low]``: small numbers or disclosure control);
- empty with status ``missing``: there is no figure (``x``, ``[x]``, ``z``, ``[z]``, ``..``,
  ``.``, ``-``, ``:``, ``n/a``, ``na`` and an empty cell: not available, not applicable);
- an error naming the file, row and column (anything else).

A spec may add markers or remap these (``[values] markers = {"~" = "suppressed"}``).
The same rules exist twice: :func:`parse_value` (one cell, for tests and small files) and
:func:`value_sql` (a whole column inside DuckDB, for large files); a test keeps them equal.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

__all__ = ["DEFAULT_MARKERS", "MARKER_STATUSES", "ValueTextError", "markers_with", "parse_value", "value_sql"]

MARKER_STATUSES = ("suppressed", "missing")  # what a marker may stand for
DEFAULT_MARKERS: dict[str, str] = {
    **dict.fromkeys(("c", "[c]", "*", "low", "[low]"), "suppressed"),
    **dict.fromkeys(("x", "[x]", "z", "[z]", "..", ".", "-", ":", "n/a", "na"), "missing"),
}
STRIPPED = "£%"  # signs publishers put beside numbers; removed with spaces
# A plain decimal number (after signs and spaces are gone): no inf, nan or hex.
NUMBER_PATTERN = r"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"
# Commas are only thousands separators: 1,234 and 12,345,678.9 but not 1,2 or 12,34.
THOUSANDS_PATTERN = r"^[-+]?[0-9]{1,3}(,[0-9]{3})+(\.[0-9]*)?$"
_NUMBER = re.compile(NUMBER_PATTERN)
_THOUSANDS = re.compile(THOUSANDS_PATTERN)
_STRIP = re.compile(r"[£%\s]")


class ValueTextError(ValueError):
    """A cell that is neither a number nor a known marker."""


def markers_with(extra: Mapping[str, str] | None) -> dict[str, str]:
    """The default markers plus a spec's own (keys compared without case or outer spaces).

    Raises:
        ValueError: a spec marker maps to something other than suppressed or missing.
    """
    markers = dict(DEFAULT_MARKERS)
    for marker, status in (extra or {}).items():
        if status not in MARKER_STATUSES:
            raise ValueError(f"marker {marker!r} maps to {status!r}: use one of {', '.join(MARKER_STATUSES)}")
        markers[marker.strip().casefold()] = status
    return markers


def parse_value(text: object, markers: Mapping[str, str] = DEFAULT_MARKERS) -> tuple[float | None, str | None]:
    """One cell as ``(number, status)``: ``(12.5, None)``, ``(None, "suppressed")``...

    Raises:
        ValueTextError: the text is neither a number nor a marker.
    """
    if text is None:
        return None, "missing"
    raw = str(text).strip()
    if raw == "":
        return None, "missing"
    status = markers.get(raw.casefold())
    if status:
        return None, status
    cleaned = _STRIP.sub("", raw)
    if "," in cleaned:
        if not _THOUSANDS.match(cleaned):
            raise ValueTextError(f"{raw!r} is not a number (commas are allowed only as thousands separators)")
        cleaned = cleaned.replace(",", "")
    if not _NUMBER.match(cleaned) or not math.isfinite(float(cleaned)):
        raise ValueTextError(f"{raw!r} is not a number or a known marker")
    return float(cleaned), None


def value_sql(column: str, plain_value: str = "plain_value", mk: str = "mk") -> dict[str, str]:
    """DuckDB expressions over text ``column`` (a trusted identifier) implementing :func:`parse_value`.

    Two stages, so the cleaning runs once per cell: select ``plain`` AS ``plain_value`` (the text
    without signs, spaces and thousands separators; a plain number skips the regex rewrite) in
    an inner query, then ``number`` and ``bad`` over ``plain_value``. ``status`` needs the table
    ``value_markers(marker, status)`` joined as ``mk`` on ``mk.marker = lower(trim(column))``;
    ``number`` and ``bad`` need ``mk.status`` too. Other names for ``plain_value`` and ``mk``
    let one query clean several columns (a value and its confidence limits).
    """
    trimmed = f"trim(coalesce({column}, ''))"
    cleaned = f"regexp_replace({trimmed}, '[£%\\s]', '', 'g')"
    rewritten = (
        f"CASE WHEN {cleaned} LIKE '%,%' AND regexp_full_match({cleaned}, '{THOUSANDS_PATTERN}') "
        f"THEN replace({cleaned}, ',', '') ELSE {cleaned} END"
    )
    is_number = (
        f"(regexp_full_match({plain_value}, '" + NUMBER_PATTERN + "') "
        f"AND isfinite(coalesce(TRY_CAST({plain_value} AS DOUBLE), 'nan'::DOUBLE)))"
    )
    return {
        "plain": f"CASE WHEN regexp_full_match({trimmed}, '{NUMBER_PATTERN}') THEN {trimmed} ELSE {rewritten} END",
        "number": f"CASE WHEN {mk}.status IS NULL AND {is_number} THEN TRY_CAST({plain_value} AS DOUBLE) END",
        "status": f"CASE WHEN {trimmed} = '' THEN 'missing' WHEN {mk}.status IS NOT NULL THEN {mk}.status END",
        "bad": f"({trimmed} <> '' AND {mk}.status IS NULL AND NOT {is_number})",
    }
