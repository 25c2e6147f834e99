"""Reading ahead (exchange.ahead): the sources of an import are read and checked in child
processes while this one writes, and the import is the same as if it read them itself."""

import io
import json
import os

import pytest

from exchange import ahead
from exchange.ahead import read_ahead
from exchange.format import Block
from exchange.records import InvalidDocument
from petitions.models import Petition
from tests.test_importer import run

pytestmark = pytest.mark.skipif(not ahead.can_fork(), reason="reads ahead where it can fork")


def taken(sources, read):
    """What each source gave, in the order given: its items, or the problem it raised."""
    found = []
    for source, items in read_ahead(read, sources):
        try:
            found.append((source, list(items)))
        except (InvalidDocument, RuntimeError) as problem:
            found.append((source, problem))
    return found


def test_each_source_gives_its_own_items_in_turn_read_in_other_processes():
    def read(source):
        for n in range(3):
            yield source, n, os.getpid()

    sources = ["a", "b", "-", "c", "d", "e"]
    found = taken(sources, read)

    assert [(source, [item[:2] for item in items]) for source, items in found] == [
        (source, [(source, 0), (source, 1), (source, 2)]) for source in sources
    ]
    readers = {source: {item[2] for item in items} for source, items in found}
    assert readers["-"] == {os.getpid()}
    others = set().union(*(readers[source] for source in "abcde"))
    assert len(others) == ahead.READERS and os.getpid() not in others


def test_a_source_found_bad_raises_its_problem_and_the_next_still_come():
    def read(source):
        yield f"{source} first"
        if source == "b":
            raise InvalidDocument("$.data[1].action", "missing")
        yield f"{source} second"

    found = taken(["a", "b", "c"], read)

    assert found[0] == ("a", ["a first", "a second"])
    assert found[1][0] == "b" and str(found[1][1]) == "$.data[1].action: missing"
    assert found[2] == ("c", ["c first", "c second"])


@pytest.mark.django_db
def test_a_reader_never_uses_the_database_connection_it_inherits():
    """A query from a child would share this process's connection: it is refused there."""

    def read(source):
        yield Petition.objects.count()

    [(source, problem)] = taken(["a"], read)

    assert isinstance(problem, RuntimeError)
    assert "never uses the database" in str(problem)
    assert Petition.objects.count() == 0  # and this process's connection still works


def test_a_reader_that_dies_is_reported_not_waited_for(monkeypatch):
    monkeypatch.setattr(ahead, "WAIT_SECONDS", 0.05)

    def read(source):
        os._exit(3)
        yield

    [(source, problem)] = taken(["a"], read)

    assert isinstance(problem, RuntimeError)
    assert "exit code 3" in str(problem)


@pytest.fixture
def refused(data_dir, tmp_path, monkeypatch):
    """A list page of two petitions whose first the database refuses (a summary over its
    limit, with validation's limit switched off)."""
    monkeypatch.setattr(Block, "limit", lambda block, field: None)
    first, second = (
        json.loads((data_dir / "petitions" / name).read_text())
        for name in ("319891.json", "221342.json")
    )
    first, second = first["data"], second  # 221342.json is a bare data object
    first["attributes"]["government_response"]["summary"] = "x" * 600
    return {"links": {}, "data": [first, second]}


@pytest.fixture(params=["a file", "standard input"])
def given(request, tmp_path, monkeypatch):
    """Gives a text to the command as a file, or on standard input (read by the command
    itself, not ahead): the argument to pass, and the name its problems are reported with."""

    def give(text: str) -> tuple[str, str]:
        if request.param == "standard input":
            monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
            return "-", "<stdin>"
        path = tmp_path / "bad.json"
        path.write_text(text)
        return str(path), str(path)

    return give


@pytest.mark.django_db
def test_a_file_the_database_refuses_as_it_is_read_is_named_and_nothing_of_it_kept(
    refused, data_dir, given
):
    """With a batch of one petition, the first is written while the file is being read."""
    bad, name = given(json.dumps(refused))
    good = data_dir / "petitions" / "331350.json"

    out, err, error = run("--batch-size", "1", "--skip-invalid", bad, good)

    assert err.startswith(f"{name}: $.data[0]: the database refused it ("), err
    assert out == "Petitions: 1 created, 0 updated, 0 unchanged, 1 invalid.\n"
    assert list(Petition.objects.values_list("id", flat=True)) == [331350]


@pytest.mark.django_db
def test_broken_json_further_on_is_what_is_reported_of_a_file_the_database_refuses(refused, given):
    bad, name = given(json.dumps(refused)[:-40])  # cut short: the second petition never ends

    out, err, error = run("--batch-size", "1", bad)

    assert err.startswith(f"{name}: line 1, column "), err
    assert "the database refused" not in err
    assert "nothing was imported" in error
    assert not Petition.objects.exists()
