"""Conditional requests, cache lifetimes and the optional shared page cache."""

import datetime as dt

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from constituencies import local
from tests.factories import PetitionFactory
from tests.test_constituency_pages import mp_reads

PAGES = ["petitions:detail", "petitions:map", "responses:detail", "petitions:json"]


@pytest.mark.parametrize("page", PAGES)
def test_pages_send_validators_and_answer_304(client, sample_petition, page):
    url = reverse(page, args=[221342])
    first = client.get(url)

    assert first.status_code == 200
    assert first["ETag"]
    assert first["Last-Modified"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200


def test_closed_petitions_may_be_kept_by_a_cdn_while_browsers_ask_again(client, sample_petition):
    response = client.get(reverse("petitions:detail", args=[221342]))

    directives = {d.strip() for d in response["Cache-Control"].split(",")}
    assert {"public", "s-maxage=3600", "max-age=0"} <= directives


def test_an_editors_change_shows_in_the_same_browser_on_its_next_visit(client, sample_petition):
    """The browser revalidates with its ETag: a 304 until the response changes, then the
    new page."""
    url = reverse("petitions:detail", args=[221342])
    first = client.get(url)
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    answer = sample_petition.government_response
    answer.summary = "A summary the editor corrected."
    answer.updated_at = timezone.now()
    answer.save()
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert b"A summary the editor corrected." in again.content


@pytest.mark.django_db
def test_open_petitions_are_revalidated(client):
    petition = PetitionFactory(open=True)

    response = client.get(petition.get_absolute_url())

    assert "no-cache" in response["Cache-Control"]


def test_a_new_response_changes_what_is_served_at_once(client, sample_petition):
    url = reverse("petitions:detail", args=[221342])
    before = client.get(url)
    answer = sample_petition.government_response
    answer.summary = "A corrected summary."
    answer.updated_at = timezone.now()
    answer.save()

    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert after["ETag"] != before["ETag"]
    assert "A corrected summary." in after.content.decode()


@pytest.mark.django_db
def test_missing_petition_is_still_a_404(client):
    assert client.get(reverse("petitions:detail", args=[42])).status_code == 404


@pytest.fixture
def page_cache(settings):
    """A shared cache (locmem standing in for Redis), and no per-process one."""
    settings.PAGE_CACHE = True
    settings.PAGE_CACHE_LOCAL = False
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    cache.clear()
    yield
    cache.clear()


def test_shared_cache_serves_a_rendered_page_with_one_query(
    client, sample_petition, page_cache, django_assert_num_queries
):
    url = reverse("petitions:map", args=[221342])
    first = client.get(url).content

    with django_assert_num_queries(1):  # only the petition's version
        again = client.get(url)

    assert again.content == first
    sample_petition.updated_at = timezone.now() + dt.timedelta(seconds=1)
    sample_petition.action = "A changed action"
    sample_petition.save()
    assert "A changed action" in client.get(url).content.decode()


@pytest.mark.parametrize("path", ["/", "/petitions/?state=closed", "/petitions.json"])
def test_lists_follow_the_archive_version(client, sample_petition, path):
    first = client.get(path)

    assert first.status_code == 200
    assert "no-cache" in first["Cache-Control"]
    assert client.get(path, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    PetitionFactory(action="A brand new petition")  # any change to the archive
    after = client.get(path, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200
    assert after["ETag"] != first["ETag"]


def test_archive_version_rises_with_every_kind_of_write(sample_petition):
    from petitions.models import ArchiveState
    from responses import services

    before = ArchiveState.current()
    response = sample_petition.government_response
    response.summary = "Changed through the admin's service."
    services.record_government_response(response)
    middle = ArchiveState.current()
    call_command("loaddata", "sample_petition", verbosity=0)

    assert before < middle < ArchiveState.current()


def test_shared_cache_serves_a_list_with_one_query(
    client, sample_petition, page_cache, django_assert_num_queries
):
    first = client.get("/petitions/", {"q": "Uyghur"}).content

    with django_assert_num_queries(1):  # only the archive's version
        again = client.get("/petitions/", {"q": "Uyghur"})

    assert again.content == first
    PetitionFactory(action="Uyghur rights at the UN", signature_count=5)
    assert "Uyghur rights at the UN" in client.get("/petitions/", {"q": "Uyghur"}).content.decode()


def test_the_shared_cache_keeps_what_every_worker_would_work_out_again(
    client, sample_petition, page_cache, settings
):
    """A constituency's MPs (every petition signed there, read) and a search's counts,
    worked out by one worker, serve another: another page of them, in another process."""
    from django.core.cache import caches
    from django.test.utils import CaptureQueriesContext

    from tests.factories import ConstituencySignaturesFactory

    locmem = "django.core.cache.backends.locmem.LocMemCache"
    settings.CACHES = {  # apart, so that clearing one worker's leaves the shared one
        "default": {"BACKEND": locmem, "LOCATION": "shared"},
        "pages": {"BACKEND": locmem, "LOCATION": "worker"},
    }

    for n in range(30):
        ConstituencySignaturesFactory(ons_code="E14000882", signature_count=100 + n)
    for first, then in [
        ("/constituencies/E14000882/", "/constituencies/E14000882/?page=2"),
        ("/petitions/?q=Uyghur", "/petitions/?q=Uyghur&state=closed"),
    ]:
        assert client.get(first).status_code == 200
        caches["pages"].clear()  # another worker
        with CaptureQueriesContext(connection) as queries:
            assert client.get(then).status_code == 200
        sql = " ".join(q["sql"] for q in queries.captured_queries)
        assert 'AS "first"' not in sql  # the MPs: when each was first named
        assert 'AS "awaiting_debate"' not in sql  # the facets' counts


def test_each_process_keeps_its_pages_without_a_shared_cache(
    client, sample_petition, django_assert_num_queries
):
    url = reverse("petitions:detail", args=[221342])
    first = client.get(url).content

    with django_assert_num_queries(1):  # only the petition's version
        again = client.get(url)

    assert again.content == first
    answer = sample_petition.government_response
    answer.summary = "Seen at once."
    answer.updated_at = timezone.now()
    answer.save()
    assert "Seen at once." in client.get(url).content.decode()


def test_pages_are_compressed_for_browsers_that_ask(client, sample_petition):
    url = reverse("petitions:map", args=[221342])
    plain = client.get(url)
    compressed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")

    assert compressed["Content-Encoding"] == "gzip"
    assert len(compressed.content) < len(plain.content) / 4
    etag = compressed["ETag"]
    assert client.get(url, HTTP_ACCEPT_ENCODING="gzip", HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_renaming_a_department_shows_on_the_petition_at_once(client, sample_petition):
    url = reverse("petitions:detail", args=[221342])
    before = client.get(url)
    department = sample_petition.government_response.department
    department.name = "Foreign, Commonwealth and Development Office"
    department.save()

    after = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200
    assert "Foreign, Commonwealth and Development Office" in after.content.decode()


def test_a_stored_page_is_served_by_any_worker_with_one_query(
    client, sample_petition, django_assert_num_queries
):
    import gzip

    from django.core.cache import caches

    url = reverse("petitions:detail", args=[221342])
    first = client.get(url)
    caches["pages"].clear()  # another worker, or a restart: nothing in memory
    with django_assert_num_queries(1):  # the page's version and the stored page, together
        again = client.get(url)
    assert again.content == first.content
    with django_assert_num_queries(1):  # kept in this worker's memory now: the version only
        assert client.get(url).content == first.content
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == first.content


def test_a_stored_page_follows_a_renamed_department(client, sample_petition):
    from petitions.models import Department

    url = reverse("petitions:detail", args=[221342])
    client.get(url)
    Department.objects.filter(name="Foreign and Commonwealth Office").update(
        name="Foreign, Commonwealth and Development Office"
    )
    assert b"Foreign, Commonwealth and Development Office" in client.get(url).content


@pytest.mark.django_db(transaction=True)
def test_render_pages_stores_every_petitions_pages_ahead_of_readers(
    client, settings, django_assert_max_num_queries, monkeypatch
):
    """A petition nobody has opened is served from the store: its version read with its
    page, one query; so are the list's tabs and every page of them that is kept, even past
    a tab's end."""
    import io

    from django.core.management import call_command

    from petitions.caching import STORED_PARAMETERS
    from petitions.models import Parliament, StoredPage

    monkeypatch.setitem(STORED_PARAMETERS, "page", 3)  # pages 1 to 3 are kept
    call_command("loaddata", "sample_petition", verbosity=0)
    settings.ALLOWED_HOSTS = ["testserver"]
    out = io.StringIO()
    call_command("render_pages", "--base-url", "http://testserver", stdout=out)
    # Page, JSON, archived JSON, count, response, map; the home page; each of the 9 tabs of the
    # list, by its tab's address and as pages 1 to 3 (page 1 is the "Previous page" link
    # of page 2); the JSON list, likewise; the parliaments, each parliament's page, JSON and
    # constituencies, the constituencies' index and document.
    parliaments = Parliament.objects.count()
    stored = 6 + 1 + 9 * 4 + 4 + 1 + 3 * parliaments + 2
    assert out.getvalue() == (
        f"1 petitions: {stored} pages current in the store; the MPs of 1,295 constituencies kept.\n"
    )
    assert StoredPage.objects.count() == stored
    for address, queries in [
        ("/petitions/221342/", 1),
        ("/petitions/221342.json", 1),
        ("/petitions/221342/count.json", 1),
        ("/petitions/221342/response/", 1),
        ("/petitions/221342/map/", 1),
        ("/petitions/?state=closed&page=1", 2),  # the archive's version, the page
        ("/petitions/?state=debated&page=3", 2),  # past the end: the last page, stored
        ("/petitions.json?page=2", 2),
        ("/", 2),
        ("/parliaments/2017-2019/", 1),  # the archive's version with the page
        ("/constituencies.json", 1),
    ]:
        with django_assert_max_num_queries(queries):
            assert client.get(address).status_code == 200
    out = io.StringIO()
    call_command("render_pages", "--base-url", "http://testserver", stdout=out)
    assert StoredPage.objects.count() == stored  # nothing new: every page was current

    # Every constituency's MPs were kept too: a worker that has not read them (nothing in
    # its memory) does not work them out from the petitions signed there, for a
    # constituency some petition was signed in or none was.
    caches["pages"].clear()
    for code, members in [("E14000882", ["Jim Fitzpatrick MP"]), ("E14001063", [])]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/constituencies/{code}/")
        assert response.status_code == 200
        assert mp_reads(queries) == 0
        assert [member.name for member in response.context["members"]] == members

    # With --constituencies, every constituency's page and JSON too, pages 1 to 3 and by
    # their own address (here for two constituencies of the 1,295: one signed, one not).
    monkeypatch.setattr(local, "all_codes", lambda: {"E14000882", "E14001063"})
    call_command("render_pages", "--base-url", "http://testserver", "--constituencies", stdout=out)
    assert StoredPage.objects.count() == stored + 2 * 2 * 4
    for address in [
        "/constituencies/E14000882/",
        "/constituencies/E14000882/?page=3",  # past the end: the last page, stored
        "/constituencies/E14001063.json?page=2",
    ]:
        with django_assert_max_num_queries(1):  # the archive's version with the page
            assert client.get(address).status_code == 200


def test_a_department_saved_unchanged_leaves_stored_pages_as_they_are(
    client, sample_petition, django_assert_num_queries
):
    """Loading the sample again, or an import naming the same department, changes nothing."""
    from django.core.cache import caches

    from petitions.models import Department

    url = reverse("petitions:detail", args=[221342])
    client.get(url)
    Department.objects.get(name="Foreign and Commonwealth Office").save()
    caches["pages"].clear()
    with django_assert_num_queries(1):  # the version, with the page stored for it
        client.get(url)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's prepared statements")
def test_the_read_of_a_page_with_its_version_is_prepared_once_per_connection(
    client, sample_petition
):
    """Serving a stored page is that one query: PostgreSQL plans it once, not each time."""
    for _ in range(2):
        assert client.get("/petitions/221342/").status_code == 200
        assert client.get("/petitions/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [row[0] for row in cursor.fetchall()]
    petition_pages = [s for s in prepared if s.startswith("WITH current AS")]
    list_pages = [s for s in prepared if s.startswith("SELECT state.version, page.")]
    assert len(petition_pages) == len(list_pages) == 1
