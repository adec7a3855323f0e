"""A hand-made source whose publisher reports councils outside their life, as real releases do.

- Allerdale (a Cumbrian district abolished on 1 April 2023) is reported for 2023/24, after its
  abolition, with the best value of its peer group (so every other council's rank moves by one
  if it is left out); it also has an ordinary value for 2022/23, when it existed.
- Cumberland (the unitary that replaced it from 1 April 2023) is restated for 2022/23, before
  it existed, beside the other North West unitaries.
- The twelve Lancashire districts report both years. The other five Cumbrian districts report
  nothing after 2022/23, so they are no councils of 2023/24.

The existence rule says the comparison is among the councils the publisher compared: Allerdale
is a member of the North West districts' group in 2023/24, Cumberland of the North West
unitaries' in 2022/23.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from etl.load import Source, load_sources

SOURCE_NAME = "reportedfixture"
INDICATOR = "fx_score"
PERIODS = ("2022/23", "2023/24")
ALLERDALE, CUMBERLAND, BURNLEY = "E07000026", "E06000063", "E07000117"
LANCASHIRE_DISTRICTS = [f"E07000{n}" for n in range(117, 129)]  # Burnley .. Wyre
OTHER_CUMBRIAN_DISTRICTS = ["E07000027", "E07000028", "E07000029", "E07000030", "E07000031"]
NORTH_WEST_UNITARIES = ["E06000006", "E06000007", "E06000008", "E06000009", "E06000049", "E06000050"]
DISTRICT_TYPE, REGION = "Non-metropolitan district", "North West"


def values() -> list[dict[str, str]]:
    """Every values.csv row: (authority_code, period) -> value, spelled out."""
    rows = []
    for period_index, period in enumerate(PERIODS):
        for i, code in enumerate(LANCASHIRE_DISTRICTS):
            rows.append((code, period, 10 + i + period_index))
        rows.append((ALLERDALE, period, 50 + period_index))  # 2023/24: reported after abolition
        if period == "2022/23":
            rows += [(code, period, 5 + i) for i, code in enumerate(OTHER_CUMBRIAN_DISTRICTS)]
            rows += [(code, period, 20 + i) for i, code in enumerate(NORTH_WEST_UNITARIES)]
            rows.append((CUMBERLAND, period, 40))  # restated before it existed
    return [{"authority_code": c, "indicator_id": INDICATOR, "period": p, "value": str(v)} for c, p, v in rows]


def _csv(rows: list[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def build(folder: Path, live: Path, reference_dir: Path) -> Path:
    """Write the source under ``folder`` and publish it as a warehouse at ``live``."""
    source = folder / SOURCE_NAME
    source.mkdir(parents=True, exist_ok=True)
    indicators = [{
        "indicator_id": INDICATOR, "name": "Fixture score", "theme": "Fixture", "unit": "points",
        "polarity": "higher", "description": "A score reported by a publisher on its own geography",
        "source": "Reported fixture", "decimals": "1",
    }]
    (source / "indicators.csv").write_text(_csv(indicators), encoding="utf-8")
    (source / "values.csv").write_text(_csv(values()), encoding="utf-8")
    result = load_sources([Source.of(source, SOURCE_NAME)], live, reference_dir=reference_dir)
    assert result.ok, result.problems
    return live
