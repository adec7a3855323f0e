"""Reference facts about UK local authorities, built from the published register.

Source: mySociety "UK Local Authority Names and Codes" and "Composite UK IMD" (MIT licence),
read from ``../shared/data`` (or ``$EXEMPLAR_REFERENCE_DIR``). The project keeps its own
tables in the warehouse's ``ref`` schema; it never copies the source files.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from etl import settings

__all__ = [
    "REFERENCE_ENV_VAR",
    "default_reference_dir",
    "read_authorities",
    "read_authority_names",
    "read_authority_codes",
    "REFERENCE_SOURCES",
]

REFERENCE_ENV_VAR = settings.REFERENCE_DIR.name
REGISTER_FILE = Path("uk-authorities") / "uk_local_authorities.csv"
NAMES_FILE = Path("uk-authorities") / "lookup_name_to_registry.csv"
GSS_FILE = Path("uk-authorities") / "lookup_gss_to_registry.csv"
DEPRIVATION_FILE = Path("uk-deprivation") / "la_deprivation.csv"

# Bodies that are not councils: never mixed into council peer groups.
NON_COUNCIL_TYPES = frozenset({"Combined authority", "Strategic Regional Authority"})

# The register's `powers` column, mapped to the tier the product compares within.
TIER_BY_POWERS = {
    "lower tier": "district",
    "upper tier": "county",
    "unitary": "unitary",
    "ni district": "district",
    "combined": "combined",
}

REFERENCE_SOURCES = [
    {
        "name": "uk-authorities",
        "publisher": "mySociety, UK Local Authority Names and Codes",
        "licence": "MIT",
        "snapshot": "2025-07-10",
        "files": "uk_local_authorities.csv, lookup_gss_to_registry.csv, lookup_name_to_registry.csv",
    },
    {
        "name": "uk-deprivation",
        "publisher": "mySociety, Composite UK Index of Multiple Deprivation",
        "licence": "MIT",
        "snapshot": "2025-06-25",
        "files": "la_deprivation.csv",
    },
]


def default_reference_dir() -> Path:
    """``$EXEMPLAR_REFERENCE_DIR``, else the ``shared/data`` folder beside the project."""
    override = settings.reference_dir()
    if override:
        return override
    root = Path(__file__).resolve().parent.parent
    for candidate in (root.parent / "shared" / "data", root / ".." / "shared" / "data"):
        if (candidate / REGISTER_FILE).exists():
            return candidate.resolve()
    return (root.parent / "shared" / "data").resolve()


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(
            f"reference file {path} is missing: set {REFERENCE_ENV_VAR} to the folder holding "
            "uk-authorities/ and uk-deprivation/"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _split_codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _date_or_none(text: str) -> Any:
    return pd.Timestamp(text).date() if text else None


def _float_or_none(text: str) -> float | None:
    return float(text) if text not in ("", "nan") else None


def read_authorities(reference_dir: Path | None = None) -> pd.DataFrame:
    """Every authority in the register, one row each, with the columns of ``ref.authorities``.

    ``authority_code`` is the GSS code, or the register code for the pre-2015 Northern Irish
    districts that never had one. Ended authorities stay, with ``end_date`` and successors.

    Raises:
        FileNotFoundError: the register files are not in ``reference_dir``.
    """
    base = reference_dir or default_reference_dir()
    register = _read_csv(base / REGISTER_FILE)
    deprivation = _read_csv(base / DEPRIVATION_FILE).set_index("local-authority-code")

    key_of = {
        row["local-authority-code"]: (row["gss-code"] or row["local-authority-code"]) for _, row in register.iterrows()
    }
    region_of = dict(zip(register["local-authority-code"], register["region"], strict=True))

    rows = []
    for _, row in register.iterrows():
        code = row["local-authority-code"]
        successors = [key_of.get(c, c) for c in _split_codes(row["replaced-by"])]
        population = _float_or_none(row["pop-2020"])
        area = _float_or_none(row["area"])
        dep = deprivation.loc[code] if code in deprivation.index else None
        rows.append(
            {
                "authority_code": key_of[code],
                "gss_code": row["gss-code"] or None,
                "register_code": code,
                "official_name": row["official-name"],
                "short_name": row["nice-name"] or row["official-name"],
                "nation": row["nation"],
                "region": _region(row, region_of),
                "authority_type": row["local-authority-type-name"],
                "authority_type_code": row["local-authority-type"],
                "tier": TIER_BY_POWERS.get(row["powers"], "other"),
                "is_council": row["local-authority-type-name"] not in NON_COUNCIL_TYPES,
                "parent_county_code": key_of.get(row["county-la"]) if row["county-la"] else None,
                "combined_authority_code": (
                    key_of.get(row["combined-authority"]) if row["combined-authority"] else None
                ),
                "population": int(population) if population is not None else None,
                "area_km2": area,
                "density_per_km2": (population / area) if population and area else None,
                "lat": _float_or_none(row["lat"]),
                "lon": _float_or_none(row["long"]),
                "start_date": _date_or_none(row["start-date"]),
                "end_date": _date_or_none(row["end-date"]),
                "is_current": row["current-authority"] == "True",
                "successor_codes": successors,
                "former_gss_codes": _split_codes(row["former-gss-codes"]),
                "deprivation_score": (float(dep["la-deprivation-score"]) if dep is not None else None),
                "deprivation_quintile": int(dep["la-imd-pop-quintile"]) if dep is not None else None,
                "deprivation_decile": int(dep["la-imd-pop-decile"]) if dep is not None else None,
            }
        )
    frame = pd.DataFrame(rows)
    for column in ("population", "deprivation_quintile", "deprivation_decile"):
        frame[column] = frame[column].astype("Int64")
    return frame.sort_values("authority_code", kind="stable").reset_index(drop=True)


def _region(row: pd.Series, region_of: dict[str, str]) -> str:
    """The register leaves some abolished councils' region empty: take their successor's."""
    if row["region"]:
        return str(row["region"])
    for successor in _split_codes(row["replaced-by"]):
        if region_of.get(successor):
            return region_of[successor]
    return str(row["nation"])


def read_authority_names(reference_dir: Path | None = None) -> pd.DataFrame:
    """Every known spelling of every authority's name: columns ``name``, ``authority_code``."""
    base = reference_dir or default_reference_dir()
    authorities = read_authorities(base)
    key_of = dict(zip(authorities["register_code"], authorities["authority_code"], strict=True))
    lookup = _read_csv(base / NAMES_FILE)
    names = pd.DataFrame(
        {
            "name": pd.concat([lookup["la-name"], authorities["official_name"], authorities["short_name"]]),
            "authority_code": pd.concat(
                [
                    lookup["local-authority-code"].map(key_of),
                    authorities["authority_code"],
                    authorities["authority_code"],
                ]
            ),
        }
    )
    names = names.dropna().drop_duplicates()
    return names.sort_values(["authority_code", "name"]).reset_index(drop=True)


def read_authority_codes(reference_dir: Path | None = None) -> pd.DataFrame:
    """Every code an input file may use for an authority.

    Columns ``code``, ``code_kind`` (gss | former_gss | register) and ``authority_code``.
    """
    base = reference_dir or default_reference_dir()
    authorities = read_authorities(base)
    key_of = dict(zip(authorities["register_code"], authorities["authority_code"], strict=True))
    current_gss = set(authorities["gss_code"].dropna())
    lookup = _read_csv(base / GSS_FILE)
    frames = [
        pd.DataFrame(
            {
                "code": authorities["register_code"],
                "code_kind": "register",
                "authority_code": authorities["authority_code"],
            }
        ),
        pd.DataFrame(
            {
                "code": lookup["gss-code"],
                "code_kind": ["gss" if c in current_gss else "former_gss" for c in lookup["gss-code"]],
                "authority_code": lookup["local-authority-code"].map(key_of),
            }
        ),
    ]
    codes = pd.concat(frames).dropna()
    codes = codes[codes["code"].str.strip() != ""].drop_duplicates(subset=["code", "authority_code"])
    return codes.sort_values(["code"]).reset_index(drop=True)
