"""Our own hex layout of the constituencies, computed from their centre points.

Build-time only: `python -m scripts.derive_constituencies` runs it (it needs numpy and
scipy, from the `maps` extra) and commits the result; the site reads that result and
never imports this module.

1. Equalise density with a diffusion cartogram (Gastner and Newman, 2004): each
   constituency's land becomes a density of one seat over its area, the sea takes the
   mean density, and the centre points flow with the density as it diffuses to uniform.
   Crowded London swells, the empty Highlands shrink, and neighbours stay neighbours.
2. Tidy with a Dorling-style relaxation: equal discs, one per constituency, push apart
   where they overlap and neighbours pull together, each held near its cartogram point.
3. Snap to a hexagonal grid whose cell spacing is the disc diameter, with an optimal
   assignment (`scipy.optimize.linear_sum_assignment`) minimising the squared distance
   from each disc to its cell, plus a penalty for taking a cell that lies in another
   nation's or region's territory (the cells nearest its discs).
4. Repair: any constituency left cut off from the rest of its nation moves to a free cell
   that touches its nation, as close as possible to where it was.

Coordinates are axial (q, r) for pointy-topped hexagons with r growing southwards: the
centre of cell (q, r) is at x = q + r / 2, y = r * sqrt(3) / 2 in cell widths.
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
from scipy.fft import dctn, idctn
from scipy.ndimage import map_coordinates
from scipy.optimize import linear_sum_assignment
from scipy.spatial import cKDTree

ROW = math.sqrt(3) / 2
NEIGHBOUR_STEPS = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)]


def cell_centres(cells: np.ndarray) -> np.ndarray:
    """Axial cells (n × 2) to centres in cell widths, y pointing south."""
    return np.column_stack([cells[:, 0] + cells[:, 1] / 2, cells[:, 1] * ROW])


def rasterise(shapes: list, origin: tuple[float, float], pixel: float, size: tuple[int, int]):
    """The number of the shape covering each pixel centre (-1 for none), by even-odd scanlines."""
    columns, rows = size
    owner = np.full((rows, columns), -1, dtype=int)
    x0, y0 = origin
    for number, shape in enumerate(shapes):
        crossings = defaultdict(list)
        for polygon in shape:
            for ring in polygon:
                points = np.array(ring)
                xs = (points[:, 0] - x0) / pixel
                ys = (points[:, 1] - y0) / pixel
                for x1, y1, x2, y2 in zip(xs, ys, np.roll(xs, -1), np.roll(ys, -1), strict=True):
                    if y1 == y2:
                        continue
                    low, high = min(y1, y2), max(y1, y2)
                    for row in range(math.ceil(low - 0.5), math.ceil(high - 0.5)):
                        y = row + 0.5
                        crossings[row].append(x1 + (y - y1) * (x2 - x1) / (y2 - y1))
        for row, xs_at_row in crossings.items():
            if not 0 <= row < rows:
                continue
            xs_sorted = sorted(xs_at_row)
            for start, end in zip(xs_sorted[::2], xs_sorted[1::2], strict=False):
                first = max(math.ceil(start - 0.5), 0)
                last = min(math.ceil(end - 0.5), columns)
                owner[row, first:last] = number
    return owner


def diffuse(
    shapes: list, centres: np.ndarray, pixel: float = 2_000.0, margin: float = 150_000.0
) -> np.ndarray:
    """Move centre points (metres) through a diffusion cartogram of equal seats (see above)."""
    west, south = centres.min(axis=0) - margin - 100_000
    east, north = centres.max(axis=0) + margin + 100_000
    columns = int(2 ** math.ceil(math.log2((east - west) / pixel)))
    rows = int(2 ** math.ceil(math.log2((north - south) / pixel)))
    owner = rasterise(shapes, (west, south), pixel, (columns, rows))
    pixels_per_shape = np.bincount(owner[owner >= 0], minlength=len(shapes)).astype(float)
    # A shape too small to cover a pixel centre still holds its seat, at its centre point.
    density = np.zeros((rows, columns))
    inside = owner >= 0
    density[inside] = 1.0 / np.maximum(pixels_per_shape[owner[inside]], 1)
    grid = ((centres - [west, south]) / pixel).astype(int)
    for number in np.flatnonzero(pixels_per_shape == 0):
        column, row = grid[number]
        density[row, column] += 1.0
    land = inside | (density > 0)
    density[~land] = density[land].sum() / land.sum()
    spectrum = dctn(density, type=2, norm="ortho")
    ky = np.pi * np.arange(rows) / rows
    kx = np.pi * np.arange(columns) / columns
    decay = ky[:, None] ** 2 + kx[None, :] ** 2

    def velocity(at_time: float, where: np.ndarray) -> np.ndarray:
        field = idctn(spectrum * np.exp(-decay * at_time), type=2, norm="ortho")
        gradient_y, gradient_x = np.gradient(field)
        at = [where[:, 1] - 0.5, where[:, 0] - 0.5]
        value = map_coordinates(field, at, order=1, mode="nearest")
        return (
            -np.column_stack(
                [
                    map_coordinates(gradient_x, at, order=1, mode="nearest"),
                    map_coordinates(gradient_y, at, order=1, mode="nearest"),
                ]
            )
            / value[:, None]
        )

    points = (centres - [west, south]) / pixel  # in pixels: x along columns, y along rows
    time, step = 1.0, 0.1  # start from the density blurred over about a pixel
    end = 5 / decay[0, 1] + 5 / decay[1, 0]
    while time < end:
        # Heun's method, with a step that moves no point by more than half a pixel.
        first = velocity(time, points)
        step = min(step * 1.5, 0.5 / max(np.abs(first).max(), 1e-12), end - time)
        second = velocity(time + step, points + step * first)
        points += step * (first + second) / 2
        time += step
    return points * pixel + [west, south]


def relax(
    centres: np.ndarray,
    links: list[tuple[int, int]],
    spacing: float,
    iterations: int = 300,
    anchor: float = 0.03,
    pull: float = 0.05,
    grow_from: float = 0.7,
) -> np.ndarray:
    """Dorling-style relaxation of equal discs of diameter `spacing` (see the module doc)."""
    positions = centres.astype(float).copy()
    links_array = np.array(links, dtype=int)
    for iteration in range(iterations):
        # Grow the discs over the first half, so the layout unfolds without tangling.
        diameter = spacing * min(1.0, grow_from + (1 - grow_from) * iteration / (iterations / 2))
        pairs = cKDTree(positions).query_pairs(diameter, output_type="ndarray")
        moves = np.zeros_like(positions)
        if len(pairs):
            a, b = pairs[:, 0], pairs[:, 1]
            delta = positions[b] - positions[a]
            distance = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-6)[:, None]
            push = (diameter - distance) / 2 * delta / distance * 0.5
            np.add.at(moves, a, -push)
            np.add.at(moves, b, push)
        a, b = links_array[:, 0], links_array[:, 1]
        delta = positions[b] - positions[a]
        distance = np.maximum(np.hypot(delta[:, 0], delta[:, 1]), 1e-6)[:, None]
        stretch = np.maximum(distance - diameter, 0) * pull * delta / distance
        np.add.at(moves, a, stretch)
        np.add.at(moves, b, -stretch)
        moves += anchor * (centres - positions)
        positions += moves
    return positions


def _territory_cost(
    cell_points: np.ndarray, positions: np.ndarray, labels: list[str]
) -> np.ndarray:
    """1 where a cell's nearest disc has another label than the constituency, else 0."""
    _, nearest = cKDTree(positions).query(cell_points)
    label_ids = {label: number for number, label in enumerate(sorted(set(labels)))}
    own = np.array([label_ids[label] for label in labels])
    return (own[:, None] != own[nearest][None, :]).astype(float)


def assign(
    positions: np.ndarray,
    nations: list[str],
    regions: list[str],
    nation_penalty: float = 6.0,
    region_penalty: float = 1.5,
) -> np.ndarray:
    """Optimal assignment of relaxed positions (in cell widths, y south) to grid cells."""
    q_of = positions[:, 0] - positions[:, 1] / ROW / 2
    r_of = positions[:, 1] / ROW
    candidates = set()
    for q, r in zip(np.round(q_of).astype(int), np.round(r_of).astype(int), strict=True):
        for dq in range(-3, 4):
            for dr in range(-3, 4):
                if abs(dq + dr) <= 3:
                    candidates.add((q + dq, r + dr))
    cells = np.array(sorted(candidates))
    cell_points = cell_centres(cells)
    delta = positions[:, None, :] - cell_points[None, :, :]
    cost = (delta**2).sum(axis=2)
    cost += nation_penalty * _territory_cost(cell_points, positions, nations)
    cost += region_penalty * _territory_cost(cell_points, positions, regions)
    rows, columns = linear_sum_assignment(cost)
    result = np.zeros((len(positions), 2), dtype=int)
    result[rows] = cells[columns]
    return result


def _around(cell: tuple[int, int]) -> list[tuple[int, int]]:
    q, r = cell
    return [(q + dq, r + dr) for dq, dr in NEIGHBOUR_STEPS]


class Grid:
    """Constituencies on cells, with the repairs that follow the optimal assignment."""

    def __init__(self, cells: np.ndarray, positions: np.ndarray, nations, regions):
        self.cell = [tuple(int(v) for v in cell) for cell in cells]
        self.at = {cell: number for number, cell in enumerate(self.cell)}
        self.positions = positions
        self.nations = list(nations)
        self.regions = list(regions)

    def cost(self, number: int, cell: tuple[int, int]) -> float:
        centre = cell_centres(np.array([cell]))[0]
        return float(((centre - self.positions[number]) ** 2).sum())

    def move(self, number: int, cell: tuple[int, int]) -> None:
        del self.at[self.cell[number]]
        self.cell[number] = cell
        self.at[cell] = number

    def swap(self, a: int, b: int) -> None:
        self.cell[a], self.cell[b] = self.cell[b], self.cell[a]
        self.at[self.cell[a]], self.at[self.cell[b]] = a, b

    def groups(self, labels: list[str], label: str) -> list[set[int]]:
        """The touching groups of the constituencies with `label`, largest first."""
        members = {n for n, other in enumerate(labels) if other == label}
        groups, seen = [], set()
        for start in sorted(members):
            if start in seen:
                continue
            group, queue = set(), [start]
            seen.add(start)
            while queue:
                number = queue.pop()
                group.add(number)
                for cell in _around(self.cell[number]):
                    other = self.at.get(cell)
                    if other in members and other not in seen:
                        seen.add(other)
                        queue.append(other)
            groups.append(group)
        return sorted(groups, key=lambda group: (-len(group), min(group)))

    def join_strays(self, labels: list[str], same_nation: bool) -> None:
        """Bring constituencies cut off from their group (nation or region) next to it."""
        for _ in range(200):
            changed = False
            for label in sorted(set(labels)):
                groups = self.groups(labels, label)
                if len(groups) == 1:
                    continue
                main = groups[0]
                frontier = {
                    cell
                    for number in main
                    for cell in _around(self.cell[number])
                    if self.at.get(cell) not in main
                }
                best = None
                for stray in sorted(set().union(*groups[1:])):
                    for cell in frontier:
                        other = self.at.get(cell)
                        if other is None:
                            if same_nation:
                                continue  # regions change places, they never leave gaps
                            change = self.cost(stray, cell) - self.cost(stray, self.cell[stray])
                        else:
                            if same_nation and self.nations[other] != self.nations[stray]:
                                continue
                            change = (
                                self.cost(stray, cell)
                                + self.cost(other, self.cell[stray])
                                - self.cost(stray, self.cell[stray])
                                - self.cost(other, cell)
                            )
                        if best is None or change < best[0]:
                            best = (change, stray, cell)
                if best is None:
                    continue
                _, stray, cell = best
                other = self.at.get(cell)
                if other is None:
                    self.move(stray, cell)
                else:
                    self.swap(stray, other)
                changed = True
            if not changed:
                return

    def exterior(self) -> set[tuple[int, int]]:
        """Empty cells joined to the open sea around the map."""
        xs = [q + r / 2 for q, r in self.cell]
        rs = [r for _, r in self.cell]
        x_low, x_high, r_low, r_high = min(xs) - 2, max(xs) + 2, min(rs) - 2, max(rs) + 2

        def inside(cell):
            q, r = cell
            return x_low <= q + r / 2 <= x_high and r_low <= r <= r_high

        start = (math.ceil(x_low - r_low / 2), r_low)
        sea, queue = {start}, [start]
        while queue:
            for cell in _around(queue.pop()):
                if inside(cell) and cell not in self.at and cell not in sea:
                    sea.add(cell)
                    queue.append(cell)
        return sea

    def occupied_around(self, cell: tuple[int, int]) -> int:
        return sum(1 for near in _around(cell) if near in self.at)

    def holes(self) -> list[tuple[int, int]]:
        """Empty cells closed in by the map, or bays with four or more sides of land."""
        sea = self.exterior()
        return sorted(
            cell
            for cell in {c for cell in self.cell for c in _around(cell)} - set(self.at)
            if cell not in sea or self.occupied_around(cell) >= 4
        )

    def fill_holes(self) -> None:
        """Close gaps and deep bays by shifting a line of cells out to a point on the coast.

        The cell emptied at the end of the line must have three land neighbours at most,
        so that no new bay opens; a gap with no such line within reach stays.
        """
        stuck: set[tuple[int, int]] = set()
        for _ in range(400):
            holes = [cell for cell in self.holes() if cell not in stuck]
            if not holes:
                return
            hole = holes[0]
            sea = self.exterior() - {hole}
            previous = {hole: None}
            layer, end = [hole], None
            for _depth in range(40):
                following = []
                for cell in layer:
                    for step in _around(cell):
                        if step not in previous and step in self.at:
                            previous[step] = cell
                            following.append(step)
                ends = [
                    cell
                    for cell in following
                    if any(near in sea for near in _around(cell))
                    and self.occupied_around(cell) + (hole in _around(cell)) <= 3
                ]
                if ends:
                    end = min(ends, key=lambda cell: (self.occupied_around(cell), cell))
                    break
                layer = following
            if end is None:
                stuck.add(hole)
                continue
            path = [end]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])
            # path runs from the coast back to the hole: shift each constituency one step in.
            for index in range(len(path) - 2, -1, -1):
                self.move(self.at[path[index]], path[index + 1])

    def tidy_coast(self) -> None:
        """Move cells that stick out alone into nearby bays of their own nation."""
        for _ in range(20):
            changed = False
            for number in range(len(self.cell)):
                nation = self.nations[number]
                here = self.cell[number]
                friends = [self.at.get(cell) for cell in _around(here)]
                if sum(1 for o in friends if o is not None and self.nations[o] == nation) > 1:
                    continue
                best = None
                for cell in {c for near in _around(here) for c in _around(near)} - {here}:
                    if cell in self.at:
                        continue
                    around = [self.at.get(c) for c in _around(cell)]
                    own = sum(
                        1
                        for o in around
                        if o is not None and o != number and self.nations[o] == nation
                    )
                    if own < 3:
                        continue
                    score = (-own, self.cost(number, cell))
                    if best is None or score < best[0]:
                        best = (score, cell)
                if best is not None:
                    self.move(number, best[1])
                    changed = True
            if not changed:
                return

    def is_tidy(self) -> bool:
        return not self.holes() and all(
            len(self.groups(labels, label)) == 1
            for labels in (self.nations, self.regions)
            for label in set(labels)
        )

    def report(self) -> str:
        nation_groups = {n: len(self.groups(self.nations, n)) for n in sorted(set(self.nations))}
        split_regions = {
            r: len(self.groups(self.regions, r))
            for r in sorted(set(self.regions))
            if len(self.groups(self.regions, r)) > 1
        }
        holes = len(self.holes())
        displacement = np.mean(
            [self.cost(number, cell) ** 0.5 for number, cell in enumerate(self.cell)]
        )
        return (
            f"groups per nation {nation_groups}, regions in pieces {split_regions or 'none'}, "
            f"holes {holes}, mean displacement {displacement:.2f} cells"
        )


def hex_layout(
    codes: list[str],
    centres: np.ndarray,
    nations: list[str],
    regions: list[str],
    links: list[tuple[int, int]],
    total_area: float,
    shapes: list,
) -> tuple[dict[str, tuple[int, int]], str]:
    """(q, r) for each code, and a line about the result.

    `centres` are British National Grid metres (y north); `links` pair neighbours.
    """
    flowed = diffuse(shapes, centres)
    screen = np.column_stack([flowed[:, 0], -flowed[:, 1]])
    spacing = math.sqrt(2 * total_area / (math.sqrt(3) * len(codes)))
    relaxed = relax(screen, links, spacing) / spacing
    grid = Grid(assign(relaxed, nations, regions), relaxed, nations, regions)
    for _ in range(5):
        grid.join_strays(nations, same_nation=False)
        grid.tidy_coast()
        grid.fill_holes()
        grid.join_strays(regions, same_nation=True)
        if grid.is_tidy():
            break
    cells = np.array(grid.cell)
    # Move the grid so that its top row is r = 0 and its leftmost centre is at x >= 0.
    cells[:, 1] -= cells[:, 1].min()
    cells[:, 0] -= math.floor((cells[:, 0] + cells[:, 1] / 2).min())
    layout = {code: (int(q), int(r)) for code, (q, r) in zip(codes, cells, strict=True)}
    return layout, grid.report()
