"""A warehouse with more indicators than any page's limit (``dashboard/common/limits.py``).

:data:`INDICATORS` indicators in :data:`THEMES` themes (every third one neutral), each with a
value for the six West Midlands metropolitan districts in two periods: few values, many
indicators, the shape that once made pages list and read every indicator. Names sort in id
order within a theme (``Indicator 00042``), so "the first N in theme order" is predictable.
"""

from __future__ import annotations

from pathlib import Path

from etl.load import Source, load_sources

SOURCE_NAME = "many-indicators"
INDICATORS = 900  # above every limit: menus 200, profile page 100, finder 200 (600 rankable), definitions 200
THEMES = 3
COUNCILS = ["E08000025", "E08000026", "E08000027", "E08000028", "E08000029", "E08000030"]
PERIODS = ["2022/23", "2023/24"]
POLARITIES = ("higher", "lower", "neutral")


def indicator_id(i: int) -> str:
    """The id of indicator ``i``."""
    return f"many_{i:05d}"


def theme_of(i: int) -> str:
    """The theme of indicator ``i``: blocks of consecutive indicators share a theme."""
    return f"Theme {i * THEMES // INDICATORS + 1}"


def in_theme_order() -> list[str]:
    """Every indicator id in the order menus and pages list them (theme, then name)."""
    return [indicator_id(i) for i in range(INDICATORS)]


def rankable_in_theme_order() -> list[str]:
    """The ids of the indicators where higher or lower is better, in theme order."""
    return [indicator_id(i) for i in range(INDICATORS) if POLARITIES[i % 3] != "neutral"]


def indicators_csv() -> str:
    """The definitions file."""
    lines = ["indicator_id,name,theme,unit,polarity,description,source,min_value,max_value"]
    for i in range(INDICATORS):
        lines.append(
            f"{indicator_id(i)},Indicator {i:05d},{theme_of(i)},%,{POLARITIES[i % 3]},"
            f"Test indicator {i},Synthetic (tests),0,100"
        )
    return "\n".join(lines) + "\n"


def values_csv() -> str:
    """The values file: every council, indicator and period; values spread by a fixed rule."""
    lines = ["authority_code,indicator_id,period,value"]
    for i in range(INDICATORS):
        for n, council in enumerate(COUNCILS):
            for p, period in enumerate(PERIODS):
                lines.append(f"{council},{indicator_id(i)},{period},{(i * 7 + n * 13 + p * 5) % 100}")
    return "\n".join(lines) + "\n"


def build(folder: Path, live: Path, reference_dir: Path) -> Path:
    """Write the source under ``folder`` and publish it as a warehouse at ``live``."""
    source = folder / SOURCE_NAME
    source.mkdir(parents=True, exist_ok=True)
    (source / "indicators.csv").write_text(indicators_csv(), encoding="utf-8")
    (source / "values.csv").write_text(values_csv(), encoding="utf-8")
    result = load_sources([Source.of(source, SOURCE_NAME, synthetic=True)], live, reference_dir=reference_dir)
    assert result.ok, result.problems
    return live
