"""`manage.py import_petitions`: the public site's JSON into the archive, and bad input."""

import copy
import datetime as dt
import gzip
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from exchange.importer import Importer
from exchange.parse import PetitionStream, parse_document
from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    PageGeneration,
    Petition,
)
from responses.models import DebateOutcome, GovernmentResponse

pytestmark = pytest.mark.django_db


def run(*args):
    """Run the command; returns (stdout, stderr, error message or None)."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_petitions", *map(str, args), stdout=out, stderr=err)
    except CommandError as error:
        return out.getvalue(), err.getvalue(), str(error)
    return out.getvalue(), err.getvalue(), None


@pytest.fixture
def petitions_dir(data_dir):
    return data_dir / "petitions"


def document(petitions_dir, name):
    return json.loads((petitions_dir / name).read_text())


def write(path, document):
    path.write_text(json.dumps(document))
    return path


def test_a_detail_document_fills_every_part_of_the_petition(petitions_dir):
    out, err, error = run(petitions_dir / "319891.json")

    assert error is None, err
    # No progress bar when the output is not a terminal: only the summary.
    assert out == "Petitions: 1 created, 0 updated, 0 unchanged, 0 invalid.\n"
    petition = Petition.objects.get(id=319891)
    assert (
        petition.action
        == "Limit the Sale and Use of Fireworks to Organisers of Licensed Displays Only"
    )
    assert petition.state == "closed"
    assert petition.signature_count == 301_611
    assert petition.parliament.period == "2019-2024"
    assert petition.closed_at == dt.datetime(2021, 1, 21, 23, 59, 59, 999000, tzinfo=dt.UTC)
    assert petition.scheduled_debate_date == dt.date(2021, 11, 8)
    assert [d.acronym for d in petition.departments.all()] == ["BEIS"]
    assert petition.government_response.responded_on == dt.date(2020, 8, 13)
    assert petition.government_response.department.acronym == "BEIS"
    assert petition.debate_outcome.debated_on == dt.date(2021, 11, 8)
    assert petition.debate_outcome.transcript_url.startswith("https://hansard.parliament.uk/")
    assert petition.constituency_signatures.count() == 650
    assert petition.country_signatures.count() == 67
    assert petition.region_signatures.get(name="North East").signature_count == 14_840
    assert petition.other_parliamentary_business[0]["subject"] == (
        "MPs to debate the sale of fireworks"
    )


def test_a_bare_data_object_and_the_names_of_2015_are_understood(petitions_dir):
    run(petitions_dir / "221342.json", petitions_dir / "104334.json")

    sample = Petition.objects.get(id=221342)
    assert sample.parliament.period == "2017-2019"
    assert sample.constituency_signatures.count() == 517
    assert sample.country_signatures.get(code="DZ").name == "Algeria"
    early = Petition.objects.get(id=104334)
    assert early.opened_at == dt.datetime(2015, 7, 20, 14, 12, 50, 460000, tzinfo=dt.UTC)
    assert early.parliament.period == "2015-2017"
    assert early.government_response.summary.startswith("The Government is committed")


def test_a_list_page_brings_every_petition_on_it(petitions_dir):
    out, _, error = run(petitions_dir / "list-2019-2024-air-quality-page1.json")

    assert error is None
    assert "50 created" in out
    rejected = Petition.objects.rejected()
    assert rejected.count() == 27
    assert all(p.rejection_code for p in rejected)
    assert Petition.objects.filter(topics__code="covid-19").count() == 4


def test_importing_the_same_folder_twice_changes_nothing(petitions_dir):
    run(petitions_dir)
    before = sorted(Petition.objects.values_list("id", "updated_at", "signature_count", "extra"))
    rows = ConstituencySignatures.objects.count()

    out, _, error = run(petitions_dir)

    assert error is None
    assert "0 created, 0 updated, 105 unchanged, 0 invalid" in out
    assert (
        sorted(Petition.objects.values_list("id", "updated_at", "signature_count", "extra"))
        == before
    )
    assert ConstituencySignatures.objects.count() == rows


def test_a_newer_version_replaces_the_older_and_an_older_one_is_ignored(petitions_dir, tmp_path):
    original = document(petitions_dir, "331350.json")
    run(write(tmp_path / "a.json", original))
    newer = copy.deepcopy(original)
    newer["data"]["attributes"].update(
        signature_count=10_500, updated_at="2022-01-01T00:00:00.000Z"
    )
    older = copy.deepcopy(original)
    older["data"]["attributes"].update(signature_count=9, updated_at="2020-01-01T00:00:00.000Z")

    out, _, _ = run(write(tmp_path / "b.json", newer))
    assert "0 created, 1 updated" in out
    out, _, _ = run(write(tmp_path / "c.json", older))
    assert "0 updated, 1 unchanged" in out

    assert Petition.objects.get(id=331350).signature_count == 10_500


def test_a_list_page_never_erases_the_breakdowns_of_a_detail_file(petitions_dir, tmp_path):
    run(petitions_dir / "319891.json")
    item = copy.deepcopy(document(petitions_dir, "319891.json")["data"])
    for name in list(item["attributes"]):
        if name.startswith("signatures_by") or name == "other_parliamentary_business":
            del item["attributes"][name]
    item["attributes"].update(signature_count=301_700, updated_at="2022-01-01T00:00:00.000Z")
    page = {"links": {"self": "https://petition.parliament.uk/petitions.json"}, "data": [item]}

    out, _, _ = run(write(tmp_path / "list.json", page))

    assert "1 updated" in out
    petition = Petition.objects.get(id=319891)
    assert petition.signature_count == 301_700
    assert petition.constituency_signatures.count() == 650
    assert petition.region_signatures.count() == 12
    assert petition.other_parliamentary_business


def test_a_field_the_archive_does_not_model_is_kept(petitions_dir, tmp_path):
    changed = document(petitions_dir, "331350.json")
    changed["data"]["attributes"]["debate_scheduled_at"] = "2021-03-01T10:00:00.000Z"
    changed["data"]["attributes"]["government_response"]["video_url"] = "https://example.org/v"

    run(write(tmp_path / "331350.json", changed))

    extra = Petition.objects.get(id=331350).extra
    assert extra["debate_scheduled_at"] == "2021-03-01T10:00:00.000Z"
    assert extra["_more"]["government_response"] == {"video_url": "https://example.org/v"}


def test_gzip_files_directories_and_standard_input_are_read(petitions_dir, tmp_path, monkeypatch):
    folder = tmp_path / "deep" / "er"
    folder.mkdir(parents=True)
    (folder / "241584.json.gz").write_bytes(
        gzip.compress((petitions_dir / "241584.json").read_bytes())
    )
    stdin = io.TextIOWrapper(io.BytesIO((petitions_dir / "331350.json").read_bytes()))
    monkeypatch.setattr("sys.stdin", stdin)

    out, err, error = run(tmp_path, "-")

    assert error is None, err
    assert "2 created" in out
    assert set(Petition.objects.values_list("id", flat=True)) == {241584, 331350}


def bad_documents(good):
    data = good["data"]

    def changed(**attributes):
        bad = copy.deepcopy(good)
        bad["data"]["attributes"].update(attributes)
        return json.dumps(bad)

    without_id = copy.deepcopy(good)
    del without_id["data"]["id"]
    return {
        "not-json.json": ("this is not JSON", "line 1, column 1: not valid JSON"),
        "truncated.json": (json.dumps(good)[:5000], "truncated?"),
        "wrong-type.json": (
            changed(signature_count="many"),
            "$.data.attributes.signature_count: expected a whole number, got 'many'",
        ),
        "missing.json": (json.dumps(without_id), "$.data.id: expected a positive petition number"),
        "no-action.json": (changed(action=None), "$.data.attributes.action: missing"),
        "negative.json": (
            changed(signature_count=-5),
            "$.data.attributes.signature_count: a count cannot be negative (-5)",
        ),
        "state.json": (
            changed(state="dancing"),
            "$.data.attributes.state: unknown state 'dancing'",
        ),
        "absurd.json": (
            changed(created_at="1066-10-14T09:00:00.000Z"),
            "$.data.attributes.created_at: an absurd date: '1066-10-14T09:00:00.000Z'",
        ),
        "row.json": (
            json.dumps(
                {
                    **good,
                    "data": {
                        **data,
                        "attributes": {
                            **data["attributes"],
                            "signatures_by_country": [{"name": "France", "signature_count": -1}],
                        },
                    },
                }
            ),
            "$.data.attributes.signatures_by_country[0].signature_count: a count cannot be",
        ),
    }


def test_bad_files_are_reported_one_line_each_and_nothing_is_written(petitions_dir, tmp_path):
    bad = bad_documents(document(petitions_dir, "331350.json"))
    for name, (text, _) in bad.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "good.json").write_bytes((petitions_dir / "241584.json").read_bytes())

    out, err, error = run(tmp_path)

    lines = err.strip().splitlines()
    assert len(lines) == len(bad)
    for name, (_, reason) in bad.items():
        (line,) = [line for line in lines if line.startswith(f"{tmp_path / name}: ")]
        assert reason in line
    assert error == "9 invalid files: nothing was imported (--skip-invalid imports the valid ones)."
    assert not Petition.objects.exists()


def test_skip_invalid_imports_the_valid_files_and_still_counts_the_bad(petitions_dir, tmp_path):
    (tmp_path / "bad.json").write_text('{"data": {"type": "petition"')
    (tmp_path / "good.json").write_bytes((petitions_dir / "241584.json").read_bytes())

    out, err, error = run(tmp_path, "--skip-invalid")

    assert f"{tmp_path / 'bad.json'}: line 1, column 29:" in err
    assert "1 created, 0 updated, 0 unchanged, 1 invalid" in out
    assert error == "1 invalid file skipped; the others were imported."
    assert Petition.objects.filter(id=241584).exists()


def test_a_missing_file_and_an_unknown_parliament_are_reported(tmp_path, petitions_dir):
    archived = document(petitions_dir, "331350.json")
    archived["data"]["type"] = "archived-petition"
    archived["data"]["parliament"] = {"period": "1992-1997", "government": "Conservative"}

    _, err, error = run(tmp_path / "nowhere.json", write(tmp_path / "old.json", archived))

    assert f"{tmp_path / 'nowhere.json'}: file: no such file or directory" in err
    assert "unknown parliament '1992-1997'" in err
    assert error.startswith("2 invalid files")


def test_writes_are_bulk_whatever_the_number_of_rows(petitions_dir, django_assert_max_num_queries):
    """Five detail files with 2,500 breakdown rows between them take a handful of queries."""
    files = [petitions_dir / f"{n}.json" for n in (104334, 221342, 241584, 319891, 331350)]
    with django_assert_max_num_queries(45):
        run(*files)
    assert GovernmentResponse.objects.count() == 4
    assert DebateOutcome.objects.count() == 1


@pytest.mark.parametrize(
    "name, mp",
    [
        ("Tab\there", "A Member MP"),
        ("Back\\slash", "\\N"),  # an MP named as COPY marks a null
        ("New\nline and\rreturn", None),
        ("Plain", ""),
        # Other line separators to Python (str.splitlines), not to COPY.
        ("Form\x0cfeed\x1cand\u2028line", "Next\x85line"),
    ],
)
def test_breakdown_texts_are_stored_as_given_whatever_their_characters(
    petitions_dir, tmp_path, name, mp
):
    source = document(petitions_dir, "319891.json")
    rows = source["data"]["attributes"]["signatures_by_constituency"]
    rows[0].update(name=name, mp=mp)
    run(write(tmp_path / "319891.json", source))

    stored = ConstituencySignatures.objects.get(pk=(319891, rows[0]["ons_code"]))
    assert (stored.name, stored.mp) == (name, mp)
    others = ConstituencySignatures.objects.filter(petition_id=319891)
    assert sorted(others.values_list("ons_code", "name", "mp", "signature_count")) == sorted(
        (row["ons_code"], row["name"], row["mp"], row["signature_count"]) for row in rows
    )


def test_a_breakdown_that_differs_only_in_an_escaped_character_is_written_again(
    petitions_dir, tmp_path
):
    """A tab, and a backslash followed by a t, are told apart (the digest that says whether
    a breakdown changed is taken of its rows as COPY's text, escaped)."""
    source = document(petitions_dir, "319891.json")
    attributes = source["data"]["attributes"]
    place = attributes["signatures_by_constituency"][0]
    place["name"] = "Tab\there"
    run(write(tmp_path / "319891.json", source))
    place["name"] = "Tab\\there"
    attributes["updated_at"] = "2030-01-01T00:00:00.000Z"

    out, err, error = run(write(tmp_path / "319891.json", source))

    assert error is None, err
    assert "0 created, 1 updated" in out
    assert ConstituencySignatures.objects.get(pk=(319891, place["ons_code"])).name == "Tab\\there"


def test_a_petition_given_twice_in_one_load_into_an_empty_archive_keeps_its_newer_places(
    petitions_dir, tmp_path
):
    """Each version in a batch of its own: the second deletes the rows of the first (on
    PostgreSQL, while the table's primary key is yet to be built) and writes its own."""
    older = document(petitions_dir, "319891.json")
    newer = copy.deepcopy(older)
    newer["data"]["attributes"]["updated_at"] = "2030-01-01T00:00:00.000Z"
    places = newer["data"]["attributes"]["signatures_by_constituency"]
    for place in places:
        place["signature_count"] += 1
    write(tmp_path / "a.json", older)
    write(tmp_path / "b.json", newer)

    out, err, error = run(tmp_path, "--batch-size", "1")

    assert error is None, err
    assert "1 created, 1 updated" in out
    stored = ConstituencySignatures.objects.filter(petition_id=319891)
    assert sorted(stored.values_list("ons_code", "signature_count")) == sorted(
        (place["ons_code"], place["signature_count"]) for place in places
    )


def test_a_folder_without_petition_files_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("nothing here")

    _, _, error = run(tmp_path)

    assert error.startswith("No petition files found")


def test_a_missing_state_or_count_says_missing(petitions_dir, tmp_path):
    bad = document(petitions_dir, "331350.json")
    del bad["data"]["attributes"]["state"]

    _, err, _ = run(write(tmp_path / "a.json", bad))

    assert err.strip() == f"{tmp_path / 'a.json'}: $.data.attributes.state: missing"


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_on_a_terminal_a_progress_bar_counts_the_files(petitions_dir, capsys):
    out = Terminal()

    call_command("import_petitions", str(petitions_dir), stdout=out)

    bar = capsys.readouterr().err
    assert "100%" in bar
    assert "7/7" in bar
    assert out.getvalue() == "Petitions: 104 created, 1 updated, 0 unchanged, 0 invalid.\n"


# --- Big files, read as streams -------------------------------------------------------


def big_list(petitions_dir, copies=12):
    """The air-quality list page's 50 petitions, `copies` times over under new numbers:
    600 petitions and 1 MB of JSON by default, more than a few of the reader's chunks."""
    page = document(petitions_dir, "list-2019-2024-air-quality-page1.json")
    items = []
    for n in range(1, copies + 1):
        for item in page["data"]:
            item = copy.deepcopy(item)
            item["id"] += 1_000_000 * n
            items.append(item)
    return {"links": page["links"], "data": items}


def stored_petitions():
    return sorted(
        Petition.objects.values_list(
            "id", "action", "state", "signature_count", "closed_at", "parliament_id", "extra"
        )
    )


def test_a_big_list_file_imports_as_it_did_when_read_whole(petitions_dir, tmp_path):
    page = big_list(petitions_dir)
    path = write(tmp_path / "big.json", page)

    out, err, error = run(path, "--batch-size", "50")

    assert error is None, err
    assert out == "Petitions: 600 created, 0 updated, 0 unchanged, 0 invalid.\n"
    streamed = stored_petitions()
    topics = sorted(Petition.objects.values_list("id", "topics__code"))
    Petition.objects.all().delete()
    # As files were read before: the whole document at once, then every petition in it.
    with transaction.atomic():
        importer = Importer(batch_size=50)
        for record in parse_document(json.loads(path.read_text())):
            importer.add(record)
        importer.flush()
    assert stored_petitions() == streamed
    assert sorted(Petition.objects.values_list("id", "topics__code")) == topics


def test_the_stream_reads_values_as_json_loads_does(petitions_dir, tmp_path):
    """Key order and number types as json.loads gives them (ijson would give Decimals)."""
    page = big_list(petitions_dir, copies=2)
    survey = {"zeta": 1, "alpha": 0.1, "mid": [2.5e-7, 10, -0.0, 1e22], "nested": {"b": 1.0}}
    page["data"][70]["attributes"]["survey"] = survey
    path = write(tmp_path / "page.json", page)

    with PetitionStream(str(path)) as stream:
        streamed = list(stream)

    whole = parse_document(json.loads(path.read_text()))
    assert streamed == whole
    assert [json.dumps(r.extra) for r in streamed] == [json.dumps(r.extra) for r in whole]
    assert json.dumps(streamed[70].extra["survey"]) == json.dumps(survey)
    assert [type(value) for value in streamed[70].extra["survey"]["mid"]] == [
        float,
        int,
        float,
        float,
    ]


def test_a_big_list_from_standard_input_gzip_compressed(petitions_dir, monkeypatch):
    packed = gzip.compress(json.dumps(big_list(petitions_dir)).encode())
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(packed)))

    out, err, error = run("-")

    assert error is None, err
    assert "600 created" in out
    assert Petition.objects.count() == 600


def test_a_truncated_big_file_names_the_file_and_where_it_ends(petitions_dir, tmp_path):
    text = json.dumps(big_list(petitions_dir))
    cut = len(text) * 7 // 10
    (tmp_path / "cut.json").write_text(text[:cut])
    (tmp_path / "cut.json.gz").write_bytes(gzip.compress(text.encode())[:-5000])

    _, err, error = run(tmp_path / "cut.json", tmp_path / "cut.json.gz", "--skip-invalid")

    assert err.splitlines() == [
        f"{tmp_path / 'cut.json'}: line 1, column {cut + 1}: "
        "the file ends before its JSON does (truncated?)",
        f"{tmp_path / 'cut.json.gz'}: gzip: not a readable gzip file "
        "(Compressed file ended before the end-of-stream marker was reached)",
    ]
    assert error == "2 invalid files skipped; the others were imported."
    assert not Petition.objects.exists()


def test_broken_json_deep_in_a_big_file_is_found_to_the_column(petitions_dir, tmp_path):
    page = big_list(petitions_dir)
    text = json.dumps(page)
    # A brace too many in the 500th petition: the JSON breaks where that petition ends,
    # among text that every copy of it shares, so the reader must find which copy it is.
    at = text.index('"committee_note": ""', text.index(f'"id": {page["data"][500]["id"]}'))
    text = text[:at] + '"committee_note": ""}' + text[at + len('"committee_note": ""') :]
    (tmp_path / "broken.json").write_text(text)
    with pytest.raises(json.JSONDecodeError) as found:
        json.loads(text)

    _, err, _ = run(tmp_path / "broken.json")

    assert err.strip() == (
        f"{tmp_path / 'broken.json'}: line 1, column {found.value.colno}: "
        "not valid JSON (after array element, I expect ',' or ']')"
    )


@pytest.mark.parametrize("fault", ["negative count", "unknown parliament"])
def test_a_bad_petition_deep_in_a_list_leaves_nothing_of_its_file(petitions_dir, tmp_path, fault):
    (tmp_path / "a.json").write_bytes((petitions_dir / "241584.json").read_bytes())
    page = big_list(petitions_dir)
    bad = page["data"][530]
    if fault == "negative count":
        bad["attributes"]["signature_count"] = -1
        reason = "$.data[530].attributes.signature_count: a count cannot be negative (-1)"
    else:
        bad["type"] = "archived-petition"
        bad["parliament"] = {"period": "1992-1997"}
        reason = f"petition {bad['id']}: parliament.period: unknown parliament '1992-1997'"
    write(tmp_path / "b.json", page)
    # The real page after it: its topics were first written by b.json's undone batches.
    (tmp_path / "c.json").write_bytes(
        (petitions_dir / "list-2019-2024-air-quality-page1.json").read_bytes()
    )

    # Batches of 50: b.json's first 500 petitions were written before its bad one was read.
    out, err, error = run(tmp_path, "--skip-invalid", "--batch-size", "50")

    assert err.strip() == f"{tmp_path / 'b.json'}: {reason}"
    assert out == "Petitions: 51 created, 0 updated, 0 unchanged, 1 invalid.\n"
    assert error == "1 invalid file skipped; the others were imported."
    assert Petition.objects.count() == 51
    assert not Petition.objects.filter(id__gt=1_000_000).exists()
    assert Petition.objects.filter(topics__code="covid-19").count() == 4


def test_without_skip_invalid_a_list_bad_deep_down_keeps_nothing_of_the_run(
    petitions_dir, tmp_path
):
    page = big_list(petitions_dir)
    page["data"][530]["attributes"]["state"] = "dancing"
    write(tmp_path / "b.json", page)

    _, err, error = run(petitions_dir / "241584.json", tmp_path / "b.json", "--batch-size", "50")

    assert "$.data[530].attributes.state: unknown state 'dancing'" in err
    assert error.startswith("1 invalid file: nothing was imported")
    assert not Petition.objects.exists()


def breakdown_keys():
    """The breakdown tables' indexes, foreign keys and triggers (on or off), as PostgreSQL
    defines them."""
    tables = [m._meta.db_table for m in (ConstituencySignatures, CountrySignatures)]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s) "
            "UNION SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid::regclass::text = ANY(%s) AND contype = 'f' "
            "UNION SELECT tgname, tgenabled::text FROM pg_trigger "
            "WHERE tgrelid::regclass::text = ANY(%s) AND NOT tgisinternal ORDER BY 1",
            [tables, tables, tables],
        )
        return cursor.fetchall()


def generation(petition_id) -> int:
    found = PageGeneration.objects.filter(petition_id=petition_id).first()
    return found.generation if found else 0


needs_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL builds them after loading"
)


@needs_postgresql
@pytest.mark.parametrize("bulk", [False, True])
def test_a_load_builds_the_breakdowns_keys_after_the_rows_and_leaves_them_as_they_were(
    petitions_dir, bulk, django_assert_max_num_queries
):
    before = breakdown_keys()
    assert any("constituency_sigs_code_idx" in name for name, _ in before)
    if bulk:  # into an archive that holds breakdowns already: only with --bulk
        run(petitions_dir / "221342.json")

    with CaptureQueriesContext(connection) as queries:
        out, err, error = run(petitions_dir / "319891.json", *(["--bulk"] if bulk else []))

    assert error is None, err
    assert breakdown_keys() == before  # the triggers on again among them
    statements = [query["sql"] for query in queries.captured_queries]
    assert any(s.startswith("DROP INDEX") for s in statements)
    assert any("ADD CONSTRAINT" in s for s in statements)
    # The primary key too, but only in tables that start empty.
    table = ConstituencySignatures._meta.db_table
    assert any("PRIMARY KEY" in s and table in s for s in statements) is not bulk
    assert any("DISABLE TRIGGER" in s for s in statements)
    petition = Petition.objects.get(id=319891)
    assert petition.constituency_signatures.count() == 650
    mine = ConstituencySignatures.objects.filter(ons_code="E14000639").order_by("-signature_count")
    assert petition.id in mine.values_list("petition_id", flat=True)  # the rebuilt index reads
    # Its pages' generation was raised (by the petition's own row); once the load is done, a
    # change to one of its places raises it again.
    loaded = generation(petition.id)
    assert loaded > 0
    mine.filter(petition=petition).update(signature_count=1)
    assert generation(petition.id) > loaded


@needs_postgresql
def test_a_bulk_load_raises_the_generation_of_a_petition_whose_places_changed(
    petitions_dir, tmp_path
):
    run(petitions_dir / "319891.json")
    before = generation(319891)
    source = document(petitions_dir, "319891.json")
    attributes = source["data"]["attributes"]
    attributes["updated_at"] = "2030-01-01T00:00:00.000Z"
    place = attributes["signatures_by_constituency"][0]
    place["signature_count"] += 1

    out, err, error = run(write(tmp_path / "319891.json", source), "--bulk")

    assert error is None, err
    assert "1 updated" in out
    stored = ConstituencySignatures.objects.get(pk=(319891, place["ons_code"]))
    assert stored.signature_count == place["signature_count"]
    assert generation(319891) > before


@needs_postgresql
def test_a_load_into_an_archive_with_breakdowns_keeps_the_keys_up_row_by_row(petitions_dir):
    run(petitions_dir / "221342.json")

    with CaptureQueriesContext(connection) as queries:
        out, err, error = run(petitions_dir / "319891.json")

    assert error is None, err
    assert not any(q["sql"].startswith("DROP INDEX") for q in queries.captured_queries)


@needs_postgresql
def test_a_failed_load_into_an_empty_archive_leaves_its_keys(petitions_dir, tmp_path):
    before = breakdown_keys()
    (tmp_path / "good.json").write_bytes((petitions_dir / "319891.json").read_bytes())
    (tmp_path / "zz-bad.json").write_text('{"data": {"type": "petition"')

    out, err, error = run(tmp_path)

    assert error.startswith("1 invalid file: nothing was imported")
    assert breakdown_keys() == before
    assert not ConstituencySignatures.objects.exists()
