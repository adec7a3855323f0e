"""Reference facts about UK local authorities, built from the published register.

Sources: mySociety "UK Local Authority Names and Codes" and "Composite UK IMD" (MIT licence),
and ONS's council boundaries (Open Government Licence v3.0), vendored in the repository's
``data/reference/`` (``$EXEMPLAR_REFERENCE_DIR`` overrides it) and rebuilt from the originals by
``python -m etl refresh-reference`` (see ``data/README.md``). The warehouse's ``ref`` schema is
built from them, with our corrections of the register applied (``data/corrections/``, one reason
per row: start dates that are only when the register's record began, codes publishers use that
the register lacks); :func:`boundaries` serves the council shapes to maps.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
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
    "read_boundary_centroids",
    "boundaries",
    "existed_on",
    "BOUNDARY_DETAILS",
    "REFERENCE_SOURCES",
    "CORRECTIONS_FILE",
    "Correction",
    "read_corrections",
    "stale_corrections",
]

REFERENCE_ENV_VAR = settings.REFERENCE_DIR.name
REGISTER_FILE = Path("uk-authorities") / "uk_local_authorities.csv"
NAMES_FILE = Path("uk-authorities") / "lookup_name_to_registry.csv"
GSS_FILE = Path("uk-authorities") / "lookup_gss_to_registry.csv"
DEPRIVATION_FILE = Path("uk-deprivation") / "la_deprivation.csv"
CENTROIDS_FILE = Path("uk-boundaries") / "centroids.csv"
# Two levels of detail (see data/README.md): coarse for UK- or nation-wide maps, fine for a
# region or a few councils.
BOUNDARY_DETAILS = ("coarse", "fine")
BOUNDARY_FILES = {detail: Path("uk-boundaries") / f"councils-{detail}.geojson" for detail in BOUNDARY_DETAILS}
# Every file the ref tables are built from: a change to any of them rebuilds the tables.
REFERENCE_FILES = (REGISTER_FILE, NAMES_FILE, GSS_FILE, DEPRIVATION_FILE, CENTROIDS_FILE)

# Our corrections of the register, each with its reason (data/README.md, "corrections/"). They
# live with the project, not the reference folder, so they apply to any copy of the register.
CORRECTIONS_FILE = settings.PROJECT_ROOT / "data" / "corrections" / "uk-authorities.csv"
CORRECTION_COLUMNS = ("local-authority-code", "field", "register_value", "corrected_value", "reason")
START_DATE, ALTERNATIVE_GSS = "start-date", "alternative-gss-code"
CORRECTION_FIELDS = (START_DATE, ALTERNATIVE_GSS)

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
    {
        "name": "uk-boundaries",
        "publisher": "Office for National Statistics, Explore Local Statistics (council boundaries)",
        "licence": "Open Government Licence v3.0; contains OS data © Crown copyright and database right",
        "snapshot": "2026-06",
        "files": "councils-coarse.geojson, councils-fine.geojson, centroids.csv (from uk-2025.topo.json)",
    },
]


def default_reference_dir() -> Path:
    """``$EXEMPLAR_REFERENCE_DIR``, else the repository's own ``data/reference`` folder."""
    return settings.reference_dir() or settings.PROJECT_ROOT / "data" / "reference"


@dataclass(frozen=True)
class Correction:
    """One correction of the register: ``field`` of council ``register_code`` becomes
    ``corrected_value`` (an empty start date: the council existed before the register began;
    an alternative GSS code: another code publishers use for it), while the register still says
    ``register_value``. ``row`` is the line in the corrections file (header = 1)."""

    register_code: str
    field: str
    register_value: str
    corrected_value: str
    reason: str
    row: int


def read_corrections(path: Path = CORRECTIONS_FILE) -> tuple[Correction, ...]:
    """The corrections in ``path`` (none when the file is absent).

    Raises:
        ValueError: a column is missing, or a row names an unknown field or gives no reason
            (the message names the file, row and column).
    """
    if not path.exists():
        return ()
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    missing = [c for c in CORRECTION_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"{path.name}: missing column {', '.join(missing)}")
    found = []
    for number, row in enumerate(frame.to_dict("records"), 2):
        if row["field"] not in CORRECTION_FIELDS:
            raise ValueError(
                f"{path.name}, row {number}, column field: {row['field']!r} is not one of {', '.join(CORRECTION_FIELDS)}"
            )
        if not row["reason"].strip():
            raise ValueError(f"{path.name}, row {number}, column reason: every correction needs its reason")
        if row["field"] == ALTERNATIVE_GSS and not row["corrected_value"].strip():
            raise ValueError(f"{path.name}, row {number}, column corrected_value: give the alternative GSS code")
        found.append(
            Correction(
                row["local-authority-code"].strip(),
                row["field"],
                row["register_value"].strip(),
                row["corrected_value"].strip(),
                row["reason"].strip(),
                number,
            )
        )
    return tuple(found)


def _applies(correction: Correction, register: pd.DataFrame) -> bool:
    """Whether the register still holds what the correction corrects (a refreshed register that
    already says something else is left alone: the correction is stale)."""
    rows = register[register["local-authority-code"] == correction.register_code]
    if rows.empty:
        return False
    if correction.field == START_DATE:
        return bool(rows.iloc[0]["start-date"] == correction.register_value)
    return True


def _corrected(register: pd.DataFrame, corrections: Iterable[Correction]) -> pd.DataFrame:
    """The register with its start-date corrections applied."""
    fixed = register.copy()
    for correction in corrections:
        if correction.field == START_DATE and _applies(correction, register):
            fixed.loc[fixed["local-authority-code"] == correction.register_code, "start-date"] = (
                correction.corrected_value
            )
    return fixed


def stale_corrections(
    reference_dir: Path | None = None, corrections: Iterable[Correction] | None = None
) -> list[Correction]:
    """Corrections the register in ``reference_dir`` no longer needs or cannot take: the council
    is not in it, or its start date is no longer the one corrected. Empty for the vendored register."""
    register = _read_csv((reference_dir or default_reference_dir()) / REGISTER_FILE)
    chosen = read_corrections() if corrections is None else corrections
    return [c for c in chosen if not _applies(c, register)]


def _read_csv(path: Path) -> pd.DataFrame:
    if not path.exists():
        raise FileNotFoundError(
            f"reference file {path} is missing: set {REFERENCE_ENV_VAR} to the folder holding "
            "uk-authorities/ and uk-deprivation/ (the repository's data/reference by default)"
        )
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")


def _split_codes(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _date_or_none(text: str) -> Any:
    return pd.Timestamp(text).date() if text else None


def _float_or_none(text: str) -> float | None:
    return float(text) if text not in ("", "nan") else None


def read_authorities(reference_dir: Path | None = None, *, boundary_centroids: bool = True) -> pd.DataFrame:
    """Every authority in the register, one row each, with the columns of ``ref.authorities``.

    ``authority_code`` is the GSS code, or the register code for the pre-2015 Northern Irish
    districts that never had one. Ended authorities stay, with ``end_date`` and successors.
    ``lat``/``lon`` are the centroid of the council's boundary where one exists (the register's
    are sometimes far off: it puts Lancashire in the East Midlands), else the register's;
    ``boundary_centroids=False`` keeps the register's everywhere.

    Raises:
        FileNotFoundError: the register files are not in ``reference_dir``.
    """
    base = reference_dir or default_reference_dir()
    register = _corrected(_read_csv(base / REGISTER_FILE), read_corrections())
    centroids = read_boundary_centroids(base) if boundary_centroids else {}
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
                **_centroid(centroids.get(key_of[code]), row),
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


def _centroid(boundary: tuple[float, float] | None, row: pd.Series) -> dict[str, float | None]:
    if boundary is not None:
        return {"lat": boundary[0], "lon": boundary[1]}
    return {"lat": _float_or_none(row["lat"]), "lon": _float_or_none(row["long"])}


def read_boundary_centroids(reference_dir: Path | None = None) -> dict[str, tuple[float, float]]:
    """authority_code -> (lat, lon) of the council's boundary centroid (``uk-boundaries/centroids.csv``).

    Empty when the folder has no boundaries (e.g. ``$EXEMPLAR_REFERENCE_DIR`` pointing at the
    originals): the register's own centroids are then used.
    """
    path = (reference_dir or default_reference_dir()) / CENTROIDS_FILE
    if not path.exists():
        return {}
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["authority_code"]: (float(row["lat"]), float(row["lon"])) for row in csv.DictReader(handle)}


def boundaries(
    period_start: date | None = None,
    *,
    codes: Iterable[str] | None = None,
    detail: str = "coarse",
    reference_dir: Path | None = None,
) -> dict[str, Any]:
    """Council boundaries as a GeoJSON FeatureCollection for a plotly choropleth.

    Each feature's ``id`` is the council's ``authority_code`` (as in ``ref.authorities``) and
    its ``properties`` hold ``name``; rings are wound as plotly's ``geo`` maps expect. Use it as
    ``px.choropleth(frame, geojson=..., locations="authority_code")`` (``featureidkey`` "id").

    Args:
        period_start: the councils that existed on this day by the register's life dates
            (``start_date <= day < end_date``); ``None``: the current councils.
        codes: instead of a day, exactly these councils (e.g. those ``councils_in(p)`` gives,
            which adds councils the data reports outside their life); codes without a boundary
            (the Northern Irish districts abolished in 2015) are left out.
        detail: ``"coarse"`` (simplified; about 0.5 MB for every current lower-tier council) for
            UK- or nation-wide maps, ``"fine"`` (as published) for a region or a few councils.
        reference_dir: the reference folder (default :func:`default_reference_dir`).

    Every call returns new objects: callers may change them.

    Raises:
        ValueError: ``detail`` is not one of ``BOUNDARY_DETAILS``.
        FileNotFoundError: the boundary files are not in the reference folder.
    """
    if detail not in BOUNDARY_DETAILS:
        raise ValueError(f"detail must be one of {', '.join(BOUNDARY_DETAILS)}, not {detail!r}")
    base = reference_dir or default_reference_dir()
    path = base / BOUNDARY_FILES[detail]
    if not path.exists():
        raise FileNotFoundError(
            f"boundary file {path} is missing: rebuild it with `python -m etl refresh-reference` "
            f"or set {REFERENCE_ENV_VAR} to a folder holding uk-boundaries/"
        )
    wanted = set(codes) if codes is not None else _councils_on(base, period_start)
    features = _feature_texts(path, path.stat().st_mtime_ns)
    chosen = [text for code, text in features.items() if code in wanted]
    return {"type": "FeatureCollection", "features": json.loads("[" + ",".join(chosen) + "]")}


@functools.lru_cache(maxsize=4)
def _feature_texts(path: Path, stamp: int) -> dict[str, str]:
    """Each feature's JSON text by id, parsed once per file version: a call decodes only the
    features it returns, and every caller gets objects of its own."""
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {f["id"]: json.dumps(f, separators=(",", ":"), ensure_ascii=False) for f in collection["features"]}


def _councils_on(base: Path, day: date | None) -> set[str]:
    """authority_codes of the councils that existed on ``day`` (``None``: the current ones)."""
    lives = _council_lives(base, (base / REGISTER_FILE).stat().st_mtime_ns)
    if day is None:
        return {code for code, _, _, current in lives if current}
    return {code for code, start, end, _ in lives if existed_on(start, end, day)}


@functools.lru_cache(maxsize=4)  # a map redraw must not re-read the register
def _council_lives(base: Path, stamp: int) -> tuple[tuple[str, date | None, date | None, bool], ...]:
    """(authority_code, start_date, end_date, is_current) of every council in the register."""
    authorities = read_authorities(base, boundary_centroids=False)
    councils = authorities[authorities["is_council"]]
    columns = ("authority_code", "start_date", "end_date", "is_current")
    return tuple(zip(*(councils[c].tolist() for c in columns), strict=True))


def existed_on(start: date | None, end: date | None, day: date) -> bool:
    """The register's life rule for one day: ``start_date <= day < end_date`` (no date: no limit)."""
    return (start is None or start <= day) and (end is None or end > day)


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
    Alternative GSS codes from the corrections (a code publishers use that the register lacks)
    are ``gss`` codes of their council.
    """
    base = reference_dir or default_reference_dir()
    authorities = read_authorities(base)
    key_of = dict(zip(authorities["register_code"], authorities["authority_code"], strict=True))
    current_gss = set(authorities["gss_code"].dropna())
    lookup = _read_csv(base / GSS_FILE)
    alternatives = [c for c in read_corrections() if c.field == ALTERNATIVE_GSS and c.register_code in key_of]
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
        pd.DataFrame(
            {
                "code": [c.corrected_value for c in alternatives],
                "code_kind": "gss",
                "authority_code": [key_of[c.register_code] for c in alternatives],
            },
            dtype=object,
        ),
    ]
    codes = pd.concat(frames).dropna()
    codes = codes[codes["code"].str.strip() != ""].drop_duplicates(subset=["code", "authority_code"])
    return codes.sort_values(["code"]).reset_index(drop=True)
