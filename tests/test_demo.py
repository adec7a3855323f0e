"""The synthetic demo source: deterministic, contract-shaped, and faithful to the register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from etl.demo import DEMO_SEED, DEMO_SOURCE_NAME, write_demo_source
from etl.periods import parse_period
from etl.reference import read_authorities

FILES = ("indicators.csv", "values.csv", "questions.csv", "responses.csv")

# Column lists copied from docs/data-contract.md, so a drift in either shows up here.
CONTRACT_COLUMNS = {
    "indicators.csv": ["indicator_id", "name", "theme", "unit", "polarity", "description",
                       "source", "min_value", "max_value", "aggregation", "decimals"],
    "values.csv": ["authority_code", "indicator_id", "period", "value", "status"],
    "questions.csv": ["question_id", "theme", "role", "text",
                      "level_1", "level_2", "level_3", "level_4", "level_5"],
    "responses.csv": ["authority_code", "round", "question_id", "score", "published"],
}


@pytest.fixture(scope="module")
def authorities() -> pd.DataFrame:
    return read_authorities()


@pytest.fixture(scope="module")
def demo_dir(authorities: pd.DataFrame, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_demo_source(tmp_path_factory.mktemp("demo"), authorities)


def _read(folder: Path, name: str) -> pd.DataFrame:
    """Every cell as text, empty cells as ``""``: exactly what the loader will see."""
    return pd.read_csv(folder / name, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def indicators(demo_dir: Path) -> pd.DataFrame:
    return _read(demo_dir, "indicators.csv")


@pytest.fixture(scope="module")
def values(demo_dir: Path) -> pd.DataFrame:
    return _read(demo_dir, "values.csv")


@pytest.fixture(scope="module")
def questions(demo_dir: Path) -> pd.DataFrame:
    return _read(demo_dir, "questions.csv")


@pytest.fixture(scope="module")
def responses(demo_dir: Path) -> pd.DataFrame:
    return _read(demo_dir, "responses.csv")


def _code(authorities: pd.DataFrame, register_code: str) -> str:
    return authorities.loc[authorities["register_code"] == register_code,
                           "authority_code"].item()


def test_source_name_and_return_value(demo_dir: Path) -> None:
    assert DEMO_SOURCE_NAME == "demo"
    assert sorted(p.name for p in demo_dir.iterdir()) == sorted(FILES)


def test_same_seed_gives_byte_identical_files(
    authorities: pd.DataFrame, demo_dir: Path, tmp_path: Path
) -> None:
    # Shuffled input rows must not matter either: the generator sorts by code.
    shuffled = authorities.sample(frac=1, random_state=1)
    again = write_demo_source(tmp_path / "again", shuffled, seed=DEMO_SEED)
    for name in FILES:
        assert (again / name).read_bytes() == (demo_dir / name).read_bytes(), name


def test_different_seed_gives_different_data(
    authorities: pd.DataFrame, demo_dir: Path, tmp_path: Path
) -> None:
    other = write_demo_source(tmp_path / "other", authorities, seed=DEMO_SEED + 1)
    assert (other / "values.csv").read_bytes() != (demo_dir / "values.csv").read_bytes()
    assert (other / "responses.csv").read_bytes() != (demo_dir / "responses.csv").read_bytes()
    # The framework and metadata are fixed text, not random.
    assert (other / "indicators.csv").read_bytes() == (demo_dir / "indicators.csv").read_bytes()


def test_columns_are_exactly_the_contract(demo_dir: Path) -> None:
    for name, columns in CONTRACT_COLUMNS.items():
        assert list(_read(demo_dir, name).columns) == columns, name
        raw = (demo_dir / name).read_bytes()
        assert b"\r\n" not in raw and not raw.startswith(b"\xef\xbb\xbf")
        raw.decode("utf-8")


def test_indicator_catalogue(indicators: pd.DataFrame) -> None:
    assert len(indicators) >= 22
    assert indicators["indicator_id"].is_unique
    assert indicators["theme"].nunique() >= 5
    assert set(indicators["polarity"]) == {"higher", "lower", "neutral"}
    assert (indicators["polarity"] == "neutral").sum() >= 2
    assert indicators["unit"].nunique() >= 4
    assert {"%", "£", "days", "count", "score"} <= set(indicators["unit"])
    assert set(indicators["aggregation"]) == {"sum", "mean"}
    assert indicators["decimals"].astype(int).between(0, 6).all()
    assert indicators["source"].str.contains("synthetic", case=False).all()
    assert (indicators["name"].str.len() > 0).all()
    assert (indicators["description"].str.len() > 30).all()
    pct = indicators[indicators["unit"] == "%"]
    assert (pct["min_value"] == "0").all() and (pct["max_value"] == "100").all()
    money_totals = indicators[(indicators["unit"].isin(["£", "count"]))
                              & (indicators["aggregation"] == "sum")]
    assert len(money_totals) >= 2


def test_periods_are_twelve_financial_years(values: pd.DataFrame) -> None:
    periods = sorted(values["period"].unique())
    assert len(periods) >= 12
    assert periods[0] == "2013/14" and "2024/25" in periods
    assert all(parse_period(p).kind == "financial_year" and parse_period(p).label == p
               for p in periods)


def test_one_row_per_authority_indicator_period(values: pd.DataFrame,
                                                indicators: pd.DataFrame) -> None:
    assert not values.duplicated(["authority_code", "indicator_id", "period"]).any()
    assert set(values["indicator_id"]) <= set(indicators["indicator_id"])


def test_values_only_for_councils(values: pd.DataFrame, authorities: pd.DataFrame) -> None:
    councils = set(authorities.loc[authorities["is_council"], "authority_code"])
    non_councils = set(authorities.loc[~authorities["is_council"], "authority_code"])
    assert non_councils, "the register should list combined authorities"
    assert set(values["authority_code"]) <= councils
    assert not set(values["authority_code"]) & non_councils


def _alive(authorities: pd.DataFrame, when: dt.date) -> pd.Series:
    """The contract's rule: started on or before ``when`` (or no start) and not yet ended."""
    t = pd.Timestamp(when)
    start = pd.to_datetime(authorities["start_date"])
    end = pd.to_datetime(authorities["end_date"])
    return (start.isna() | (start <= t)) & (end.isna() | (end > t))


def test_values_only_within_each_council_lifetime(values: pd.DataFrame,
                                                  authorities: pd.DataFrame) -> None:
    pairs = values[["authority_code", "period"]].drop_duplicates()
    for period, group in pairs.groupby("period"):
        alive = authorities.loc[_alive(authorities, parse_period(str(period)).start),
                                "authority_code"]
        outside = set(group["authority_code"]) - set(alive)
        assert not outside, (period, sorted(outside))


def test_cumbria_reorganisation_shows(values: pd.DataFrame, authorities: pd.DataFrame) -> None:
    allerdale = values[values["authority_code"] == _code(authorities, "ALL")]
    cumberland = values[values["authority_code"] == _code(authorities, "CBD")]
    assert "2022/23" in set(allerdale["period"])
    assert "2023/24" not in set(allerdale["period"])
    assert set(cumberland["period"]) == {"2023/24", "2024/25"}


def test_every_existing_council_has_data(values: pd.DataFrame,
                                         authorities: pd.DataFrame) -> None:
    """The generator must not silently drop councils: every council alive in 2024/25 has rows."""
    alive = authorities[authorities["is_council"] & _alive(authorities, dt.date(2024, 4, 1))]
    latest = set(values.loc[values["period"] == "2024/25", "authority_code"])
    assert set(alive["authority_code"]) == latest


def test_missing_and_suppressed(values: pd.DataFrame) -> None:
    empty = values["value"] == ""
    missing = empty & (values["status"] == "")
    assert 0.01 <= missing.mean() <= 0.06
    suppressed = values["status"] == "suppressed"
    assert suppressed.any()
    assert (values.loc[suppressed, "value"] == "").all()
    assert set(values.loc[empty, "status"]) <= {"", "suppressed"}
    with_value = values.loc[~empty, "status"]
    assert {"estimate", "provisional"} <= set(with_value)
    allowed = {"", "suppressed", "estimate", "provisional", "missing", "revised"}
    assert set(values["status"]) <= allowed


def test_values_are_numbers_within_range(values: pd.DataFrame,
                                         indicators: pd.DataFrame) -> None:
    filled = values[values["value"] != ""].merge(indicators, on="indicator_id")
    number = pd.to_numeric(filled["value"])  # raises if any value is not a number
    pct = filled["unit"] == "%"
    assert number[pct].between(0, 100).all()
    bounded = filled["min_value"] != ""
    assert (number[bounded] >= filled.loc[bounded, "min_value"].astype(float)).all()
    assert (number[bounded] <= filled.loc[bounded, "max_value"].astype(float)).all()
    # Decimals as declared: text after the point has exactly that many digits.
    digits = filled["value"].str.partition(".")[2].str.len()
    assert (digits == filled["decimals"].astype(int)).all()
    assert not filled["value"].str.startswith("-0").any()


def test_count_and_money_totals_scale_with_population(values: pd.DataFrame,
                                                      authorities: pd.DataFrame) -> None:
    totals = values[(values["indicator_id"] == "efficiency_savings") & (values["value"] != "")]
    totals = totals.assign(value=pd.to_numeric(totals["value"])).merge(
        authorities[["authority_code", "population"]], on="authority_code")
    totals = totals.dropna(subset=["population"])
    corr = totals["value"].corr(totals["population"].astype(float))
    assert corr > 0.5


def test_question_framework(questions: pd.DataFrame) -> None:
    assert len(questions) >= 24
    assert questions["question_id"].is_unique
    assert questions["theme"].nunique() >= 5
    assert set(questions["role"]) == {"driver", "enabler"}
    assert questions["text"].str.endswith("?").all()
    levels = questions[[f"level_{i}" for i in range(1, 6)]]
    assert (levels != "").all().all()
    assert levels.apply(lambda row: row.nunique() == 5, axis=1).all()


def test_responses(responses: pd.DataFrame, questions: pd.DataFrame,
                   authorities: pd.DataFrame) -> None:
    rounds = sorted(responses["round"].unique())
    assert len(rounds) >= 3 and {"2022", "2023", "2024"} <= set(rounds)
    assert not responses.duplicated(["authority_code", "round", "question_id"]).any()
    assert set(responses["question_id"]) <= set(questions["question_id"])
    scores = responses["score"].astype(int)
    assert scores.between(1, 5).all() and scores.nunique() == 5
    assert set(responses["published"]) == {"true", "false"}
    assert 0.01 <= (responses["published"] == "false").mean() <= 0.12
    current = authorities[authorities["is_council"] & authorities["is_current"]]
    assert set(responses["authority_code"]) <= set(current["authority_code"])
    for _, group in responses.groupby("round"):
        share = group["authority_code"].nunique() / len(current)
        assert 0.5 <= share <= 0.9


def test_maturity_rises_and_tracks_outcomes(responses: pd.DataFrame,
                                            values: pd.DataFrame) -> None:
    scores = responses.assign(score=responses["score"].astype(int))
    by_round = scores.groupby("round")["score"].mean()
    assert by_round.is_monotonic_increasing
    maturity = scores.groupby("authority_code")["score"].mean()
    rows = values[(values["indicator_id"] == "online_transactions_pct")
                  & (values["period"] == "2024/25") & (values["value"] != "")]
    online = pd.to_numeric(rows.set_index("authority_code")["value"])
    joined = pd.concat([maturity, online], axis=1, join="inner")
    corr = float(joined.rank().corr().to_numpy()[0, 1])
    assert corr > 0.3


# sha256 of each file generated with DEMO_SEED from the register snapshot of 2025-07-10, measured
# before the catalogue moved out of etl/demo.py into etl/catalogue/. Moving code or data must not
# change a byte; a deliberate change to the model, the catalogue or the register updates these.
FINGERPRINT = {
    "indicators.csv": "86d08836450be502f2510702d26f65cdbe4761b050c6727c8e9128902a627c85",
    "questions.csv": "d49c28608df643cc0b336d56bac5456895fdd2fc65b8b79693abf8282d1e0778",
    "responses.csv": "5554c3bbc77d986c041b95cc3291218f29121f627fe597d783587355a4bf77f7",
    "values.csv": "af1229ffb404e70ce44fef39b459742c11382ad173a00eb3ff9fce915adba79b",
}


def test_generated_files_keep_their_fingerprint(demo_dir: Path):
    import hashlib

    found = {name: hashlib.sha256((demo_dir / name).read_bytes()).hexdigest() for name in FINGERPRINT}
    assert found == FINGERPRINT


def test_the_catalogue_is_data_read_from_etl_catalogue(tmp_path: Path):
    from etl import demo

    assert [s.indicator_id for s in demo.INDICATORS] == [
        s.indicator_id for s in demo.read_indicator_catalogue(demo.INDICATOR_CATALOGUE)
    ]
    assert (demo.CATALOGUE_DIR / "questions.csv").read_bytes() == (
        demo.demo_questions().to_csv(index=False, lineterminator="\n").encode("utf-8")
    )
    misspelt = tmp_path / "indicators.toml"
    misspelt.write_text('[[indicator]]\nindicator_id = "x"\ncentr = 1\n', encoding="utf-8")
    with pytest.raises(TypeError):
        demo.read_indicator_catalogue(misspelt)
