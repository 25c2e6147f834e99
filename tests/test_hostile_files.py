"""Hostile files: what an attacker (or a bad day) puts in a document never reaches a page.

Each class of problem is refused where the format is validated (`exchange.parse`,
`exchange.values`, `exchange.bounds`), for every field of its kind, with the file, where
and why; `--skip-invalid` still imports the good files; the database is left as it was.
"""

import json

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from exchange import read as read_module
from exchange.bounds import LONE_SURROGATE, MANY_ESCAPES, MAX_DEPTH, TOO_DEEP, Bounds
from exchange.format import BLOCKS, DEPARTMENT, Block, Type
from exchange.read import JsonStream
from exchange.records import InvalidDocument
from petitions.models import Department, Petition
from responses.models import DebateOutcome
from tests.factories import DebateOutcomeFactory, GovernmentResponseFactory
from tests.test_importer import run

pytestmark = pytest.mark.django_db

SCRIPT_LINKS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "\tjavascript:alert(1)",
    "java&#x09;script:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]
# Every field of the format that holds a web address: (block, field).
URL_FIELDS = [
    (block.name, field.name)
    for block in [*BLOCKS.values(), DEPARTMENT]
    for field in block.fields
    if field.type is Type.URL
]


@pytest.fixture
def debated(data_dir):
    """319891: responded to, debated, with a department."""
    return json.loads((data_dir / "petitions" / "319891.json").read_text())


def write(path, document):
    path.write_text(document if isinstance(document, str) else json.dumps(document))
    return path


def test_every_web_address_of_the_format_is_checked():
    assert ("debate", "transcript_url") in URL_FIELDS
    assert ("debate", "public_engagement_url") in URL_FIELDS
    assert ("departments", "url") in URL_FIELDS


@pytest.mark.parametrize("block, name", URL_FIELDS)
@pytest.mark.parametrize("link", SCRIPT_LINKS)
def test_a_script_link_is_refused_with_its_path(debated, tmp_path, block, name, link):
    attributes = debated["data"]["attributes"]
    if block == DEPARTMENT.name:
        attributes[block][0][name] = link
        where = f"$.data.attributes.{block}[0].{name}"
    else:
        attributes[block][name] = link
        where = f"$.data.attributes.{block}.{name}"
    path = write(tmp_path / "hostile.json", debated)

    out, err, error = run(path)

    assert err.strip() == (
        f"{path}: {where}: not a web address: only http:// and https:// links are kept"
    )
    assert "nothing was imported" in error
    assert not Petition.objects.exists()


def test_a_script_link_left_in_the_database_is_never_a_link(client):
    """Rows from before the rule (or written around it) still cannot become script links."""
    outcome = DebateOutcomeFactory(transcript_url="javascript:alert(1)")
    response = GovernmentResponseFactory(
        petition=outcome.petition,
        details="The department's answer.",
        department=Department.objects.create(name="Home Office", url="javascript:alert(2)"),
    )
    petition_page = client.get(reverse("petitions:detail", args=[outcome.petition_id]))
    response_page = client.get(reverse("responses:detail", args=[response.petition_id]))

    assert "javascript:" not in petition_page.content.decode()
    assert "Watch the debate" in petition_page.content.decode()  # the good links stay
    assert "javascript:" not in response_page.content.decode()
    assert "Home Office" in response_page.content.decode()  # named, not linked


def test_links_inside_texts_are_web_addresses_only(client):
    response = GovernmentResponseFactory(
        details="See javascript:alert(1) and data:text/html,x and https://www.gov.uk/x."
    )
    page = client.get(reverse("responses:detail", args=[response.petition_id])).content.decode()
    assert 'href="https://www.gov.uk/x"' in page
    assert 'href="javascript' not in page and 'href="data' not in page


@pytest.mark.parametrize(
    "link, message",
    [
        ("javascript:alert(1)", "Enter a valid URL."),
        ("ftp://files.example.org/debate", "Enter a web address that starts with http://"),
    ],
)
def test_the_admin_refuses_a_link_that_is_not_a_web_address(admin_client, link, message):
    outcome = DebateOutcomeFactory()
    url = reverse("admin:responses_debateoutcome_change", args=[outcome.pk])
    form = {
        "debated": "on",
        "debated_on": "2018-06-04",
        "overview": "",
        "transcript_url": link,
        "video_url": "",
        "debate_pack_url": "",
    }
    page = admin_client.post(url, form)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert DebateOutcome.objects.get(pk=outcome.pk).transcript_url.startswith("https://")


def test_deep_nesting_is_refused_at_once_with_where(tmp_path):
    """100,000 nested brackets (200 KB) once took 23 GB: now refused from the first bytes."""
    deep = write(tmp_path / "deep.json", '{"data": ' + "[" * 100_000 + "]" * 100_000 + "}")
    objects = write(
        tmp_path / "objects.json",
        '{"data": {"attributes": ' + '{"a":' * 50_000 + "1" + "}" * 50_000 + "}}",
    )
    out, err, error = run("--skip-invalid", deep, objects)
    assert err.splitlines() == [
        f"{deep}: line 1, column 41: nested deeper than a petition document can be "
        "(more than 32 levels)",
        f"{objects}: line 1, column 175: nested deeper than a petition document can be "
        "(more than 32 levels)",
    ]


# Texts full of what a reader of brackets could mistake: quotes, backslashes, brackets.
TRICKY_TEXT = st.text(alphabet='"\\[]{}/u aé😀\n', max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.integers() | TRICKY_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TRICKY_TEXT, inner, max_size=3),
    max_leaves=12,
)


def depth_of(value) -> int:
    if isinstance(value, dict | list):
        inner = value.values() if isinstance(value, dict) else value
        return 1 + max(map(depth_of, inner), default=0)
    return 0


@pytest.mark.django_db(False)
@settings(max_examples=400, deadline=None, derandomize=True)
@given(
    value=JSON_VALUES,
    wrappers=st.lists(st.booleans(), max_size=MAX_DEPTH + 4),
    twice=st.booleans(),
    ascii_only=st.booleans(),
    cuts=st.lists(st.integers(min_value=0, max_value=10_000), max_size=6),
)
def test_bounds_tell_the_depth_of_any_document_however_it_is_cut(
    value, wrappers, twice, ascii_only, cuts
):
    """Brackets and quotes inside texts, escaped or not, lists and objects in any order, and
    chunks that end anywhere (in the middle of an escape, too): a document is refused as
    too deep if and only if it is."""
    for as_list in wrappers:
        value = [value] if as_list else {"k": value}
    if twice:  # the second deep, after the first has closed again (a chunk may hold both)
        value = [value, value]
    text = json.dumps(value, ensure_ascii=ascii_only).encode()
    bounds, problem, start = Bounds(), None, 0
    for end in [*sorted(cut % (len(text) + 1) for cut in cuts), len(text)]:
        problem = problem or bounds.feed(text[start:end])
        start = max(start, end)
    if depth_of(value) > MAX_DEPTH:
        assert problem is not None and problem[1] == TOO_DEEP
    else:
        assert problem is None
        assert (bounds.stack, bounds.carry) == (b"", b"")


@pytest.mark.django_db(False)
@pytest.mark.parametrize("escapes", [0, MANY_ESCAPES - 1, MANY_ESCAPES, 10 * MANY_ESCAPES])
@pytest.mark.parametrize("lone", [False, True])
def test_bounds_read_a_text_of_escapes_as_any_other(escapes, lone):
    """Past MANY_ESCAPES escapes, the rest of a chunk is read another way (in C): escaped
    quotes and backslashes still do not end a text, brackets in a text are still not
    nesting, a pair of surrogates is still a character and a lone one is still found
    where it is."""
    many = r"\n" * escapes
    text = (
        r'{"data": {"a": "' + many + r'\\\"[{\\", "b": "' + many + r'\ud83d\ude00", '
        r'"c": "' + many + r"\\ud800 " + (r"\ud800x" if lone else "") + r'"}}'
    )
    bounds = Bounds()
    problem = bounds.feed(text.encode())
    if lone:
        assert problem == (text.index(r"\ud800x"), LONE_SURROGATE.format(r"\ud800"))
    else:
        assert problem is None
        assert (bounds.stack, bounds.carry) == (b"", b"")


def test_a_value_larger_than_any_real_one_is_refused(debated, tmp_path):
    debated["data"]["attributes"]["survey"] = "x" * 3 * 2**20
    path = write(tmp_path / "huge.json", debated)
    out, err, error = run(path)
    assert err.strip().endswith(": a text longer than any real one (more than 1 MiB)")
    assert err.startswith(f"{path}: line 1, column ")


# Texts on which the two parsers of a whole document could part: each is read at once
# (orjson) as the streaming parser (ijson's C parser) reads it, or refused alike.
EDGES = {
    "NaN": b'{"data": {"id": 1, "attributes": {"x": NaN}}}',
    "-Infinity": b'{"data": {"id": 1, "attributes": {"x": -Infinity}}}',
    "a number of 24 digits": b'{"data": {"id": 1, "attributes": {"x": 123456789012345678901234}}}',
    "the largest 64-bit number": b'{"data": {"id": 1, "attributes": {"x": 9223372036854775807}}}',
    "1e400": b'{"data": {"id": 1, "attributes": {"x": 1e400}}}',
    "1e-400": b'{"data": {"id": 1, "attributes": {"x": 1e-400}}}',
    "text after": b'{"data": {"id": 1, "attributes": {"x": 1}}} xx',
    "two documents": b'{"data": {"id": 1, "attributes": {"x": 1}}} {}',
    "UTF-16": '{"data": {"id": 1, "attributes": {"x": 1}}}'.encode("utf-16"),
    "Latin-1": '{"data": {"id": 1, "attributes": {"x": "caf\xe9"}}}'.encode("latin-1"),
    "a raw tab": b'{"data": {"id": 1, "attributes": {"x": "a\tb"}}}',
    "a key twice": b'{"data": {"id": 1, "attributes": {"x": 1, "x": 2}}}',
    "a comment": b'{"data": {"id": 1, "attributes": {"x": 1 /* c */}}}',
    "a byte order mark": b'\xef\xbb\xbf{"data": {"id": 1, "attributes": {"x": 1.5}}}',
    "an emoji escaped": b'{"data": {"id": 1, "attributes": {"x": "\\ud83d\\ude00"}}}',
    "numbers": b'{"data": {"id": 1, "attributes": {"x": -0, "y": -0.0, "z": 1E5}}}',
    "floats at the edges": b'{"data": {"id": 1, "attributes": {"x": 5e-324, "y": 0.1, '
    b'"z": 1.7976931348623157e308, "w": 2.2250738585072011e-308}}}',
    "larger than is read at once": b'{"data": {"id": 1, "attributes": {"x": ['
    + b",".join([b'"' + b"a" * 1000 + b'"'] * 1500)
    + b"]}}}",
    "its data far in": b'{"meta": ['
    + b",".join([b'"' + b"a" * 1000 + b'"'] * 1500)
    + b'], "data": {"id": 1, "attributes": {"x": 1}}}',
}


@pytest.mark.parametrize("text", EDGES.values(), ids=EDGES.keys())
def test_a_whole_document_reads_alike_at_once_and_streamed(text, monkeypatch):
    def read():
        try:
            with JsonStream("edge", data=text) as stream:
                return [repr(value.value) for value in stream]
        except InvalidDocument as problem:
            return f"{problem.path}: {problem.reason}"

    at_once = read()
    monkeypatch.setattr(JsonStream, "_at_once", lambda self, seen: (seen, read_module._NOT_READ))
    assert at_once == read()


def test_a_deep_list_item_is_refused_without_building_it(data_dir, tmp_path):
    page = json.loads((data_dir / "petitions" / "list-2015-open-page1.json").read_text())
    page["data"][3]["attributes"]["nested"] = json.loads("[" * 30 + "]" * 30)
    path = write(tmp_path / "page.json", page)
    out, err, error = run(path)
    assert "nested deeper than a petition document can be" in err
    assert not Petition.objects.exists()


@pytest.mark.parametrize(
    "change, where",
    [
        (lambda a: a.update(background="A NUL \u0000 here"), "$.data.attributes.background"),
        (
            lambda a: a["signatures_by_constituency"][0].update(mp="Nul\u0000 MP"),
            "$.data.attributes.signatures_by_constituency[0].mp",
        ),
        (
            lambda a: a["government_response"].update(summary="\u0000"),
            "$.data.attributes.government_response.summary",
        ),
        (lambda a: a.update(survey={"q": ["\u0000"]}), "$.data.attributes.survey.q[0]"),
        (lambda a: a.update({"odd\u0000key": 1}), "$.data.attributes (a key)"),
        (
            lambda a: a["departments"][0].update(extra="\u0000"),
            "$.data.attributes.departments[0].extra",
        ),
    ],
)
def test_a_nul_is_refused_by_path_on_every_database(debated, tmp_path, change, where):
    change(debated["data"]["attributes"])
    path = write(tmp_path / "nul.json", debated)
    out, err, error = run(path)
    assert err.strip() == f"{path}: {where}: contains a NUL character (\\u0000), which is not text"
    assert not Petition.objects.exists()


def test_a_lone_surrogate_is_refused_where_it_is(debated, tmp_path):
    text = json.dumps(debated).replace('"action": "', '"action": "\\ud800', 1)
    paired = json.dumps(debated).replace('"action": "', '"action": "\\ud83d\\ude00', 1)
    escaped = json.dumps(debated).replace('"action": "', '"action": "\\\\ud800', 1)
    lone, pair, literal = (
        write(tmp_path / "lone.json", text),
        write(tmp_path / "pair.json", paired),
        write(tmp_path / "literal.json", escaped),
    )
    out, err, error = run("--skip-invalid", lone, pair)
    assert (
        err.strip() == f"{lone}: line 1, column 146: a lone surrogate (\\ud800), which is not text"
    )
    assert Petition.objects.get().action.startswith("\U0001f600")  # a pair is a character
    Petition.objects.all().delete()
    out, err, error = run(literal)
    assert error is None, err
    assert Petition.objects.get().action.startswith("\\ud800")  # a backslash, then text


def test_the_other_files_still_import_beside_hostile_ones(data_dir, debated, tmp_path):
    debated["data"]["attributes"]["signatures_by_constituency"][0]["mp"] = "\u0000"
    bad = write(tmp_path / "bad.json", debated)
    good = data_dir / "petitions" / "221342.json"

    out, err, error = run("--skip-invalid", bad, good)

    assert out == "Petitions: 1 created, 0 updated, 0 unchanged, 1 invalid.\n"
    assert list(Petition.objects.values_list("id", flat=True)) == [221342]


def test_what_the_database_refuses_is_refused_a_file_at_a_time(
    data_dir, debated, tmp_path, monkeypatch
):
    """A problem validation does not know (here: the summary's limit, switched off) is
    refused by the database: named with its file and place, and the others import."""
    monkeypatch.setattr(Block, "limit", lambda block, field: None)
    debated["data"]["attributes"]["government_response"]["summary"] = "x" * 600
    bad = write(tmp_path / "bad.json", debated)
    good = [data_dir / "petitions" / name for name in ("221342.json", "331350.json")]

    out, err, error = run("--skip-invalid", good[0], bad, good[1])

    assert err.startswith(f"{bad}: $.data: the database refused it (")
    assert out == "Petitions: 2 created, 0 updated, 0 unchanged, 1 invalid.\n"
    assert sorted(Petition.objects.values_list("id", flat=True)) == [221342, 331350]

    Petition.objects.all().delete()
    out, err, error = run(good[0], bad)
    assert "nothing was imported" in error
    assert not Petition.objects.exists()
