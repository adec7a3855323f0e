"""Statistical neighbours computed from contextual figures in the warehouse.

Method (also stored with the set, and shown in the app):

1. Councils: every current council (combined authorities excluded) with a value for every
   chosen variable; a council missing one is left out and listed.
2. Standardise each variable within the tier (county, district, unitary): z = (x - mean) / sd
   (population standard deviation; a variable that does not vary in a tier counts as 0).
3. Distance between two councils of the same tier: d = sqrt(sum_k w_k * (z_k,i - z_k,j)^2),
   weights w_k >= 0 (default 1 each).
4. Neighbours: the ``count`` (15) councils of the same tier with the smallest distance, the
   council itself excluded; ties are broken by authority code so the result is deterministic.
5. Similarity: 100 * (1 - d / d_max), where d_max is the largest distance between any two
   councils of that tier. 100 means identical on every variable; 0 means as far apart as the
   two most different councils of the tier. It compares neighbours of one tier, not across tiers.

Variables: ``population``, ``density`` (people per km²), ``deprivation`` (composite IMD
score), ``area`` (km²), and ``indicator:ID@PERIOD`` for any loaded indicator's values.
The set is loaded as source ``neighbours-<set id>`` through the usual validation and publish.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from etl.load import Source, load_sources
from etl.problems import Problem, format_problems
from etl.warehouse import WarehousePaths

__all__ = [
    "CONTEXT_VARIABLES",
    "NeighbourResult",
    "parse_variables",
    "nearest_neighbours",
    "context_frame",
    "compute_and_load",
    "write_neighbour_source",
    "source_name",
    "format_summary",
    "method_text",
]

DEFAULT_COUNT = 15  # CIPFA's model and LAIT both show about 15 nearest neighbours
# Reference columns a variable name stands for.
CONTEXT_VARIABLES = {
    "population": "population",
    "density": "density_per_km2",
    "deprivation": "deprivation_score",
    "area": "area_km2",
}
PEER_TIERS = ("county", "district", "unitary")  # combined authorities are never peers


@dataclass
class NeighbourResult:
    """What ``etl neighbours`` did: the members computed, who was left out, the load outcome."""

    set_id: str
    variables: list[str]
    weights: list[float]
    members: pd.DataFrame = field(default_factory=pd.DataFrame)
    left_out: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outcome: str = "failed"
    version: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the set validated (dry run) or was published."""
        return self.outcome in ("validated", "published")


def parse_variables(variables: str | list[str], weights: str | list[float] | None) -> tuple[list[str], list[float]]:
    """The variable names and their weights (default 1 each).

    Raises:
        ValueError: an unknown variable, a weight that is not a non-negative number, or counts differ.
    """
    names = [v.strip() for v in (variables.split(",") if isinstance(variables, str) else variables) if v.strip()]
    if not names:
        raise ValueError("give at least one variable")
    for name in names:
        if name not in CONTEXT_VARIABLES and not (name.startswith("indicator:") and "@" in name):
            raise ValueError(f"unknown variable {name!r}: use {', '.join(CONTEXT_VARIABLES)} or indicator:ID@PERIOD")
    if len(set(names)) != len(names):
        raise ValueError("a variable is listed twice")
    if weights is None or weights == "":
        return names, [1.0] * len(names)
    raw = weights.split(",") if isinstance(weights, str) else weights
    try:
        parsed = [float(w) for w in raw]
    except ValueError as exc:
        raise ValueError(f"weights must be numbers: {weights!r}") from exc
    if len(parsed) != len(names):
        raise ValueError(f"{len(parsed)} weights for {len(names)} variables")
    if any(not np.isfinite(w) or w < 0 for w in parsed) or not any(parsed):
        raise ValueError("weights must be non-negative and not all zero")
    return names, parsed


def nearest_neighbours(
    frame: pd.DataFrame, variables: list[str], weights: list[float], count: int = DEFAULT_COUNT
) -> pd.DataFrame:
    """The ``count`` nearest councils of the same tier for every council in ``frame``.

    ``frame`` has ``authority_code``, ``tier`` and one numeric column per variable, with no
    missing values. Returns ``authority_code, member_code, rank, distance, similarity`` sorted
    by council and rank (see the module docstring for the method).
    """
    out = []
    w = np.asarray(weights, dtype=float)
    for tier, group in frame.sort_values("authority_code").groupby("tier", sort=True):
        codes = group["authority_code"].to_numpy()
        if len(codes) < 2:
            continue
        x = group[variables].to_numpy(dtype=float)
        sd = x.std(axis=0)
        z = np.divide(x - x.mean(axis=0), sd, out=np.zeros_like(x), where=sd > 0)
        diff = z[:, None, :] - z[None, :, :]
        d = np.sqrt((diff**2 * w).sum(axis=2))
        d_max = d.max()
        for i, code in enumerate(codes):
            others = [j for j in range(len(codes)) if j != i]
            # nearest first; the code breaks ties so the result never depends on row order
            order = sorted(others, key=lambda j: (d[i, j], codes[j]))[:count]
            for rank, j in enumerate(order, 1):
                similarity = 100.0 * (1.0 - d[i, j] / d_max) if d_max > 0 else 100.0
                out.append((code, codes[j], rank, float(d[i, j]), float(similarity), tier))
    return pd.DataFrame(out, columns=["authority_code", "member_code", "rank", "distance", "similarity", "tier"])


def context_frame(con: duckdb.DuckDBPyConnection, variables: list[str]) -> tuple[pd.DataFrame, list[str]]:
    """Current councils with one column per variable, and the codes left out for a missing value.

    Raises:
        ValueError: an indicator variable names an indicator or period with no values.
    """
    base = con.execute(
        """SELECT authority_code, short_name, tier, population, density_per_km2, deprivation_score, area_km2
           FROM ref.authorities WHERE is_current AND is_council AND list_contains(?, tier)
           ORDER BY authority_code""",
        [list(PEER_TIERS)],
    ).df()
    frame = base[["authority_code", "short_name", "tier"]].copy()
    for name in variables:
        if name in CONTEXT_VARIABLES:
            frame[name] = pd.to_numeric(base[CONTEXT_VARIABLES[name]], errors="coerce").astype(float)
            continue
        indicator, period = name.removeprefix("indicator:").split("@", 1)
        values = con.execute(
            "SELECT authority_code, value FROM indicator_values WHERE indicator_id = ? AND period = ?",
            [indicator, period],
        ).df()
        if values.empty:
            raise ValueError(f"{name}: no values for indicator {indicator!r} in period {period!r}")
        frame[name] = frame["authority_code"].map(dict(zip(values["authority_code"], values["value"], strict=True)))
        frame[name] = pd.to_numeric(frame[name], errors="coerce").astype(float)
    missing = frame[variables].isna().any(axis=1)
    return frame[~missing].reset_index(drop=True), frame.loc[missing, "authority_code"].tolist()


def method_text(count: int) -> str:
    """The method sentence stored with a computed set."""
    return (
        f"Computed by Exemplar: each variable standardised (z-score) within the tier; weighted "
        f"Euclidean distance; the {count} closest councils of the same tier; similarity = "
        "100 x (1 - distance / largest distance between two councils of the tier)."
    )


def source_name(set_id: str) -> str:
    """The source a computed set is loaded under (loading it again replaces it)."""
    return f"neighbours-{set_id}"


def write_neighbour_source(
    folder: Path,
    con: duckdb.DuckDBPyConnection,
    *,
    variables: str | list[str] = "population,density,deprivation",
    weights: str | list[float] | None = None,
    count: int = DEFAULT_COUNT,
    set_id: str = "computed-neighbours",
    name: str | None = None,
) -> NeighbourResult:
    """Compute neighbours from ``con`` (``ref.authorities``, and ``indicator_values`` for indicator
    variables) and write the set as contract files (peer_sets.csv, peer_set_members.csv) into
    ``folder``; the result holds the members and who was left out, not yet loaded.

    Raises:
        ValueError: bad variables or weights, or an indicator variable with no values.
    """
    names, w = parse_variables(variables, weights)
    result = NeighbourResult(set_id, names, w)
    frame, result.left_out = context_frame(con, names)
    result.members = nearest_neighbours(frame, names, w, count)
    described = ", ".join(f"{n} (weight {x:g})" for n, x in zip(names, w, strict=True))
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(
        [
            {
                "set_id": set_id,
                "name": name or f"Nearest neighbours: {', '.join(names)}",
                "kind": "neighbours",
                "method": method_text(count),
                "variables": described,
                "description": f"{count} nearest councils of the same tier",
            }
        ]
    ).to_csv(folder / "peer_sets.csv", index=False)
    members = result.members.assign(
        set_id=set_id,
        similarity=result.members["similarity"].round(2),
        closeness=result.members["distance"].map(lambda d: f"distance {d:.4f}"),
    )
    members[["set_id", "authority_code", "member_code", "rank", "similarity", "closeness"]].to_csv(
        folder / "peer_set_members.csv", index=False
    )
    return result


def compute_and_load(
    warehouse: str | Path | None = None,
    *,
    variables: str | list[str] = "population,density,deprivation",
    weights: str | list[float] | None = None,
    count: int = DEFAULT_COUNT,
    set_id: str = "computed-neighbours",
    name: str | None = None,
    dry_run: bool = False,
    reference_dir: Path | None = None,
    keep_versions: int | None = None,
) -> NeighbourResult:
    """Compute neighbours from the published warehouse and load them as peer set ``set_id``
    (``keep_versions``: versions kept after the publish, as for ``load_sources``).

    Raises:
        ValueError: bad variables or weights, or nothing is published yet.
    """
    parse_variables(variables, weights)  # bad arguments fail before the warehouse is opened
    current = WarehousePaths.from_env(warehouse).current_file()
    if current is None:
        raise ValueError("no warehouse is published yet: build or load one first")
    with tempfile.TemporaryDirectory(prefix="exemplar-neighbours-") as tmp:
        folder = Path(tmp)
        con = duckdb.connect(str(current), read_only=True)
        try:
            result = write_neighbour_source(
                folder, con, variables=variables, weights=weights, count=count, set_id=set_id, name=name
            )
        finally:
            con.close()
        loaded = load_sources(
            [Source.of(folder, source_name(set_id))],
            warehouse,
            validate_only=dry_run,
            reference_dir=reference_dir,
            keep_versions=keep_versions,
        )
    result.outcome, result.version, result.problems, result.error = (
        loaded.outcome,
        loaded.version,
        loaded.problems,
        loaded.error,
    )
    return result


def format_summary(result: NeighbourResult) -> str:
    """Lines for the terminal: what was computed and whether it was published."""
    councils = result.members["authority_code"].nunique() if not result.members.empty else 0
    lines = [
        f"Peer set {result.set_id!r}: {councils} councils, "
        f"variables {', '.join(f'{n} x{w:g}' for n, w in zip(result.variables, result.weights, strict=True))}"
    ]
    if result.left_out:
        lines.append(
            f"Left out (a variable is missing): {len(result.left_out)} councils: "
            + ", ".join(result.left_out[:20])
            + (" ..." if len(result.left_out) > 20 else "")
        )
    if result.problems:
        lines.append(format_problems(result.problems, result.set_id))
    elif result.outcome == "published":
        lines.append(f"Published data version {result.version}.")
    elif result.outcome == "validated":
        lines.append("Valid (dry run): nothing was written.")
    return "\n".join(lines)
