"""`manage.py harvest` against a stand-in for the public site, started here on 127.0.0.1.

The stand-in (scripts/standin_site.py) serves real recorded documents of ../shared/data
page by page, and fails on request: 503, 429 with Retry-After, a body cut short, a
connection dropped. No test reaches the real site. Waits are recorded, never slept.
"""

import io
import json

import httpx
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from exchange.harvest import Harvester, Site, Unreachable, _one_petition, _page_number, retry_after
from exchange.models import HarvestCursor, HarvestPage
from exchange.records import InvalidDocument
from petitions.models import ConstituencySignatures, Petition, SignaturePoint
from scripts.standin_site import StandinSite

pytestmark = pytest.mark.django_db

CONTACT = "archive-tests@example.org"
LISTS = "q-fracking-page-1.json.gz"  # 24 real petitions, 5 with their own documents
PAGE_SIZE = 5


@pytest.fixture
def standin(data_dir):
    site = StandinSite(data_dir, lists=LISTS, page_size=PAGE_SIZE).start()
    yield site
    site.stop()


def petitions_on(standin) -> dict[int, int]:
    """Every petition the stand-in serves, and its count."""
    found = {
        pid: p["attributes"]["signature_count"] for pid, p in standin.petitions.current.items()
    }
    for listing in standin.petitions.archived.values():
        found.update({pid: p["attributes"]["signature_count"] for pid, p in listing.items()})
    return found


class Run:
    """A harvest with recorded waits (nothing sleeps) and a high rate."""

    def __init__(self, standin, attempts=5, on_page=None):
        self.waits = []
        self.lines = []
        self.site = Site(
            standin.base,
            contact=CONTACT,
            rate=1000,
            attempts=attempts,
            backoff=0.01,
            timeout=5,
            sleep=self.waits.append,
            jitter=lambda: 0.5,
        )
        kwargs = {"on_page": on_page} if on_page else {}
        self.harvester = Harvester(self.site, report=self.lines.append, **kwargs)

    def __call__(self, **which):
        try:
            return self.harvester.run(self.harvester.listings(**which))
        finally:
            self.site.close()


def harvest(standin, **kwargs):
    run = Run(standin, **kwargs)
    return run(), run


def test_the_archive_ends_complete_through_503s_429s_a_cut_body_and_a_dropped_connection(
    standin,
):
    first_page = "/petitions.json?state=all"
    details = sorted(standin.petitions.current)
    standin.fail(first_page, "503", "429")
    standin.fail(f"/petitions/{details[0]}.json", "truncate")
    standin.fail(f"/petitions/{details[1]}.json", "drop")
    standin.fail(f"/petitions/{details[2]}.json", "cut")

    summary, run = harvest(standin)

    expected = petitions_on(standin)
    assert summary.complete, summary.problems
    assert dict(Petition.objects.values_list("id", "signature_count")) == expected
    assert summary.new == len(expected) == 29
    assert run.site.retries == 5
    assert run.waits.count(1.0) == 2  # Retry-After: 1, obeyed on the 503 and the 429
    # One request a page and a petition, and one more for each failure.
    pages = 5 + 4  # current (24 by 5), and one page for each of the 4 archived parliaments
    assert standin.total() == run.site.requests == pages + len(expected) + 5
    # The recorded documents brought their breakdowns.
    assert ConstituencySignatures.objects.exists()
    assert standin.user_agents == {f"Petition Archive harvester (+{CONTACT})"}
    assert len(standin.connections) == 1 + 2  # one kept alive, and one after each hang-up
    assert HarvestCursor.objects.count() == 0  # nothing left to continue


def test_a_second_run_fetches_only_what_changed(standin):
    harvest(standin)
    assert SignaturePoint.objects.count() == 29
    bumped = standin.petitions.bump(3, by=1000, ids=sorted(standin.petitions.current)[::8])
    before = standin.total()

    summary, _ = harvest(standin)

    asked = standin.total() - before
    assert asked == 9 + 3  # every list page (each a conditional request), three documents
    newest_first = sorted(standin.petitions.current, reverse=True)
    changed_pages = {newest_first.index(change["id"]) // PAGE_SIZE for change in bumped}
    assert summary.pages_unchanged == 9 - len(changed_pages)  # the others answered 304
    assert (summary.new, summary.updated) == (0, 3)
    for change in bumped:
        petition = Petition.objects.get(id=change["id"])
        assert petition.signature_count == change["signature_count"]
        counts = list(petition.history.values_list("signature_count", flat=True))
        assert counts == [change["signature_count"] - 1000, change["signature_count"]]
    assert summary.points == 3

    before = standin.total()
    summary, _ = harvest(standin)
    assert standin.total() - before == 9  # nothing changed: the list pages, all 304
    assert summary.pages_unchanged == 9
    assert summary.points == 0
    assert SignaturePoint.objects.count() == 29 + 3


def test_an_interrupted_run_resumes_without_refetching(standin):
    def stop_after_two_pages(listing, done, total):
        if done == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        harvest(standin, on_page=stop_after_two_pages)
    assert Petition.objects.count() == 2 * PAGE_SIZE
    cursor = HarvestCursor.objects.get()
    assert cursor.next_url.endswith("/petitions.json?page=3&state=all")
    asked = dict(standin.requests)

    summary, _ = harvest(standin)

    again = {address: n - asked.get(address, 0) for address, n in standin.requests.items()}
    refetched = [address for address, n in asked.items() if again.get(address)]
    assert refetched == []
    assert summary.complete
    assert Petition.objects.count() == 29
    assert HarvestCursor.objects.count() == 0


def test_a_run_killed_while_fetching_a_page_loses_only_that_page(standin, monkeypatch):
    victim = sorted(standin.petitions.current, reverse=True)[2 * PAGE_SIZE + 1]  # page 3
    original = Site.fetch

    def crash(self, url, *args, **kwargs):
        if url.endswith(f"/petitions/{victim}.json"):
            raise KeyboardInterrupt
        return original(self, url, *args, **kwargs)

    monkeypatch.setattr(Site, "fetch", crash)
    with pytest.raises(KeyboardInterrupt):
        harvest(standin)
    assert Petition.objects.count() == 2 * PAGE_SIZE  # page 3 is not half-written
    monkeypatch.setattr(Site, "fetch", original)
    asked = dict(standin.requests)

    summary, _ = harvest(standin)

    assert summary.complete
    assert Petition.objects.count() == 29
    again = {a for a, n in standin.requests.items() if n > asked.get(a, 0)}
    assert "/petitions.json?page=3&state=all" in again
    assert "/petitions.json?page=2&state=all" not in again


def test_a_document_that_cannot_be_fetched_is_reported_and_the_run_goes_on(standin):
    lost = sorted(standin.petitions.current)[0]
    standin.fail(f"/petitions/{lost}.json", "503", "503", "503")

    summary, run = harvest(standin, attempts=3)

    assert not summary.complete
    assert summary.failed == 1
    assert any(f"/petitions/{lost}.json: HTTP 503 (after 3 attempts)" in line for line in run.lines)
    assert Petition.objects.count() == 28
    # The next run fetches it (its page was not marked harvested in full).
    summary, _ = harvest(standin)
    assert summary.complete
    assert Petition.objects.filter(id=lost).exists()


def test_hostile_documents_are_refused_by_address_and_json_path(standin):
    ids = sorted(standin.petitions.current)
    standin.petitions.current[ids[0]]["attributes"]["signature_count"] = -5
    standin.petitions.current[ids[1]]["attributes"]["signatures_by_country"] = [
        {"name": "Nowhere", "code": "XX", "signature_count": "many"}
    ]

    summary, run = harvest(standin)

    assert summary.refused == 2
    problems = "\n".join(run.lines)
    assert (
        f"{standin.base}/petitions.json?page=5&state=all: $.data[3].attributes.signature_count: "
        "a count cannot be negative (-5)"
    ) in problems
    assert (
        f"{standin.base}/petitions/{ids[1]}.json: "
        "$.data.attributes.signatures_by_country[0].signature_count"
    ) in problems
    assert not Petition.objects.filter(id__in=ids[:2]).exists()
    assert Petition.objects.count() == 27


def test_a_list_page_may_not_send_the_harvester_elsewhere(standin, monkeypatch):
    run = Run(standin)
    page = {
        "links": {"next": "http://elsewhere.example/petitions.json?page=2"},
        "data": [],
    }
    monkeypatch.setattr(run.site, "fetch", lambda url, *a: type("F", (), {"document": page})())
    listing = run.harvester.listings(archived=False)[0]
    following, _ = run.harvester.page(listing, listing.first_url, 1)
    assert following == ""
    assert run.lines == [
        f"{listing.first_url}: $.links.next: not an address on {standin.base}: "
        "'http://elsewhere.example/petitions.json?page=2'"
    ]
    item = {"links": {"self": "file:///etc/passwd"}, "type": "petition", "id": 1}
    with pytest.raises(Exception, match=r"\$\.data\[0\]\.links\.self: not an address"):
        run.harvester._detail_url(item, type("R", (), {"id": 1})(), listing, 0)


def test_requests_are_spaced_by_the_rate(standin):
    now = [0.0]
    started = []

    def sleep(seconds):
        now[0] += seconds

    site = Site(standin.base, contact=CONTACT, rate=2, sleep=sleep, clock=lambda: now[0])
    for _ in range(4):
        site.fetch(f"{standin.base}/petitions.json?state=all")
        started.append(site.last_request)
        now[0] += 0.1  # the answer took a while
    site.close()
    assert standin.total() == 4
    gaps = [b - a for a, b in zip(started, started[1:], strict=False)]
    assert all(gap >= 0.5 for gap in gaps)  # at most 2 a second


def test_backoff_doubles_for_each_failure_of_a_document_and_starts_again_for_the_next(standin):
    ids = sorted(standin.petitions.current)
    standin.fail(f"/petitions/{ids[0]}.json", "500", "500", "500")
    standin.fail(f"/petitions/{ids[1]}.json", "500")
    waits = []
    site = Site(standin.base, contact=CONTACT, rate=1000, backoff=2, sleep=waits.append)
    site.jitter = lambda: 0.5  # (the middle of its range: no jitter)
    site.fetch(f"{standin.base}/petitions/{ids[0]}.json")
    site.fetch(f"{standin.base}/petitions/{ids[1]}.json")
    site.close()
    assert [w for w in waits if w >= 0.1] == [2, 4, 8, 2]  # (the rest kept the rate)


def test_a_document_answering_404_is_not_retried(standin):
    site = Site(standin.base, contact=CONTACT, rate=1000, sleep=lambda s: None)
    with pytest.raises(Unreachable, match="HTTP 404"):
        site.fetch(f"{standin.base}/petitions/1.json")
    assert site.requests == 1


@pytest.mark.parametrize(
    "given, seconds",
    [("5", 5.0), ("0", 0.0), (None, None), ("soon", None), ("-3", None), ("9" * 40, None)],
)
def test_retry_after(given, seconds):
    assert retry_after(given) == seconds


def test_retry_after_as_a_date():
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # long past: at once


def test_the_command_summarises_and_exits_non_zero_when_something_was_not_harvested(
    standin, settings
):
    settings.HARVEST_CONTACT = CONTACT
    lost = sorted(standin.petitions.current)[0]
    standin.fail(f"/petitions/{lost}.json", *["503"] * 20)
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="1 document could not be fetched"):
        call_command(
            "harvest", "--site", standin.base, "--rate", "1000", "--attempts", "1",
            "--current", stdout=out, stderr=err,
        )  # fmt: skip
    assert "Petitions: 23 new, 0 updated, 0 unchanged." in out.getvalue()
    assert f"/petitions/{lost}.json: HTTP 503 (after 1 attempts)" in err.getvalue()

    out = io.StringIO()
    standin.faults.clear()
    call_command("harvest", "--site", standin.base, "--rate", "1000", stdout=out)
    # The lost one, the archive; the rest of its page is read again, found unchanged.
    assert "Petitions: 6 new, 0 updated, 3 unchanged." in out.getvalue()
    assert "Unreachable: 0." in out.getvalue()


@pytest.mark.parametrize(
    "arguments, message",
    [
        (["--parliament", "1066-1087"], "No archived parliament '1066-1087'"),
        (["--site", "ftp://example.org"], "--site must be an http"),
        (["--attempts", "0"], "--attempts must be from 1 to 20"),
    ],
)
def test_the_command_refuses_bad_options(arguments, message, settings):
    settings.HARVEST_CONTACT = CONTACT
    with pytest.raises(CommandError, match=message):
        call_command("harvest", *arguments)


def test_the_real_site_is_never_harvested_without_a_contact_address(settings):
    settings.HARVEST_CONTACT = ""
    with pytest.raises(CommandError, match="Set HARVEST_CONTACT"):
        call_command("harvest")


def test_only_one_parliament(standin, settings):
    settings.HARVEST_CONTACT = CONTACT
    call_command(
        "harvest", "--site", standin.base, "--rate", "1000", "--parliament", "2017-2019",
        stdout=io.StringIO(),
    )  # fmt: skip
    assert set(Petition.objects.values_list("id", flat=True)) == set(standin.petitions.archived[3])
    assert list(standin.requests)[0] == "/archived/petitions.json?parliament=3&state=all"


def test_an_emptied_archive_is_filled_again_with_full(standin, settings):
    settings.HARVEST_CONTACT = CONTACT
    harvest(standin)
    Petition.objects.all().delete()
    call_command("harvest", "--site", standin.base, "--rate", "1000", stdout=io.StringIO())
    assert Petition.objects.count() == 0  # every page answered 304: nothing to see
    out = io.StringIO()
    call_command("harvest", "--site", standin.base, "--rate", "1000", "--full", stdout=out)
    assert Petition.objects.count() == 29
    assert "(0 unchanged since the last run)" in out.getvalue()


def test_a_page_harvested_in_full_keeps_its_validators(standin):
    harvest(standin)
    kept = HarvestPage.objects.get(url=f"{standin.base}/petitions.json?state=all")
    assert kept.etag and kept.next_url.endswith("page=2&state=all")
    served = httpx.get(f"{standin.base}/petitions.json?state=all")
    assert kept.etag == served.headers["ETag"]  # as the site sent it


def site_answering(handler) -> Site:
    """A Site whose every request is answered by `handler` (an httpx.Request -> Response)."""
    site = Site("http://site.test", contact=CONTACT, rate=1000, attempts=2, sleep=lambda s: None)
    site.client = httpx.Client(transport=httpx.MockTransport(handler))
    return site


def test_a_304_to_a_request_without_validators_is_unreachable_not_a_crash():
    site = site_answering(lambda request: httpx.Response(304))
    with pytest.raises(Unreachable, match="not conditional"):
        site.fetch("http://site.test/petitions/1.json")


def test_hostile_numbers_in_headers_and_links_are_not_numbers():
    """ "²" passes str.isdigit() and fails int(): a site's headers and links are read with
    the archive's one number parser."""
    body = b'{"data": []}'
    site = site_answering(
        lambda request: httpx.Response(200, content=body, headers={"Content-Length": b"\xb2"})
    )
    assert site.fetch("http://site.test/petitions.json").document == {"data": []}
    assert _page_number("http://site.test/petitions.json?page=²") is None
    assert _page_number("http://site.test/petitions.json?page=" + "9" * 5000) is None
    assert retry_after("²") is None


def test_a_validator_too_long_to_keep_is_not_kept_cut_short():
    site = site_answering(
        lambda request: httpx.Response(200, json={"data": []}, headers={"ETag": '"' + "e" * 600})
    )
    assert site.fetch("http://site.test/petitions.json").etag == ""


def test_a_list_at_a_petitions_own_address_is_refused(data_dir):
    petition = json.loads((data_dir / "petitions" / "221342.json").read_text())
    as_list = {"links": {}, "data": [petition]}
    with pytest.raises(InvalidDocument, match="not a list"):
        _one_petition(as_list, 221342)
