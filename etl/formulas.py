"""Which text a spreadsheet would run as a formula: the one rule the upload check refuses and
every CSV export neutralises (no dependencies, so the dashboard and the ETL both import it).

Excel and LibreOffice treat a cell starting with ``=``, ``+``, ``-`` or ``@`` as a formula, and a
leading tab or line break can hide one (``-2+3+cmd|' /C calc'!A0`` runs a command through DDE).
Leading spaces are looked past: some importers trim them. A plain number such as ``-12.5`` is
not a formula (Excel reads it as the number), so it stays a number.
"""

from __future__ import annotations

import re

__all__ = ["FORMULA_PREFIXES", "starts_like_formula"]

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n")
_PLAIN_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?", re.ASCII)


def starts_like_formula(text: str) -> bool:
    """True when a spreadsheet could run ``text`` as a formula or command.

    That is: after any leading spaces it starts with one of ``FORMULA_PREFIXES`` and it is not
    just a number written in ASCII digits.
    """
    stripped = text.lstrip(" ")
    return stripped.startswith(FORMULA_PREFIXES) and not _PLAIN_NUMBER.fullmatch(stripped)
