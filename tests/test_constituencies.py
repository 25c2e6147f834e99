"""Constituency facts of both boundary sets, and importing real boundaries for the map."""

import json
from collections import Counter

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db import connections

from constituencies.geometry import wgs84_to_bng
from constituencies.maps import choose_boundary_set
from constituencies.models import BoundarySet, Constituency, ConstituencyBoundary

pytestmark = pytest.mark.django_db

BOUNDARIES_2010 = "Westminster_PCON_Dec_2022_UK_BUC.geojson"
BOUNDARIES_2024 = "Westminster_PCON_July_2024_UK_BUC.geojson"
# Code ranges of each set, from ../shared/MAPS.md.
RANGES = {
    "2010": {
        "E14": ("E14000530", "E14001062", 533),
        "W07": ("W07000041", "W07000080", 40),
        "S14": ("S14000001", "S14000059", 59),
        "N06": ("N06000001", "N06000018", 18),
    },
    "2024": {
        "E14": ("E14001063", "E14001605", 543),
        "W07": ("W07000081", "W07000112", 32),
        "S14": ("S14000021", "S14000111", 57),
        "N05": ("N05000001", "N05000018", 18),
    },
}
SHARED_SCOTTISH = ["S14000021", "S14000027", "S14000045", "S14000048", "S14000051"]


# --- facts ------------------------------------------------------------------------------


def nation_pieces(cells: dict[tuple[int, int], str]) -> dict[str, int]:
    """How many separate pieces each nation makes on the hex grid (axial coordinates)."""
    steps = [(1, 0), (-1, 0), (0, 1), (0, -1), (1, -1), (-1, 1)]
    pieces: Counter = Counter()
    seen = set()
    for start, nation in cells.items():
        if start in seen:
            continue
        pieces[nation] += 1
        seen.add(start)
        queue = [start]
        while queue:
            q, r = queue.pop()
            for dq, dr in steps:
                near = (q + dq, r + dr)
                if near not in seen and cells.get(near) == nation:
                    seen.add(near)
                    queue.append(near)
    return dict(pieces)


@pytest.mark.parametrize("boundary_set", ["2010", "2024"])
def test_each_set_holds_650_constituencies_in_its_code_ranges(boundary_set):
    codes = list(Constituency.objects.in_set(boundary_set).values_list("ons_code", flat=True))
    assert len(codes) == 650
    by_prefix = {}
    for code in codes:
        by_prefix.setdefault(code[:3], []).append(code)
    assert {
        prefix: (min(found), max(found), len(found)) for prefix, found in by_prefix.items()
    } == RANGES[boundary_set]


def test_five_unchanged_scottish_seats_are_in_both_sets():
    both = Counter(Constituency.objects.values_list("ons_code", flat=True))
    assert sorted(code for code, sets in both.items() if sets == 2) == SHARED_SCOTTISH


def test_poplar_and_limehouse_facts():
    poplar = Constituency.objects.get(boundary_set="2010", ons_code="E14000882")
    assert poplar.name == "Poplar and Limehouse"
    assert (poplar.nation, poplar.region_code, poplar.region_name) == (
        "england",
        "E12000007",
        "London",
    )
    assert poplar.electorate == 82_081
    # Its centre is in east London (British National Grid, metres).
    assert 533_000 < poplar.centre_x < 541_000
    assert 177_000 < poplar.centre_y < 184_000


@pytest.mark.parametrize(
    ("boundary_set", "area", "seats"),
    [
        ("2010", "london", 73),
        ("2010", "england", 533),
        ("2010", "scotland", 59),
        ("2010", "wales", 40),
        ("2010", "northern-ireland", 18),
        ("2010", "uk", 650),
        ("2024", "london", 75),
        ("2024", "wales", 32),
    ],
)
def test_areas_hold_their_seats(boundary_set, area, seats):
    assert Constituency.objects.in_set(boundary_set).in_area(area).count() == seats


def test_electorates_are_known_for_2010_only():
    assert not Constituency.objects.in_set("2010").filter(electorate__isnull=True).exists()
    assert not Constituency.objects.in_set("2024").filter(electorate__isnull=False).exists()


@pytest.mark.parametrize("boundary_set", ["2010", "2024"])
def test_hex_layout_keeps_each_nation_in_one_piece(boundary_set):
    cells = {(c.hex_q, c.hex_r): c.nation for c in Constituency.objects.in_set(boundary_set)}
    assert len(cells) == 650  # one cell each
    assert nation_pieces(cells) == {
        "england": 1,
        "scotland": 1,
        "wales": 1,
        "northern-ireland": 1,
    }


@pytest.mark.parametrize("boundary_set", ["2010", "2024"])
def test_hex_layout_keeps_the_uk_the_right_way_up(boundary_set):
    """Scotland above England, Wales west of London, Northern Ireland west of Scotland."""
    rows = {}
    columns = {}
    for c in Constituency.objects.in_set(boundary_set):
        key = c.region_name
        rows.setdefault(key, []).append(c.hex_r)
        columns.setdefault(key, []).append(c.hex_q + c.hex_r / 2)

    def mean(values):
        return sum(values) / len(values)

    assert mean(rows["Scotland"]) < mean(rows["North East"]) < mean(rows["London"])
    assert mean(rows["London"]) < mean(rows["South West"]) + 3
    assert mean(columns["Wales"]) < mean(columns["London"])
    assert mean(columns["Northern Ireland"]) < mean(columns["Scotland"])
    assert mean(columns["South West"]) < mean(columns["East of England"])


# --- which set a petition is drawn on ---------------------------------------------------


def test_sample_petition_is_drawn_on_the_2010_set(sample_petition):
    codes = sample_petition.constituency_signatures.values_list("ons_code", flat=True)
    assert choose_boundary_set(codes) == BoundarySet.SET_2010


def test_codes_of_the_2024_set_choose_it():
    assert choose_boundary_set(["E14001430", "S14000021", "N05000001"]) == "2024"


def test_shared_scottish_codes_alone_are_told_apart_by_date():
    import datetime as dt

    before = dt.datetime(2019, 3, 1, tzinfo=dt.UTC)
    after = dt.datetime(2024, 10, 1, tzinfo=dt.UTC)
    assert choose_boundary_set(SHARED_SCOTTISH, before) == "2010"
    assert choose_boundary_set(SHARED_SCOTTISH, after) == "2024"
    assert choose_boundary_set([], after) == "2024"
    assert choose_boundary_set([]) == "2010"


def test_a_majority_decides_a_breakdown_with_codes_of_both_sets():
    assert choose_boundary_set(["E14000882", "E14000530", "E14001430"]) == "2010"


# --- import_boundaries ------------------------------------------------------------------


@pytest.fixture
def maps_dir(data_dir):
    return data_dir / "maps"


@pytest.mark.parametrize(
    ("file_name", "boundary_set"), [(BOUNDARIES_2010, "2010"), (BOUNDARIES_2024, "2024")]
)
def test_import_boundaries_stores_a_path_for_every_constituency(
    maps_dir, capsys, file_name, boundary_set
):
    call_command("import_boundaries", str(maps_dir / file_name))
    assert "Imported 650 boundaries" in capsys.readouterr().out
    stored = ConstituencyBoundary.objects.filter(constituency__boundary_set=boundary_set)
    assert stored.count() == 650
    for boundary in stored:
        assert boundary.path.startswith("M") and boundary.path.endswith("z")
        assert boundary.min_x < boundary.max_x and boundary.min_y < boundary.max_y
        assert boundary.source == file_name
    # Both sets draw in a few hundred kilobytes at most.
    assert sum(len(b.path) for b in stored) < 300_000


def test_import_boundaries_projects_to_the_national_grid(maps_dir):
    call_command("import_boundaries", str(maps_dir / BOUNDARIES_2010))
    poplar = ConstituencyBoundary.objects.get(constituency__ons_code="E14000882")
    # Map units are 100 m, y counted south from northing 1,300 km: east London.
    assert 5_330 < poplar.min_x < poplar.max_x < 5_410
    assert 11_160 < poplar.min_y < poplar.max_y < 11_230


def test_import_boundaries_again_replaces_the_set(maps_dir):
    call_command("import_boundaries", str(maps_dir / BOUNDARIES_2010))
    first = dict(ConstituencyBoundary.objects.values_list("constituency_id", "path"))
    call_command("import_boundaries", str(maps_dir / BOUNDARIES_2010))
    assert dict(ConstituencyBoundary.objects.values_list("constituency_id", "path")) == first


def _geojson(maps_dir, name=BOUNDARIES_2010):
    return json.loads((maps_dir / name).read_text())


def test_import_boundaries_reads_british_national_grid(maps_dir, tmp_path):
    document = _geojson(maps_dir)
    for feature in document["features"]:
        feature["geometry"]["coordinates"] = [
            [[list(wgs84_to_bng(*point)) for point in ring] for ring in polygon]
            for polygon in feature["geometry"]["coordinates"]
        ]
    document["crs"] = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    bng = tmp_path / "bng.geojson"
    bng.write_text(json.dumps(document))
    call_command("import_boundaries", str(maps_dir / BOUNDARIES_2010))
    from_wgs84 = dict(ConstituencyBoundary.objects.values_list("constituency_id", "path"))
    call_command("import_boundaries", str(bng))
    assert dict(ConstituencyBoundary.objects.values_list("constituency_id", "path")) == from_wgs84


def _topojson(document: dict, quantize: bool) -> dict:
    """The GeoJSON as TopoJSON with one arc per ring: plain, with every other arc stored
    backwards (and used as ~index), or quantized and delta-encoded."""
    arcs, geometries = [], []
    scale, translate = (1e-5, 1e-5), (-9.0, 49.0)
    for feature in document["features"]:
        polygons = []
        for polygon in feature["geometry"]["coordinates"]:
            rings = []
            for ring in polygon:
                index = len(arcs)
                if quantize:
                    arc, previous = [], (0, 0)
                    for x, y in ring:
                        qx = round((x - translate[0]) / scale[0])
                        qy = round((y - translate[1]) / scale[1])
                        arc.append([qx - previous[0], qy - previous[1]])
                        previous = (qx, qy)
                    arcs.append(arc)
                    rings.append([index])
                elif index % 2:
                    arcs.append(ring[::-1])
                    rings.append([~index])
                else:
                    arcs.append(ring)
                    rings.append([index])
            polygons.append(rings)
        geometries.append(
            {"type": "MultiPolygon", "arcs": polygons, "properties": feature["properties"]}
        )
    topology = {
        "type": "Topology",
        "objects": {"constituencies": {"type": "GeometryCollection", "geometries": geometries}},
        "arcs": arcs,
    }
    if quantize:
        topology["transform"] = {"scale": list(scale), "translate": list(translate)}
    return topology


@pytest.mark.parametrize("quantize", [False, True])
def test_import_boundaries_reads_topojson(maps_dir, tmp_path, capsys, quantize):
    topojson = tmp_path / "constituencies.topojson"
    topojson.write_text(json.dumps(_topojson(_geojson(maps_dir), quantize)))
    call_command("import_boundaries", str(topojson))
    assert "Imported 650 boundaries of the 2010–2024 boundaries" in capsys.readouterr().out
    poplar = ConstituencyBoundary.objects.get(constituency__ons_code="E14000882")
    assert 5_330 < poplar.min_x < poplar.max_x < 5_410


def _bad_files(maps_dir, tmp_path):
    document = _geojson(maps_dir)
    wrong_codes = json.loads(json.dumps(document))
    for number, feature in enumerate(wrong_codes["features"]):
        feature["properties"] = {"LAD22CD": f"E07{number:06d}"}
    no_geometry = json.loads(json.dumps(document))
    no_geometry["features"][0]["geometry"] = None
    points = json.loads(json.dumps(document))
    points["features"][3]["geometry"] = {"type": "Point", "coordinates": [-0.1, 51.5]}
    partial = json.loads(json.dumps(document))
    partial["features"] = partial["features"][:600]
    files = {
        "not-json.geojson": ("not json {", "is not JSON"),
        "petition.json": (
            json.dumps({"type": "petition", "id": 1, "attributes": {}}),
            "expected a GeoJSON FeatureCollection or a TopoJSON Topology",
        ),
        "empty.geojson": (
            json.dumps({"type": "FeatureCollection", "features": []}),
            "it has no features",
        ),
        "wards.geojson": (
            json.dumps(wrong_codes),
            "E07000000 and 649 other codes in wards.geojson are not Westminster constituencies",
        ),
        "no-geometry.geojson": (json.dumps(no_geometry), "E14000530 has no geometry"),
        "points.geojson": (json.dumps(points), "E14000533 is a Point, not a Polygon"),
        "partial.geojson": (
            json.dumps(partial),
            "has 600 of the 650 constituencies of the 2010–2024 boundaries; missing",
        ),
    }
    for name, (text, _) in files.items():
        (tmp_path / name).write_text(text)
    return {tmp_path / name: message for name, (_, message) in files.items()}


def test_import_boundaries_refuses_bad_files_and_changes_nothing(maps_dir, tmp_path):
    call_command("import_boundaries", str(maps_dir / BOUNDARIES_2010))
    before = dict(ConstituencyBoundary.objects.values_list("constituency_id", "path"))
    for path, message in _bad_files(maps_dir, tmp_path).items():
        with pytest.raises(CommandError) as refused:
            call_command("import_boundaries", str(path))
        assert message in str(refused.value), path.name
        assert "\n" not in str(refused.value)
        after = dict(ConstituencyBoundary.objects.values_list("constituency_id", "path"))
        assert after == before, path.name


def test_import_boundaries_of_a_missing_file_exits_non_zero_with_one_line(
    tmp_path, capsys, monkeypatch
):
    missing = tmp_path / "nowhere.geojson"
    # As from the shell, but keep the test's database connection open afterwards.
    monkeypatch.setattr(connections, "close_all", lambda: None)
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "import_boundaries", str(missing)]).execute()
    assert exited.value.code == 1
    error = capsys.readouterr().err.strip()
    assert error == f"CommandError: {missing} does not exist"
    assert not ConstituencyBoundary.objects.exists()


def test_admin_lists_constituency_facts_read_only(admin_client):
    response = admin_client.get("/admin/constituencies/constituency/", {"q": "Poplar"})
    assert response.status_code == 200
    assert response.content.decode().count("Poplar and Limehouse") == 2  # one per set
    assert "Add constituency" not in response.content.decode()
