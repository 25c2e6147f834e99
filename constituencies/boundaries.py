"""Read ONS constituency boundaries (GeoJSON or TopoJSON) into drawable SVG paths.

`read_boundaries(path)` validates a whole file and returns `BoundaryFile` (plain data), or
raises `InvalidBoundaries` with a one-line reason; `save_boundaries` then replaces the
stored boundaries of that set in one transaction. Coordinates may be WGS84
longitude/latitude or British National Grid metres (EPSG:27700); they are projected to the
British National Grid and simplified once, here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from constituencies.geometry import (
    Shape,
    open_ring,
    simplify_features,
    svg_path,
    unit_bounds,
    wgs84_to_bng,
)
from constituencies.models import BoundarySet, Constituency, ConstituencyBoundary

CODE = re.compile(r"^[ENSW]\d{8}$")
CODE_PROPERTY = re.compile(r"^pcon\d{2}cd$", re.IGNORECASE)
DEFAULT_TOLERANCE = 150.0  # metres: about a pixel when the whole UK is 900 pixels tall
# British National Grid eastings and northings of anything in the UK, with a margin.
BNG_RANGE = (-250_000, 900_000, -150_000, 1_400_000)


class InvalidBoundaries(ValueError):
    """A boundary file that cannot be imported; the message says why, in one line."""


@dataclass
class Boundary:
    ons_code: str
    path: str
    bounds: tuple[int, int, int, int]


@dataclass
class BoundaryFile:
    boundary_set: str
    boundaries: list[Boundary]
    source: str

    @property
    def label(self) -> str:
        return BoundarySet(self.boundary_set).label


def _topojson_features(document: dict) -> list[dict]:
    """TopoJSON's polygons as GeoJSON-like features (its largest object's geometries)."""
    objects = document.get("objects")
    arcs = document.get("arcs")
    if not isinstance(objects, dict) or not objects or not isinstance(arcs, list):
        raise InvalidBoundaries("it is a TopoJSON Topology without objects or arcs")
    transform = document.get("transform")
    decoded = []
    for arc in arcs:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                points.append((x * sx + tx, y * sy + ty))
            decoded.append(points)
        else:
            decoded.append([(p[0], p[1]) for p in arc])

    def ring(indices: list[int]) -> list:
        points: list = []
        for index in indices:
            arc = decoded[index] if index >= 0 else decoded[~index][::-1]
            points.extend(arc if not points else arc[1:])
        return points

    largest = max(
        objects.values(),
        key=lambda o: len(o.get("geometries", [])) if isinstance(o, dict) else 0,
    )
    geometries = largest.get("geometries", [largest]) if isinstance(largest, dict) else []
    features = []
    for geometry in geometries:
        geometry_type = geometry.get("type")
        try:
            if geometry_type == "Polygon":
                coordinates = [ring(r) for r in geometry["arcs"]]
            elif geometry_type == "MultiPolygon":
                coordinates = [[ring(r) for r in polygon] for polygon in geometry["arcs"]]
            else:
                coordinates = None
        except (IndexError, KeyError, TypeError) as error:
            raise InvalidBoundaries(f"a TopoJSON geometry has broken arcs ({error})") from None
        properties = dict(geometry.get("properties") or {})
        if "id" in geometry:
            properties.setdefault("id", geometry["id"])
        features.append(
            {
                "type": "Feature",
                "properties": properties,
                "geometry": (
                    {"type": geometry_type, "coordinates": coordinates} if geometry_type else None
                ),
            }
        )
    return features


def _code(feature: dict, number: int) -> str:
    properties = feature.get("properties") or {}
    if "id" in feature:
        properties = {**properties, "id": feature["id"]}
    for key, value in properties.items():
        if CODE_PROPERTY.match(str(key)) and isinstance(value, str):
            return value.strip()
    for value in properties.values():
        if isinstance(value, str) and CODE.match(value.strip()):
            return value.strip()
    raise InvalidBoundaries(
        f"feature {number} has no constituency code (a PCON..CD property or an ONS code)"
    )


def _polygons(code: str, geometry) -> list:
    if not isinstance(geometry, dict) or not geometry.get("coordinates"):
        raise InvalidBoundaries(f"{code} has no geometry")
    geometry_type = geometry.get("type")
    if geometry_type == "Polygon":
        polygons = [geometry["coordinates"]]
    elif geometry_type == "MultiPolygon":
        polygons = geometry["coordinates"]
    else:
        raise InvalidBoundaries(f"{code} is a {geometry_type}, not a Polygon or MultiPolygon")
    try:
        result = [[open_ring(ring) for ring in polygon] for polygon in polygons]
    except (TypeError, ValueError, IndexError):
        raise InvalidBoundaries(f"{code} has coordinates that are not pairs of numbers") from None
    if not any(len(polygon[0]) >= 3 for polygon in result if polygon):
        raise InvalidBoundaries(f"{code} has no geometry")
    return [polygon for polygon in result if polygon and len(polygon[0]) >= 3]


def _projection(document: dict, shapes: dict[str, list]):
    """The function that takes this file's coordinates to British National Grid metres."""
    crs = json.dumps(document.get("crs") or "").upper()
    xs = [p[0] for shape in shapes.values() for polygon in shape for ring in polygon for p in ring]
    ys = [p[1] for shape in shapes.values() for polygon in shape for ring in polygon for p in ring]
    west, east, south, north = min(xs), max(xs), min(ys), max(ys)
    in_degrees = max(abs(west), abs(east)) <= 180 and max(abs(south), abs(north)) <= 90
    if "27700" in crs or not in_degrees:
        low_x, high_x, low_y, high_y = BNG_RANGE
        if low_x <= west <= east <= high_x and low_y <= south <= north <= high_y:
            return lambda point: point
        raise InvalidBoundaries(
            "its coordinates are neither longitude and latitude (WGS84) "
            "nor British National Grid metres (EPSG:27700)"
        )
    if not (-9 <= west <= east <= 3 and 49 <= south <= north <= 61):
        raise InvalidBoundaries("its longitudes and latitudes are not in the UK")
    return lambda point: wgs84_to_bng(*point)


def _boundary_set(codes: set[str], file_name: str) -> str:
    known = {
        boundary_set: set(
            Constituency.objects.in_set(boundary_set).values_list("ons_code", flat=True)
        )
        for boundary_set in BoundarySet.values
    }
    everything = set().union(*known.values())
    unknown = sorted(codes - everything)
    if unknown:
        others = f" and {len(unknown) - 1} other codes" if len(unknown) > 1 else ""
        raise InvalidBoundaries(
            f"{unknown[0]}{others} in {file_name} are not Westminster constituencies"
            if others
            else f"{unknown[0]} in {file_name} is not a Westminster constituency"
        )
    for boundary_set, members in known.items():
        if codes <= members:
            missing = sorted(members - codes)
            if missing:
                shown = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
                raise InvalidBoundaries(
                    f"{file_name} has {len(codes)} of the {len(members)} constituencies of the "
                    f"{BoundarySet(boundary_set).label}; missing {shown}"
                )
            return boundary_set
    raise InvalidBoundaries(
        f"{file_name} mixes constituencies of the 2010–2024 and the 2024 boundaries"
    )


def read_boundaries(path: Path, tolerance: float = DEFAULT_TOLERANCE) -> BoundaryFile:
    """Validate, project and simplify a whole boundary file, without writing anything."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InvalidBoundaries(f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidBoundaries(f"{path} cannot be read ({error})") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidBoundaries(f"{path.name} is not JSON ({error})") from None
    document_type = document.get("type") if isinstance(document, dict) else None
    try:
        if document_type == "FeatureCollection":
            features = document.get("features")
        elif document_type == "Topology":
            features = _topojson_features(document)
        else:
            raise InvalidBoundaries("expected a GeoJSON FeatureCollection or a TopoJSON Topology")
        if not isinstance(features, list) or not features:
            raise InvalidBoundaries("it has no features")
        shapes: dict[str, list] = {}
        for number, feature in enumerate(features, start=1):
            if not isinstance(feature, dict):
                raise InvalidBoundaries(f"feature {number} is not a GeoJSON Feature")
            code = _code(feature, number)
            shapes.setdefault(code, []).extend(_polygons(code, feature.get("geometry")))
        project = _projection(document, shapes)
    except InvalidBoundaries as error:
        raise InvalidBoundaries(f"{path.name} is not usable: {error}") from None
    boundary_set = _boundary_set(set(shapes), path.name)
    projected: dict[str, Shape] = {
        code: [[[project(point) for point in ring] for ring in polygon] for polygon in shape]
        for code, shape in shapes.items()
    }
    simplified = simplify_features(projected, tolerance, min_island_area=(4 * tolerance) ** 2)
    boundaries = [
        Boundary(ons_code=code, path=svg_path(shape), bounds=unit_bounds(shape))
        for code, shape in sorted(simplified.items())
    ]
    return BoundaryFile(boundary_set=boundary_set, boundaries=boundaries, source=path.name)


def save_boundaries(boundary_file: BoundaryFile) -> int:
    """Replace the stored boundaries of the file's set; return how many were saved."""
    constituencies = dict(
        Constituency.objects.in_set(boundary_file.boundary_set).values_list("ons_code", "pk")
    )
    now = timezone.now()
    with transaction.atomic():
        ConstituencyBoundary.objects.filter(
            constituency__boundary_set=boundary_file.boundary_set
        ).delete()
        ConstituencyBoundary.objects.bulk_create(
            ConstituencyBoundary(
                constituency_id=constituencies[boundary.ons_code],
                path=boundary.path,
                min_x=boundary.bounds[0],
                min_y=boundary.bounds[1],
                max_x=boundary.bounds[2],
                max_y=boundary.bounds[3],
                source=boundary_file.source,
                imported_at=now,
            )
            for boundary in boundary_file.boundaries
        )
    return len(boundary_file.boundaries)
