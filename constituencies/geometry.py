"""Plain-Python geometry for constituency maps: projection, simplification and SVG paths.

Nothing here needs Django, numpy or pyproj, so both the import command and the
derivation script (`scripts/derive_constituencies.py`) use it.

- `wgs84_to_bng` projects longitude/latitude (WGS84, as ONS GeoJSON gives it) to the
  British National Grid (EPSG:27700) with the Ordnance Survey's published formulas: a
  seven-parameter Helmert shift to OSGB36, then the National Grid's Transverse Mercator.
  It agrees with the definitive OSTN15 transformation to within about 5 metres, far finer
  than anything drawn here.
- `simplify_features` simplifies every ring with Douglas-Peucker, but first fixes the
  points where a boundary changes neighbour, so an edge shared by two constituencies is
  simplified the same way from both sides and the map keeps no gaps or slivers.
- `svg_path` writes rings as a compact SVG path in map units (see `MAP_UNIT`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

Point = tuple[float, float]
Ring = list[Point]
Polygon = list[Ring]  # the outer ring first, then any holes
Shape = list[Polygon]  # every polygon of one constituency

# Drawn maps use units of 100 metres, y pointing south from this northing (north of Shetland).
MAP_UNIT = 100.0
MAP_TOP = 1_300_000.0

# --- WGS84 to British National Grid ---------------------------------------------------

_GRS80 = (6_378_137.000, 6_356_752.3141)
_AIRY1830 = (6_377_563.396, 6_356_256.909)
# WGS84 (ETRS89) to OSGB36: translations in metres, scale in ppm, rotations in seconds.
_HELMERT = (-446.448, 125.157, -542.060, 20.4894, -0.1502, -0.2470, -0.8421)
# National Grid: scale on the central meridian, true origin 49°N 2°W, false origin.
_F0, _LAT0, _LON0, _E0, _N0 = 0.9996012717, math.radians(49), math.radians(-2), 400_000, -100_000


def _to_cartesian(lat: float, lon: float, ellipsoid: tuple[float, float]):
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
    return (
        nu * math.cos(lat) * math.cos(lon),
        nu * math.cos(lat) * math.sin(lon),
        (1 - e2) * nu * math.sin(lat),
    )


def _to_geodetic(x: float, y: float, z: float, ellipsoid: tuple[float, float]):
    a, b = ellipsoid
    e2 = 1 - (b * b) / (a * a)
    p = math.hypot(x, y)
    lat = math.atan2(z, p * (1 - e2))
    for _ in range(10):
        nu = a / math.sqrt(1 - e2 * math.sin(lat) ** 2)
        previous, lat = lat, math.atan2(z + e2 * nu * math.sin(lat), p)
        if abs(lat - previous) < 1e-12:
            break
    return lat, math.atan2(y, x)


def _helmert(x: float, y: float, z: float):
    tx, ty, tz, s, rx, ry, rz = _HELMERT
    s = s * 1e-6
    rx, ry, rz = (math.radians(r / 3600) for r in (rx, ry, rz))
    return (
        tx + (1 + s) * x - rz * y + ry * z,
        ty + rz * x + (1 + s) * y - rx * z,
        tz - ry * x + rx * y + (1 + s) * z,
    )


def _transverse_mercator(lat: float, lon: float) -> Point:
    a, b = _AIRY1830
    e2 = 1 - (b * b) / (a * a)
    n = (a - b) / (a + b)
    sin_lat, cos_lat, tan_lat = math.sin(lat), math.cos(lat), math.tan(lat)
    nu = a * _F0 / math.sqrt(1 - e2 * sin_lat**2)
    rho = a * _F0 * (1 - e2) / (1 - e2 * sin_lat**2) ** 1.5
    eta2 = nu / rho - 1
    d_lat, s_lat = lat - _LAT0, lat + _LAT0
    meridian = (
        b
        * _F0
        * (
            (1 + n + 5 / 4 * n**2 + 5 / 4 * n**3) * d_lat
            - (3 * n + 3 * n**2 + 21 / 8 * n**3) * math.sin(d_lat) * math.cos(s_lat)
            + (15 / 8 * n**2 + 15 / 8 * n**3) * math.sin(2 * d_lat) * math.cos(2 * s_lat)
            - 35 / 24 * n**3 * math.sin(3 * d_lat) * math.cos(3 * s_lat)
        )
    )
    i = meridian + _N0
    ii = nu / 2 * sin_lat * cos_lat
    iii = nu / 24 * sin_lat * cos_lat**3 * (5 - tan_lat**2 + 9 * eta2)
    iiia = nu / 720 * sin_lat * cos_lat**5 * (61 - 58 * tan_lat**2 + tan_lat**4)
    iv = nu * cos_lat
    v = nu / 6 * cos_lat**3 * (nu / rho - tan_lat**2)
    vi = (
        nu
        / 120
        * cos_lat**5
        * (5 - 18 * tan_lat**2 + tan_lat**4 + 14 * eta2 - 58 * tan_lat**2 * eta2)
    )
    d_lon = lon - _LON0
    northing = i + ii * d_lon**2 + iii * d_lon**4 + iiia * d_lon**6
    easting = _E0 + iv * d_lon + v * d_lon**3 + vi * d_lon**5
    return easting, northing


def wgs84_to_bng(lon: float, lat: float) -> Point:
    """Longitude and latitude in degrees (WGS84) to British National Grid metres."""
    x, y, z = _to_cartesian(math.radians(lat), math.radians(lon), _GRS80)
    lat_osgb, lon_osgb = _to_geodetic(*_helmert(x, y, z), _AIRY1830)
    return _transverse_mercator(lat_osgb, lon_osgb)


# --- measuring ------------------------------------------------------------------------


def ring_signed_area(ring: Sequence[Point]) -> float:
    """The signed area of a ring: positive when anticlockwise (with y pointing north)."""
    total = 0.0
    for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
        total += x1 * y2 - x2 * y1
    return total / 2


def shape_area(shape: Shape) -> float:
    """The area of a shape: its outer rings less their holes."""
    return sum(
        abs(ring_signed_area(polygon[0])) - sum(abs(ring_signed_area(h)) for h in polygon[1:])
        for polygon in shape
        if polygon
    )


def shape_centre(shape: Shape) -> Point:
    """The area-weighted centroid of a shape (holes subtracted)."""
    total_area = cx = cy = 0.0
    for polygon in shape:
        for index, ring in enumerate(polygon):
            area = ring_signed_area(ring)
            if area == 0:
                continue
            sign = 1 if index == 0 else -1
            ax = ay = 0.0
            for (x1, y1), (x2, y2) in zip(ring, [*ring[1:], ring[0]], strict=True):
                cross = x1 * y2 - x2 * y1
                ax += (x1 + x2) * cross
                ay += (y1 + y2) * cross
            # (ax, ay) / (6 * area) is the ring's centroid; weight it by |area|.
            weight = sign * abs(area)
            cx += weight * ax / (6 * area)
            cy += weight * ay / (6 * area)
            total_area += weight
    if total_area <= 0:
        points = [p for polygon in shape for ring in polygon for p in ring]
        return (
            sum(p[0] for p in points) / len(points),
            sum(p[1] for p in points) / len(points),
        )
    return cx / total_area, cy / total_area


def bounds(shape: Shape) -> tuple[float, float, float, float]:
    xs = [p[0] for polygon in shape for ring in polygon for p in ring]
    ys = [p[1] for polygon in shape for ring in polygon for p in ring]
    return min(xs), min(ys), max(xs), max(ys)


# --- simplification -------------------------------------------------------------------


def open_ring(ring: Iterable[Sequence[float]]) -> Ring:
    """A ring as a list of points without the repeated closing point."""
    points: Ring = [(float(p[0]), float(p[1])) for p in ring]
    if len(points) > 1 and points[0] == points[-1]:
        points.pop()
    return points


def _douglas_peucker(points: Sequence[Point], tolerance: float) -> list[int]:
    """Indices (first and last included) of the points that Douglas-Peucker keeps."""
    keep = {0, len(points) - 1}
    stack = [(0, len(points) - 1)]
    squared = tolerance * tolerance
    while stack:
        first, last = stack.pop()
        if last - first < 2:
            continue
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        length2 = dx * dx + dy * dy
        farthest, farthest_d2 = -1, -1.0
        for index in range(first + 1, last):
            px, py = points[index]
            if length2 == 0:
                d2 = (px - x1) ** 2 + (py - y1) ** 2
            else:
                cross = dx * (py - y1) - dy * (px - x1)
                d2 = cross * cross / length2
            if d2 > farthest_d2:
                farthest, farthest_d2 = index, d2
        if farthest_d2 > squared:
            keep.add(farthest)
            stack.append((first, farthest))
            stack.append((farthest, last))
    return sorted(keep)


def _fixed_points(ring: Ring, owners: dict[Point, frozenset[int]]) -> list[int]:
    """Where the ring's neighbours change: points both sides of a shared edge agree on."""
    count = len(ring)
    fixed = [
        index
        for index in range(count)
        if owners[ring[index]] != owners[ring[index - 1]]
        or owners[ring[index]] != owners[ring[(index + 1) % count]]
    ]
    if len(fixed) < 2:
        # A ring with one neighbour all round (an island or an enclave): fix its lowest point
        # and the point farthest from it, which both sides find the same way.
        start = min(range(count), key=lambda i: ring[i])
        sx, sy = ring[start]
        far = max(range(count), key=lambda i: (ring[i][0] - sx) ** 2 + (ring[i][1] - sy) ** 2)
        fixed = sorted({start, far, *fixed})
    return fixed


def simplify_ring(ring: Ring, fixed: list[int], tolerance: float) -> Ring:
    """Douglas-Peucker between consecutive fixed points of a closed ring."""
    count = len(ring)
    kept: Ring = []
    for position, start in enumerate(fixed):
        end = fixed[(position + 1) % len(fixed)]
        if end <= start:
            end += count
        section = [ring[index % count] for index in range(start, end + 1)]
        kept.extend(section[index] for index in _douglas_peucker(section, tolerance)[:-1])
    return kept


def simplify_features(
    shapes: dict[str, Shape], tolerance: float, min_island_area: float = 0.0
) -> dict[str, Shape]:
    """Simplify every shape, keeping the edges that shapes share identical on both sides.

    Islands (rings that touch no other shape) smaller than `min_island_area` are dropped,
    but every shape keeps at least its largest polygon.
    """
    owners_sets: dict[Point, set[int]] = defaultdict(set)
    keys = list(shapes)
    for number, key in enumerate(keys):
        for polygon in shapes[key]:
            for ring in polygon:
                for point in ring:
                    owners_sets[point].add(number)
    owners = {point: frozenset(numbers) for point, numbers in owners_sets.items()}

    simplified: dict[str, Shape] = {}
    for key in keys:
        polygons: Shape = []
        largest = max(shapes[key], key=lambda polygon: abs(ring_signed_area(polygon[0])))
        for polygon in shapes[key]:
            outer = polygon[0]
            lonely = all(len(owners[point]) == 1 for point in outer)
            if polygon is not largest and lonely and abs(ring_signed_area(outer)) < min_island_area:
                continue
            rings: Polygon = []
            for ring in polygon:
                if len(ring) < 3:
                    continue
                kept = simplify_ring(ring, _fixed_points(ring, owners), tolerance)
                if len(kept) >= 3 and ring_signed_area(kept) != 0:
                    rings.append(kept)
                elif not rings:
                    break  # the outer ring vanished: drop the polygon and its holes
            if rings:
                polygons.append(rings)
        simplified[key] = polygons or [[list(largest[0])]]
    return simplified


# --- SVG ------------------------------------------------------------------------------


def to_map_units(point: Point) -> tuple[int, int]:
    """British National Grid metres to whole map units, y pointing south."""
    return round(point[0] / MAP_UNIT), round((MAP_TOP - point[1]) / MAP_UNIT)


def _numbers(values: Iterable[int | float]) -> str:
    """Numbers joined as SVG allows: a minus sign separates as well as a space."""
    text = ""
    for value in values:
        number = f"{value:g}" if isinstance(value, float) else str(value)
        if text and not number.startswith("-"):
            text += " "
        text += number
    return text


def svg_path(shape: Shape) -> str:
    """Rings in British National Grid metres as an SVG path of relative moves in map units."""
    parts = []
    for polygon in shape:
        for ring in polygon:
            points = []
            for point in ring:
                unit_point = to_map_units(point)
                if not points or unit_point != points[-1]:
                    points.append(unit_point)
            while len(points) > 1 and points[-1] == points[0]:
                points.pop()
            if len(points) < 3:
                continue
            deltas = []
            for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
                deltas.extend((x2 - x1, y2 - y1))
            parts.append(f"M{_numbers(points[0])}l{_numbers(deltas)}z")
    return "".join(parts)


def unit_bounds(shape: Shape) -> tuple[int, int, int, int]:
    """The shape's bounds in map units: min x, min y, max x, max y (y pointing south)."""
    west, south, east, north = bounds(shape)
    x1, y1 = to_map_units((west, north))
    x2, y2 = to_map_units((east, south))
    return x1, y1, x2, y2
