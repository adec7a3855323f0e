"""A small hand-made source for the peer tests: the seven West Midlands metropolitan districts,
their combined authority, and three indicators holding the *same* values loaded as higher-,
lower- and neither-is-better, so polarity flips and neutral handling are visible by hand.

2023/24 values (``VALUES_2023``)::

    Birmingham 10 · Coventry 20 · Dudley 20 (tie) · Sandwell 30 · Wolverhampton 5 (estimate)
    Solihull: empty (missing) · Walsall: empty, status suppressed
    West Midlands combined authority: 999 (must never be in a council peer group)

Birmingham has no 2022/23 row, so its change in 2023/24 is against 2021/22 (not consecutive).
Indicator names, units, themes and descriptions carry spreadsheet formulas, quotes, commas,
newlines and HTML (``INJECTED``), so every export and page also faces hostile text.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.load import Source, load_sources

SOURCE_NAME = "peerfixture"
PERIOD = "2023/24"
BIRMINGHAM, COVENTRY, DUDLEY, SANDWELL = "E08000025", "E08000026", "E08000027", "E08000028"
SOLIHULL, WALSALL, WOLVERHAMPTON = "E08000029", "E08000030", "E08000031"
WMCA = "E47000007"  # West Midlands Combined Authority: not a council
MET_DISTRICTS = [BIRMINGHAM, COVENTRY, DUDLEY, SANDWELL, SOLIHULL, WALSALL, WOLVERHAMPTON]

# (value text, status) per council in 2023/24; "" is a missing value.
VALUES_2023 = {
    BIRMINGHAM: ("10", ""), COVENTRY: ("20", ""), DUDLEY: ("20", ""), SANDWELL: ("30", ""),
    SOLIHULL: ("", ""), WALSALL: ("", "suppressed"), WOLVERHAMPTON: ("5", "estimate"),
    WMCA: ("999", ""),
}
# Earlier years: Birmingham skips 2022/23; Coventry stays at 20 ("No change"); Sandwell falls.
VALUES_2022 = {COVENTRY: "20", DUDLEY: "15", SANDWELL: "32.5", SOLIHULL: "12", WALSALL: "9",
               WOLVERHAMPTON: "-2.5", WMCA: "998"}
VALUES_2021 = {BIRMINGHAM: "8", COVENTRY: "18", DUDLEY: "14", SANDWELL: "31", SOLIHULL: "11",
               WALSALL: "8", WOLVERHAMPTON: "4", WMCA: "997"}

INJECTED = {
    "higher": {"name": '=HYPERLINK("http://x.example","click")', "unit": "+1",
               "theme": 'Theme, with "quotes"', "description": "line one\nline two, with a comma"},
    "lower": {"name": "-2+3", "unit": "@SUM(A1:A2)", "theme": 'Theme, with "quotes"',
              "description": "=1+1"},
    "neutral": {"name": "<script>alert('x')</script> & <b>bold</b>\nsecond line", "unit": "\tcount",
                "theme": "<i>Other</i>", "description": "@cmd"},
}
INDICATOR_IDS = {"higher": "fx_higher", "lower": "fx_lower", "neutral": "fx_neutral"}


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def indicators_csv() -> str:
    """indicators.csv: the same indicator three times, one per polarity, with hostile text."""
    return _csv([
        {"indicator_id": INDICATOR_IDS[p], "name": t["name"], "theme": t["theme"], "unit": t["unit"],
         "polarity": p, "description": t["description"], "source": "Peer test fixture",
         "decimals": "1"}
        for p, t in INJECTED.items()
    ])


def values_csv() -> str:
    """values.csv: every indicator gets the same values in 2021/22, 2022/23 and 2023/24."""
    rows = []
    for indicator in INDICATOR_IDS.values():
        for code, (value, status) in VALUES_2023.items():
            rows.append({"authority_code": code, "indicator_id": indicator, "period": PERIOD,
                         "value": value, "status": status})
        for period, values in (("2022/23", VALUES_2022), ("2021/22", VALUES_2021)):
            for code, value in values.items():
                rows.append({"authority_code": code, "indicator_id": indicator, "period": period,
                             "value": value, "status": ""})
    return _csv(rows)


def build(folder: Path, live: Path, reference_dir: Path) -> Path:
    """Write the source under ``folder`` and publish it as a warehouse at ``live``."""
    source = folder / SOURCE_NAME
    source.mkdir(parents=True, exist_ok=True)
    (source / "indicators.csv").write_text(indicators_csv(), encoding="utf-8")
    (source / "values.csv").write_text(values_csv(), encoding="utf-8")
    result = load_sources([Source.of(source, SOURCE_NAME)], live, reference_dir=reference_dir)
    assert result.ok, result.problems
    return live
