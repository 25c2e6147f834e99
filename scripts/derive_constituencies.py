"""Derive constituencies/data/constituencies.json from the ONS boundaries and hex files.

Usage: .venv/bin/python -m scripts.derive_constituencies [MAPS-DIR] [--preview DIR]

Needs the `maps` extra (numpy, scipy): `.venv/bin/pip install -e '.[maps]'`.
MAPS-DIR defaults to ../shared/data/maps (see its SOURCES.md). For each boundary set
(2010–2024 and from July 2024) it writes facts only: ONS code, name, nation, region,
electorate where known, the centre point of the boundary (British National Grid metres),
and the position of the constituency on our own hex layout, computed by
`scripts.hex_layout` from the centre points and the boundaries' neighbours. From the
published hex files it takes the region of each constituency and, for 2010–2024, its
electorate; their layouts are never read.

`--preview DIR` also writes hex-2010.svg and hex-2024.svg, the layouts coloured by region
beside the boundaries, for looking at.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

import numpy as np

from constituencies.areas import NATION_BY_CODE_LETTER, REGION_BY_CODE
from constituencies.geometry import (
    open_ring,
    shape_area,
    shape_centre,
    simplify_features,
    svg_path,
    wgs84_to_bng,
)
from scripts.hex_layout import cell_centres, hex_layout

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "constituencies" / "data" / "constituencies.json"
SETS = {
    "2010": ("Westminster_PCON_Dec_2022_UK_BUC.geojson", "PCON22", "constituencies-2010.hexjson"),
    "2024": ("Westminster_PCON_July_2024_UK_BUC.geojson", "PCON24", "constituencies-2024.hexjson"),
}
# The 2010 hex file names regions by these short codes.
REGION_BY_SHORT_CODE = {
    "NE": "E12000001",
    "NW": "E12000002",
    "YH": "E12000003",
    "EM": "E12000004",
    "WM": "E12000005",
    "EA": "E12000006",
    "LO": "E12000007",
    "SE": "E12000008",
    "SW": "E12000009",
    "WA": "W92000004",
    "SC": "S92000003",
    "NI": "N92000002",
}
CREDIT = (
    "Derived by scripts/derive_constituencies.py from Office for National Statistics "
    "Westminster constituency boundaries (Open Government Licence v3.0; contains OS data "
    "© Crown copyright and database right), as simplified by Open Innovations (CC BY 4.0), "
    "and from the regions and electorates in the Open Innovations / ODI Leeds HexJSON files "
    "(2010: MIT; 2024: CC BY 4.0). The hex positions are this project's own layout."
)


def read_shapes(path: Path, prefix: str) -> tuple[dict[str, list], dict[str, str]]:
    """Projected shapes and names by ONS code."""
    document = json.loads(path.read_text())
    shapes, names = {}, {}
    for feature in document["features"]:
        code = feature["properties"][f"{prefix}CD"]
        geometry = feature["geometry"]
        polygons = (
            geometry["coordinates"]
            if geometry["type"] == "MultiPolygon"
            else [geometry["coordinates"]]
        )
        shapes[code] = [
            [[wgs84_to_bng(*point) for point in open_ring(ring)] for ring in polygon]
            for polygon in polygons
        ]
        names[code] = feature["properties"][f"{prefix}NM"]
    return shapes, names


def neighbours(shapes: dict[str, list]) -> set[tuple[str, str]]:
    """Pairs of constituencies whose boundaries share at least two points."""
    owners = defaultdict(set)
    for code, shape in shapes.items():
        for polygon in shape:
            for ring in polygon:
                for point in ring:
                    owners[point].add(code)
    shared = defaultdict(int)
    for codes in owners.values():
        ordered = sorted(codes)
        for i, a in enumerate(ordered):
            for b in ordered[i + 1 :]:
                shared[a, b] += 1
    return {pair for pair, count in shared.items() if count >= 2}


def links_for(codes, centres, nations, pairs) -> list[tuple[int, int]]:
    """Neighbour pairs, plus links that tie each island group to the rest of its nation."""
    index = {code: number for number, code in enumerate(codes)}
    links = {(index[a], index[b]) for a, b in pairs}
    for nation in sorted(set(nations)):
        members = [i for i, n in enumerate(nations) if n == nation]
        # Group the nation's constituencies by land contact.
        group_of = {i: i for i in members}

        def find(i, group_of=group_of):
            while group_of[i] != i:
                group_of[i] = group_of[group_of[i]]
                i = group_of[i]
            return i

        for a, b in links:
            if a in group_of and b in group_of:
                group_of[find(a)] = find(b)
        groups = defaultdict(list)
        for i in members:
            groups[find(i)].append(i)
        ordered = sorted(groups.values(), key=len, reverse=True)
        mainland = ordered[0]
        for island in ordered[1:]:
            # Tie each island constituency to its two nearest mainland constituencies.
            for i in island:
                distances = np.hypot(*(centres[mainland] - centres[i]).T)
                for j in np.argsort(distances)[:2]:
                    links.add((i, mainland[j]))
    return sorted(links)


def derive_set(maps_dir: Path, boundary_set: str) -> tuple[list[dict], dict]:
    boundary_file, prefix, hex_file = SETS[boundary_set]
    shapes, names = read_shapes(maps_dir / boundary_file, prefix)
    hexes = json.loads((maps_dir / hex_file).read_text())["hexes"]
    if set(hexes) != set(shapes):
        raise SystemExit(f"{hex_file} and {boundary_file} name different constituencies")
    codes = sorted(shapes)
    centres = np.array([shape_centre(shapes[code]) for code in codes])
    nations = [NATION_BY_CODE_LETTER[code[0]].value for code in codes]
    regions = []
    for code in codes:
        facts = hexes[code]
        regions.append(facts["region"] if "region" in facts else REGION_BY_SHORT_CODE[facts["a"]])
    links = links_for(codes, centres, nations, neighbours(shapes))
    total_area = sum(shape_area(shape) for shape in shapes.values())
    layout, summary = hex_layout(
        codes, centres, nations, regions, links, total_area, [shapes[code] for code in codes]
    )
    print(f"{boundary_set}: {summary}")
    records = []
    for number, code in enumerate(codes):
        region = REGION_BY_CODE[regions[number]]
        records.append(
            {
                "ons_code": code,
                "name": names[code],
                "nation": nations[number],
                "region_code": region.ons_code,
                "region_name": region.name,
                "electorate": hexes[code].get("e"),
                "centre": [round(value) for value in centres[number]],
                "hex": list(layout[code]),
            }
        )
    return records, shapes


REGION_COLOURS = [
    "#1b9e77",
    "#d95f02",
    "#7570b3",
    "#e7298a",
    "#66a61e",
    "#e6ab02",
    "#a6761d",
    "#666666",
    "#1f78b4",
    "#b2df8a",
    "#fb9a99",
    "#cab2d6",
]


def preview(records: list[dict], shapes: dict, path: Path) -> None:
    """An SVG of the hex layout beside the simplified boundaries, coloured by region."""
    colours = {code: REGION_COLOURS[n] for n, code in enumerate(sorted(REGION_BY_CODE))}
    cells = np.array([record["hex"] for record in records])
    points = cell_centres(cells) * 20 + 20
    hexagon = "l10 -5.77 10 5.77v11.55l-10 5.77-10-5.77v-11.55z"
    parts = [
        f'<path d="M{x - 10:.1f} {y + 5.77 - 11.55:.1f}{hexagon}"'
        f' fill="{colours[r["region_code"]]}"'
        f' stroke="#fff" stroke-width="1"><title>{r["name"]}</title></path>'
        for (x, y), r in zip(points, records, strict=True)
    ]
    width, height = points[:, 0].max() + 40, points[:, 1].max() + 40
    simplified = simplify_features(shapes, 500, 2e6)
    geo = [
        f'<path d="{svg_path(simplified[r["ons_code"]])}" fill="{colours[r["region_code"]]}"'
        f' stroke="#fff" stroke-width="4"/>'
        for r in records
    ]
    path.write_text(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width * 2:.0f}" height="{height:.0f}">'
        f'<rect width="100%" height="100%" fill="#fff"/>{"".join(parts)}'
        f'<svg x="{width:.0f}" width="{width:.0f}" height="{height:.0f}" viewBox="0 0 7000 13000">'
        f"{''.join(geo)}</svg></svg>"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("maps_dir", nargs="?", type=Path, default=ROOT.parent / "shared/data/maps")
    parser.add_argument("--preview", type=Path, help="a folder for SVG previews of the layouts")
    args = parser.parse_args()
    document = {"credit": CREDIT, "boundary_sets": {}}
    for boundary_set in SETS:
        records, shapes = derive_set(args.maps_dir, boundary_set)
        document["boundary_sets"][boundary_set] = records
        if args.preview:
            args.preview.mkdir(parents=True, exist_ok=True)
            preview(records, shapes, args.preview / f"hex-{boundary_set}.svg")
        print(f"{boundary_set}: {len(records)} constituencies")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    sets = []
    for boundary_set, records in document["boundary_sets"].items():
        lines = ",\n".join(f"   {json.dumps(r, ensure_ascii=False)}" for r in records)
        sets.append(f'  "{boundary_set}": [\n{lines}\n  ]')
    OUTPUT.write_text(
        "{\n"
        f'"credit": {json.dumps(CREDIT, ensure_ascii=False)},\n'
        '"boundary_sets": {\n' + ",\n".join(sets) + "\n}\n}\n"
    )
    print(f"wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
