"""Council boundaries for maps, built from ONS's TopoJSON (used by ``etl.refresh`` only).

``uk-2025.topo.json`` (ONS Explore Local Statistics) holds every council the register knows
except the 25 Northern Irish districts abolished in 2015: today's councils *and* those abolished
since 2018 (with an ``end`` year) on one topology, so the borders of a map of any year line up.
Each council's shape is taken from there, keyed by the register's ``authority_code``.

Two levels of detail are written, both wound as d3 and plotly's ``geo`` maps expect (exterior
rings clockwise, holes anticlockwise: the sources' own order, the opposite of RFC 7946):

- ``coarse``: every arc simplified (Douglas-Peucker) at ``COARSE_TOLERANCE`` degrees, coordinates
  rounded to ``COARSE_DECIMALS``; for maps of the whole UK or a nation;
- ``fine``: the published arcs unsimplified, rounded to ``FINE_DECIMALS``; for a region or a few
  councils.

Arcs are simplified once each and shared by both neighbours, so simplification opens no gaps.

Centroids are computed from the fine shapes (the register's are sometimes far off: Lancashire's
lies in the East Midlands), and two checks run against the 2013 districts of martinjc/UK-GeoJSON:
every council created since 2013 is the union of its predecessors' 2013 districts, and every
abolished district matches its 2013 shape. Needs ``shapely`` (the ``refresh`` extra).
"""

from __future__ import annotations

import itertools
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shapely import ops
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

__all__ = [
    "COARSE_TOLERANCE",
    "COARSE_DECIMALS",
    "FINE_DECIMALS",
    "CouncilShapes",
    "build_council_shapes",
    "feature_collection_text",
    "centroids",
    "register_centroid_check",
    "predecessor_union_check",
]

COARSE_TOLERANCE = 0.005  # degrees, ~550 m north-south: under a pixel on a UK-wide map 800 px tall
COARSE_DECIMALS = 3  # ~110 m: invisible at national scale, saves a fifth of the bytes
FINE_DECIMALS = 4  # ~11 m: the published TopoJSON's own quantisation step is ~9 m
CENTROID_DECIMALS = 4
KM_PER_DEGREE = 111.32  # length of a degree of latitude (and of longitude at the equator)
DISTRICTS_2013_FILE = "gb-districts-2013.topo.json"
NI_DISTRICTS_2015_FILE = "ni-districts-2015.topo.json"
DISTRICTS_2013_LICENCE = "LICENCE-2013-districts.md"
ONS_COUNCIL_OBJECTS = ("ltla", "utla")  # lower-tier/unitary, then upper-tier (counties) councils

Ring = list[tuple[float, float]]
Rings = list[list[Ring]]  # polygons, each a list of rings (exterior first)


@dataclass(frozen=True)
class CouncilShapes:
    """One level of detail: ``authority_code`` -> (ONS name, polygons of rings)."""

    detail: str
    shapes: dict[str, tuple[str, Rings]]

    def geometry(self, code: str) -> MultiPolygon:
        """The council's shape as a shapely MultiPolygon (for checks and centroids)."""
        return _to_shapely(self.shapes[code][1])


def decode_arcs(topology: dict[str, Any]) -> list[Ring]:
    """Absolute lon/lat points of every arc of a quantised, delta-encoded TopoJSON topology."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _simplified(arc: Ring, tolerance: float, decimals: int) -> Ring:
    """The arc simplified (end points kept, so shared arcs still meet) and rounded."""
    from shapely.geometry import LineString

    points = arc if tolerance == 0 or len(arc) < 3 else list(LineString(arc).simplify(tolerance).coords)
    out: Ring = []
    for x, y in points:
        point = (round(x, decimals), round(y, decimals))
        if not out or out[-1] != point:
            out.append(point)
    return out


def _signed_area(ring: Sequence[tuple[float, float]]) -> float:
    """Shoelace area: positive when the ring runs anticlockwise."""
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in itertools.pairwise(ring)) / 2


def _ring(arc_ids: Iterable[int], arcs: list[Ring]) -> Ring:
    points: Ring = []
    for index in arc_ids:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        for point in arc:
            if not points or points[-1] != point:
                points.append(point)
    return points


def _wound(ring: Ring, exterior: bool) -> Ring:
    """d3's winding: exteriors clockwise (negative area), holes anticlockwise."""
    clockwise = _signed_area(ring) < 0
    return ring if clockwise == exterior else ring[::-1]


def _polygons(geometry: dict[str, Any], arcs: list[Ring]) -> Rings:
    """A TopoJSON Polygon/MultiPolygon as rings; rings that simplification collapsed are dropped."""
    parts = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry["arcs"]
    polygons: Rings = []
    for part in parts:
        exterior, *holes = [_ring(ids, arcs) for ids in part]
        if not _is_ring(exterior):  # an islet smaller than the tolerance
            continue
        polygons.append([_wound(exterior, True)] + [_wound(hole, False) for hole in holes if _is_ring(hole)])
    return polygons


def _is_ring(ring: Ring) -> bool:
    return len(ring) >= 4 and _signed_area(ring) != 0


def build_council_shapes(
    topology: dict[str, Any], codes: Iterable[str], *, tolerance: float, decimals: int, detail: str
) -> CouncilShapes:
    """The shapes of the councils ``codes`` (GSS codes) found in the topology's council objects.

    A council in both ``ltla`` and ``utla`` (a unitary) takes its ``ltla`` shape; a code in
    neither is left out. Raises ValueError when simplification leaves a council no polygon.
    """
    wanted = set(codes)
    raw = decode_arcs(topology)
    arcs = [_simplified(arc, tolerance, decimals) for arc in raw]
    shapes: dict[str, tuple[str, Rings]] = {}
    for name in ONS_COUNCIL_OBJECTS:
        for geometry in topology["objects"][name]["geometries"]:
            code = geometry["properties"]["areacd"]
            if code not in wanted or code in shapes:
                continue
            polygons = _polygons(geometry, arcs)
            if not polygons:  # a council too small for the tolerance: keep it unsimplified
                polygons = _polygons(geometry, [_simplified(arc, 0, decimals) for arc in raw])
            if not polygons:
                raise ValueError(f"{name} {code}: no polygon left after rounding to {decimals} decimals")
            shapes[code] = (geometry["properties"]["areanm"], polygons)
    return CouncilShapes(detail, dict(sorted(shapes.items())))


def feature_collection_text(shapes: CouncilShapes) -> str:
    """GeoJSON text, one feature per line (readable diffs), ``id`` = authority_code."""
    lines = []
    for code, (name, polygons) in shapes.shapes.items():
        feature = {
            "type": "Feature",
            "id": code,
            "properties": {"name": name},
            "geometry": {"type": "MultiPolygon", "coordinates": polygons},
        }
        lines.append(json.dumps(feature, ensure_ascii=False, separators=(",", ":"), sort_keys=True))
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def _to_shapely(polygons: Rings) -> MultiPolygon:
    return MultiPolygon([Polygon(rings[0], rings[1:]) for rings in polygons])


def centroids(fine: CouncilShapes, coarse: CouncilShapes) -> dict[str, tuple[float, float, str]]:
    """(lat, lon, method) per council: inside both its fine and its coarse shape.

    The centroid of the council's largest part (the mainland of an island council), or, where
    that falls outside (a crescent-shaped council) or too close to the edge to survive
    simplification, the largest part's pole of inaccessibility (the point farthest inside it).
    """
    out = {}
    for code in fine.shapes:
        shape_fine, shape_coarse = fine.geometry(code), coarse.geometry(code)
        largest = max(shape_fine.geoms, key=lambda part: part.area)
        for method, point in (("centroid", largest.centroid), ("pole of inaccessibility", None)):
            if point is None:
                point = ops.polylabel(largest, tolerance=10**-CENTROID_DECIMALS)
            lon, lat = round(point.x, CENTROID_DECIMALS), round(point.y, CENTROID_DECIMALS)
            rounded = Point(lon, lat)
            if shape_fine.contains(rounded) and shape_coarse.contains(rounded):
                out[code] = (lat, lon, method)
                break
        else:
            raise ValueError(f"{code}: no point of its shape lies inside both levels of detail")
    return out


def distance_km(geometry: BaseGeometry, lat: float, lon: float) -> float:
    """Approximate distance from a point to a shape (equirectangular around the point)."""
    scale = math.cos(math.radians(lat))
    projected = ops.transform(lambda x, y, z=None: ((x - lon) * scale, y - lat), geometry)
    return projected.distance(Point(0, 0)) * KM_PER_DEGREE


def register_centroid_check(fine: CouncilShapes, register_points: dict[str, tuple[str, float, float]]) -> list[dict]:
    """The register's centroids that fall outside their council's (fine) boundary.

    ``register_points``: authority_code -> (name, lat, lon) for councils with a register centroid.
    Returns one dict per miss, with the distance to the boundary in km, sorted by code.
    """
    misses = []
    for code, (name, lat, lon) in sorted(register_points.items()):
        if code not in fine.shapes:
            continue
        shape = fine.geometry(code)
        if not shape.contains(Point(lon, lat)):
            misses.append(
                {
                    "authority_code": code,
                    "name": name,
                    "register_lat": lat,
                    "register_lon": lon,
                    "km_outside": round(distance_km(shape, lat, lon), 1),
                }
            )
    return misses


def _shapes_of(path: Path, object_name: str, code_key: str) -> dict[str, BaseGeometry]:
    """Full-resolution shapes of a TopoJSON file's object, by its code property."""
    topology = json.loads(path.read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    return {
        g["properties"][code_key]: _to_shapely(_polygons(g, arcs))
        for g in topology["objects"][object_name]["geometries"]
        if g["type"] in ("Polygon", "MultiPolygon")
    }


def overlap(a: BaseGeometry, b: BaseGeometry) -> float:
    """Intersection over union of two shapes (1 = identical)."""
    a, b = a.buffer(0), b.buffer(0)  # repair self-touching rings of the published shapes
    return a.intersection(b).area / a.union(b).area


def predecessor_union_check(
    fine: CouncilShapes,
    boundaries_dir: Path,
    successions: dict[str, list[str]],
    county_districts: dict[str, list[str]],
    abolished: Iterable[str],
) -> dict[str, Any]:
    """Compare the ONS shapes with the 2013 districts and 2015 NI districts of martinjc/UK-GeoJSON.

    - ``successions``: each council created since 2013 -> its predecessors that existed in 2013
      (the register's ``replaced-by``, followed back): their union should be the council;
    - ``county_districts``: each county -> its districts by the register's ``county-la``;
    - ``abolished``: councils abolished since 2013, each compared with its own 2013 shape;
    - Northern Ireland's 11 districts of 2015, each compared with its 2015 shape.

    Returns the overlap (intersection over union, 1 = identical) of each comparison.
    """
    shapes_2013 = _shapes_of(boundaries_dir / DISTRICTS_2013_FILE, "lad", "LAD13CD")
    shapes_ni = _shapes_of(boundaries_dir / NI_DISTRICTS_2015_FILE, "lgd", "LGDCode")

    def union_overlap(code: str, parts: list[str]) -> dict[str, Any]:
        missing = sorted(p for p in parts if p not in shapes_2013)
        found = [shapes_2013[p].buffer(0) for p in parts if p in shapes_2013]
        ratio = overlap(fine.geometry(code), ops.unary_union(found)) if found and code in fine.shapes else None
        return {"parts": sorted(parts), "missing_2013_shapes": missing, "overlap": _rounded(ratio)}

    def own_overlap(codes: Iterable[str], shapes: dict[str, BaseGeometry]) -> dict[str, float | None]:
        return {
            code: _rounded(overlap(fine.geometry(code), shapes[code]))
            for code in sorted(codes)
            if code in shapes and code in fine.shapes
        }

    return {
        "created_since_2013": {code: union_overlap(code, parts) for code, parts in sorted(successions.items())},
        "counties": {code: union_overlap(code, parts) for code, parts in sorted(county_districts.items())},
        "abolished_since_2013": own_overlap(abolished, shapes_2013),
        "northern_ireland_2015": own_overlap(shapes_ni, shapes_ni),
    }


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, 4)
