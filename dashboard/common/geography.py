"""Council boundaries for maps, and which council each part of a map shows.

Every map of councils (Browse, Exemplars across the UK) draws the councils of a period with their
own boundaries, read once per process through :func:`etl.reference.boundaries` (the vendored
GeoJSON, ``data/reference/uk-boundaries``; file I/O, no database). Three questions, answered here
once for every map:

- **Which shapes, how detailed?** :func:`council_shapes` returns the fine (as published) shapes of
  the councils when they fit :data:`FINE_BUDGET_BYTES` (a region, Wales, Northern Ireland), else
  the coarse ones (the UK, England, Scotland): detail where a reader zooms in, a compact payload
  where the whole country is on screen.
- **Which councils are drawn?** The councils of a period can overlap: a county and its districts,
  and, when the data restates a successor back before it existed (or reports a council after its
  abolition), the successor and its predecessors. :func:`plan_map` draws one layer of each
  overlapping family (councils with a value first, then those that existed in the period, then
  the lower tier) and says for every council left off whose shape shows its area.
- **Where there is no boundary** (the 25 Northern Irish districts abolished in 2015 have none
  published), the council is drawn as a dot at its centre, and the map's table says so.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.common.register import belongs_to_period
from dashboard.warehouse import Warehouse
from etl import reference

__all__ = [
    "DOT",
    "FINE_BUDGET_BYTES",
    "HIDDEN",
    "NO_BOUNDARY_NOTE",
    "SHAPE",
    "MapPlan",
    "council_shapes",
    "map_facts",
    "map_plan",
    "plan_map",
    "shape_codes",
    "subset",
    "with_boundary",
]

# The fine shapes of one English region are 32-132 KB, of Wales 103 KB; Scotland's coasts alone
# are 519 KB fine and 208 KB coarse. Under this budget the reader gets the published detail.
FINE_BUDGET_BYTES = 200_000
SHAPES_CACHED = 16  # distinct council sets kept parsed per process (a UK set is ~6 MB of objects)
SHAPE, DOT, HIDDEN = "shape", "dot", "hidden"  # how plan_map says a council is drawn
NO_BOUNDARY_NOTE = "Drawn as a dot at its centre: no boundary is published for it"
NO_PLACE_NOTE = "Not on the map: neither a boundary nor a centre is known for it"
NAMES_IN_NOTE = 3  # councils named in "its area is shown as A, B, C and 2 more"
_EMPTY: dict[str, Any] = {"type": "FeatureCollection", "features": []}


def council_shapes(codes: Iterable[str]) -> tuple[dict[str, Any], str]:
    """The boundaries of ``codes`` as a GeoJSON FeatureCollection (``id`` = authority_code) and
    the detail used, ``"fine"`` or ``"coarse"`` (see :data:`FINE_BUDGET_BYTES`).

    Codes without a boundary are left out of the collection (draw them as dots); when the
    reference folder holds no boundary files at all, the collection is empty. The collection is
    cached per process and shared: never change it (plotly copies it into each figure).
    """
    key = tuple(sorted(set(codes)))
    if not key:
        return _EMPTY, "coarse"
    detail = "fine" if _fine_fits(key) else "coarse"
    return _shapes(key, detail), detail


def with_boundary(codes: Iterable[str]) -> set[str]:
    """The codes of ``codes`` that have a published boundary (measured once per council)."""
    key = tuple(sorted(set(codes)))
    _size(key, "coarse")
    return {code for code in key if _SIZES["coarse"][code] > 0}


def shape_codes(shapes: dict[str, Any]) -> set[str]:
    """The authority_codes a FeatureCollection from :func:`council_shapes` has a shape for."""
    return {str(feature["id"]) for feature in shapes["features"]}


@functools.lru_cache(maxsize=SHAPES_CACHED)
def _shapes(key: tuple[str, ...], detail: str) -> dict[str, Any]:
    """The FeatureCollection of ``key`` in ``detail``; properties dropped (maps only need ids)."""
    try:
        collection = reference.boundaries(codes=key, detail=detail)
    except FileNotFoundError:
        # a reference folder without uk-boundaries/ (e.g. $EXEMPLAR_REFERENCE_DIR=../shared/data):
        # every council is drawn as a dot, as the map's table says
        return _EMPTY
    features = [{"type": "Feature", "id": f["id"], "geometry": _frozen(f["geometry"])} for f in collection["features"]]
    return {"type": "FeatureCollection", "features": features}


def _frozen(geometry: dict[str, Any]) -> dict[str, Any]:
    """A MultiPolygon with every ring as a read-only numpy array of (lon, lat) rows.

    Why arrays: plotly deep-copies a figure's GeoJSON when the figure is built and again when
    Streamlit sends it; copying one array per ring instead of a list per point makes a UK map
    about fifteen times cheaper to build, and plotly writes the arrays out as the same JSON
    lists. Read-only, so the shared cache cannot be changed by accident.
    """
    polygons = []
    for polygon in geometry["coordinates"]:
        rings = []
        for ring in polygon:
            points = np.asarray(ring, dtype=float)
            points.flags.writeable = False
            rings.append(points)
        polygons.append(rings)
    return {"type": geometry["type"], "coordinates": polygons}


def subset(shapes: dict[str, Any], codes: Iterable[str]) -> dict[str, Any]:
    """The features of ``shapes`` whose ids are in ``codes`` (shared, not copied), so each layer of
    a map carries only its own councils' shapes and none is sent twice."""
    wanted = set(codes)
    return {"type": "FeatureCollection", "features": [f for f in shapes["features"] if f["id"] in wanted]}


# detail -> authority_code -> bytes of its shape (0: no boundary); councils never change shape
_SIZES: dict[str, dict[str, int]] = {"coarse": {}, "fine": {}}


def _size(key: tuple[str, ...], detail: str) -> int:
    """Bytes of the ``detail`` shapes of ``key``, each council's measured once per process."""
    sizes = _SIZES[detail]
    unknown = [code for code in key if code not in sizes]
    if unknown:
        try:
            collection = reference.boundaries(codes=unknown, detail=detail)
        except FileNotFoundError:
            collection = _EMPTY
        for feature in collection["features"]:
            sizes[str(feature["id"])] = len(json.dumps(feature["geometry"], separators=(",", ":")))
        for code in unknown:
            sizes.setdefault(code, 0)
    return sum(sizes[code] for code in key)


def _fine_fits(key: tuple[str, ...]) -> bool:
    """True when the fine shapes of ``key`` fit :data:`FINE_BUDGET_BYTES`. Coarse shapes are
    measured first (a fine shape is never smaller), so a UK-wide set never parses the fine file."""
    return _size(key, "coarse") <= FINE_BUDGET_BYTES and _size(key, "fine") <= FINE_BUDGET_BYTES


def map_facts(wh: Warehouse, codes: Sequence[str], period: str) -> pd.DataFrame:
    """What :func:`plan_map` needs about each council of ``codes`` in ``period``:
    ``authority_code, tier, parent_county_code, successor_codes, part_codes`` (lists; the parts
    are the councils whose areas make up its own: a county's districts, a successor's
    predecessors) and ``lived`` (it existed on a day of the period by the register's dates: the
    first half of the one existence rule, ``belongs_to_period``; a council of the period that did
    not is there because the data reports it)."""
    frame = wh.query("map_councils", codes=list(codes), period=period)
    frame["lived"] = [
        belongs_to_period(row.start_date, row.end_date, row.period_start, row.period_end)
        for row in frame.itertuples(index=False)
    ]
    for column in ("successor_codes", "part_codes"):
        frame[column] = [_codes(value) for value in frame[column]]
    return frame[["authority_code", "tier", "parent_county_code", "successor_codes", "part_codes", "lived"]]


def _codes(value: Any) -> list[str]:
    """A register code list (a list, an array, or nothing) as a plain list of strings."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    return [str(code) for code in value]


def _overlaps(councils: pd.DataFrame) -> dict[str, set[str]]:
    """For each council, the councils of the frame whose area overlaps its own: its county or
    its districts (``parent_county_code``), its successors or predecessors (``successor_codes``).
    Every council created since 2013 is a union of earlier districts and every county a union of
    its districts, so these two relations are every overlap between UK councils."""
    present = set(councils["authority_code"])
    links: dict[str, set[str]] = {code: set() for code in present}
    rows = zip(councils["authority_code"], councils["parent_county_code"], councils["successor_codes"], strict=True)
    for code, parent, successors in rows:
        for other in [parent, *successors]:
            if isinstance(other, str) and other in present and other != code:
                links[str(code)].add(other)
                links[other].add(str(code))
    return links


def _names(names: list[str]) -> str:
    """The names as a reader lists them: A; A and B; A, B and C; A, B, C and 2 more."""
    shown = names[:NAMES_IN_NOTE]
    rest = len(names) - len(shown)
    if rest:
        return f"{', '.join(shown)} and {rest} more"
    return f"{', '.join(shown[:-1])} and {shown[-1]}" if len(shown) > 1 else shown[0]


def _area_note(names: list[str]) -> str:
    """The note of a council left off because ``names`` show its whole area."""
    return f"Not on the map: its area is shown as {_names(names)}"


def _beneath_note(names: list[str]) -> str:
    """The note of a council drawn beneath ``names``, which show only part of its area."""
    return f"Drawn beneath {_names(names)}, which show part of its area"


def _covered(code: str, parts: dict[str, list[str]], chosen: set[str]) -> bool:
    """True when the drawn councils (``chosen``) show the whole area of ``code``: it lies in one of
    them, or each of its parts is drawn or lies in a drawn council (a district abolished during
    the period lies in its drawn successor)."""
    shown = chosen | {part for other in chosen for part in parts.get(other, [])}
    own = parts.get(code, [])
    return code in shown or (bool(own) and set(own) <= shown)


def plan_map(councils: pd.DataFrame, with_shape: set[str]) -> pd.DataFrame:
    """How each council of ``councils`` is drawn: ``drawn_as`` (:data:`SHAPE`, :data:`DOT` or
    :data:`HIDDEN`), ``beneath`` (drawn under the others) and ``map_note`` (why it is a dot, left
    off or beneath; "" for a plain shape).

    ``councils`` needs ``authority_code, short_name, tier, parent_county_code, successor_codes,
    part_codes, lived`` (:func:`map_facts`), ``has_value`` (bool: the figure the map colours by)
    and ``lat, lon``; ``with_shape`` holds the codes that have a boundary (:func:`shape_codes`).

    Of councils whose areas overlap (:func:`_overlaps`) one layer is drawn, chosen council by
    council in this order: those with a value first, then those that existed in the period, then
    lower-tier before county councils, then by code; a council overlapping one already chosen is
    left off, its note naming the councils that show its area. So a county-level figure is drawn
    on the counties and a district-level one on the districts, and a successor the data restates
    back before it existed is drawn with its own boundary unless its predecessors have figures.
    A council left off whose area the drawn ones show only in part (a successor without a figure,
    where only one of its predecessors is reported) is drawn beneath them instead, so no part of
    the map is blank. Rows keep their order.
    """
    frame = councils.copy()
    links = _overlaps(frame)
    order = frame.assign(
        _no_value=~frame["has_value"].astype(bool),
        _not_lived=~frame["lived"].astype(bool),
        _county=frame["tier"].eq("county"),
    ).sort_values(["_no_value", "_not_lived", "_county", "authority_code"])
    names = dict(zip(frame["authority_code"], frame["short_name"], strict=True))
    chosen: set[str] = set()
    for code in order["authority_code"]:
        if not links[code] & chosen:
            chosen.add(code)
    parts = dict(zip(frame["authority_code"], frame["part_codes"], strict=True))
    hidden_by, beneath = {}, {}
    for code in frame["authority_code"]:
        if code in chosen:
            continue
        over = sorted(str(names[other]) for other in links[code] & chosen)
        if code in with_shape and not _covered(code, parts, chosen):
            beneath[code] = over
        else:
            hidden_by[code] = over
    placed = frame["lat"].notna() & frame["lon"].notna()
    drawn_as, notes = [], []
    for code, has_centre in zip(frame["authority_code"], placed, strict=True):
        if code in hidden_by:
            drawn_as.append(HIDDEN)
            notes.append(_area_note(hidden_by[code]))
        elif code in beneath:
            drawn_as.append(SHAPE)
            notes.append(_beneath_note(beneath[code]))
        elif code in with_shape:
            drawn_as.append(SHAPE)
            notes.append("")
        elif has_centre:
            drawn_as.append(DOT)
            notes.append(NO_BOUNDARY_NOTE)
        else:
            drawn_as.append(HIDDEN)
            notes.append(NO_PLACE_NOTE)
    frame["drawn_as"] = drawn_as
    frame["beneath"] = frame["authority_code"].isin(beneath)
    frame["map_note"] = notes
    return frame


@dataclass(frozen=True)
class MapPlan:
    """A map's councils and shapes: ``councils`` (the caller's frame with ``drawn_as`` and
    ``map_note``, :func:`plan_map`), ``shapes`` (the GeoJSON of the councils drawn as shapes) and
    their ``detail`` ("fine" or "coarse")."""

    councils: pd.DataFrame
    shapes: dict[str, Any]
    detail: str

    def count(self, drawn_as: str) -> int:
        """How many councils are drawn as ``drawn_as`` (:data:`SHAPE`, :data:`DOT`, :data:`HIDDEN`)."""
        return int((self.councils["drawn_as"] == drawn_as).sum())

    def describe(self) -> str:
        """How the map draws its councils, in sentences for the map's caption (no data text in it,
        so it is safe as Markdown)."""
        outlines = "as published" if self.detail == "fine" else "simplified to about 500 m for a map this large"
        sentences = [f"Each council is drawn with its own boundary ({outlines})."]
        dots, hidden = self.count(DOT), self.count(HIDDEN)
        if dots:
            sentences.append(
                f"{dots} council(s) without a published boundary (Northern Irish districts abolished in 2015) "
                "are dots at their centres."
            )
        beneath = int(self.councils["beneath"].sum()) if "beneath" in self.councils else 0
        if beneath:
            sentences.append(
                f"{beneath} council(s) are drawn beneath councils that show part of their area (the Table tab "
                "says which)."
            )
        if hidden:
            sentences.append(
                f"{hidden} council(s) are not drawn because other councils show their area (a county and its "
                "districts overlap, as do a council and its successor): the Table tab says which."
            )
        return " ".join(sentences)


_FACT_COLUMNS = ("tier", "parent_county_code", "successor_codes", "part_codes", "lived")


def map_plan(wh: Warehouse, councils: pd.DataFrame, period: str, has_value: Sequence[bool]) -> MapPlan:
    """Everything a page needs to map ``councils`` (``authority_code, short_name, lat, lon`` and
    whatever the map colours by) in ``period``: the facts (:func:`map_facts`), the plan
    (:func:`plan_map`, ``has_value`` per row, in row order) and the shapes of the councils drawn
    as shapes (:func:`council_shapes`)."""
    codes = councils["authority_code"].tolist()
    facts = map_facts(wh, codes, period)
    own = councils.drop(columns=[c for c in _FACT_COLUMNS if c in councils.columns])
    frame = own.reset_index(drop=True).assign(has_value=list(has_value)).merge(facts, on="authority_code", how="left")
    for column in ("successor_codes", "part_codes"):
        frame[column] = [value if isinstance(value, list) else [] for value in frame[column]]
    frame["lived"] = frame["lived"].fillna(True).astype(bool)
    planned = plan_map(frame, with_boundary(codes))
    shapes, detail = council_shapes(planned.loc[planned["drawn_as"] == SHAPE, "authority_code"])
    return MapPlan(planned, shapes, detail)
