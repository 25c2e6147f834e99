"""Hostile requests: no parameter, header or flood makes the archive fail its readers.

Every public address answers a hostile value with a 4xx in its own form (JSON in JSON,
CSV in plain text, pages as pages), never a 5xx; one client's Host never reaches another
reader's documents; a failing database gets a friendly 503.
"""

import io
import logging
import time
from collections import Counter
from urllib.parse import quote_from_bytes

import pytest
from django.db import OperationalError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from petitions.models import Petition
from tests.factories import PetitionFactory

pytestmark = pytest.mark.django_db

ADDRESSES = [
    "/",
    "/petitions/",
    "/petitions.json",
    "/petitions.csv",
    "/archived/petitions.json",
    "/archived/petitions.csv",
    "/petitions/221342/",
    "/petitions/221342/map/",
    "/petitions/221342/response/",
    "/petitions/221342.json",
    "/archived/petitions/221342.json",
    "/archived/petitions/221342",
    "/petitions/221342/count.json",
    "/constituencies/",
    "/constituencies/E14000882/",
    "/constituencies/E14000882.json",
    "/constituencies/E14000882.csv",
    "/constituencies.json",
    "/parliaments/",
    "/parliaments/2017-2019/",
    "/parliaments/2017-2019.json",
    "/parliaments/2017-2019/constituencies.json",
    "/petitions/221342/history.json",
    "/petitions/221342/history.csv",
    "/healthz",
    "/readyz",
]
PARAMETERS = [
    "q",
    "state",
    "parliament",
    "response",
    "debated",
    "sort",
    "reached",
    "reason",
    "department",
    "responses_only",
    "page",
    "count",
    "area",
    "measure",
    "kind",
    "order",
]
HOSTILE = [
    "²",
    "①",
    "٣",
    "9" * 5000,
    "-1",
    "0",
    "1e9",
    "2147483648",
    "99999999999999999999",
    "\x00",
    "%",
    "' OR 1=1 --",
    '"',
    "<script>alert(1)</script>",
    "a" * 10_000,
    "\u202e",
    " ",
    "all",
    "open",
    "javascript:alert(1)",
]


def query(name: str, value: str | bytes) -> str:
    raw = value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value
    return f"{name}={quote_from_bytes(raw)}"


@pytest.fixture
def archive(sample_petition):
    PetitionFactory(action="Save the hedgehogs")
    PetitionFactory(open=True)
    return sample_petition


def test_every_address_answers_every_hostile_value_without_a_5xx(client, archive, capsys):
    statuses = Counter()
    failures = []
    for address in ADDRESSES:
        for name in PARAMETERS:
            for value in HOSTILE:
                response = client.get(address, QUERY_STRING=query(name, value))
                statuses[response.status_code] += 1
                if response.status_code >= 500:
                    failures.append((address, name, value[:20], response.status_code))
    with capsys.disabled():
        print(f"\nhostile matrix: {sum(statuses.values()):,} requests, {dict(statuses)}")
    assert failures == []


@settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    address=st.sampled_from(ADDRESSES),
    pairs=st.lists(
        st.tuples(
            st.sampled_from([*PARAMETERS, "x"]),
            st.one_of(st.binary(max_size=40), st.text(max_size=40), st.sampled_from(HOSTILE)),
        ),
        max_size=4,
    ),
)
def test_fuzzed_queries_never_get_a_5xx(client, archive, address, pairs):
    response = client.get(address, QUERY_STRING="&".join(query(n, v) for n, v in pairs))
    assert response.status_code < 500, (address, pairs)


@pytest.mark.parametrize("value", ["²", "①", "9" * 5000])
def test_unicode_and_huge_numbers_are_plain_text_or_a_clear_400(client, archive, value):
    listing = client.get(reverse("petitions:list"), {"q": value})
    # Searched for as words, or (over 200 characters) a page that says what is wrong.
    assert listing.status_code == (200 if len(value) < 200 else 400)
    for name in ("page", "count"):
        for url in (reverse("petitions:list_json"), reverse("petitions:archived_list_json")):
            response = client.get(url, {name: value})
            assert response.status_code == 400
            assert response["Content-Type"] == "application/json"
            assert response.json()["error"].startswith(f"{name} must be")
    page = client.get(reverse("petitions:list"), {"page": value})
    assert page.status_code == 200  # the first page


def test_json_and_csv_addresses_answer_errors_in_their_own_form(client, archive):
    assert client.get("/petitions/12345678901.json").json() == {
        "error": "There is no petition 12345678901 here."
    }
    missing = client.get("/petitions/abc.json")
    assert missing.status_code == 404
    assert missing.json() == {"error": "There is nothing at this address."}
    assert missing["Access-Control-Allow-Origin"] == "*"
    bad = client.get(reverse("petitions:list_json"), {"state": "bogus"})
    assert bad.status_code == 400 and "state" in bad.json()["errors"]
    bad_csv = client.get(reverse("petitions:list_csv"), {"state": "bogus"})
    assert bad_csv.status_code == 400 and bad_csv["Content-Type"] == "text/plain"
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and b"Page not found" in page.content


def test_a_cors_preflight_is_answered(client, archive):
    for url in (reverse("petitions:json", args=[221342]), reverse("petitions:list_csv")):
        response = client.options(
            url,
            HTTP_ORIGIN="https://another.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="if-none-match",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
        assert "GET" in response["Access-Control-Allow-Methods"]
        assert "If-None-Match" in response["Access-Control-Allow-Headers"]
    assert client.post(reverse("petitions:list_json")).status_code == 405


def test_a_foreign_host_never_reaches_another_readers_documents(client, archive, settings):
    settings.ALLOWED_HOSTS = ["127.0.0.1", "testserver"]
    settings.PAGE_CACHE_LOCAL = True
    addresses = [
        reverse("petitions:json", args=[221342]),
        reverse("petitions:list_json") + "?state=open&page=1",
        reverse("petitions:list_csv"),
    ]
    for _ in range(8):
        for address in addresses:
            client.get(address, HTTP_HOST="127.0.0.1:6666")
    for address in addresses:
        response = client.get(address)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert b"6666" not in body, address
        assert b"http://testserver/" in body, address


def test_site_url_fixes_the_links_whatever_the_host(client, archive, settings):
    settings.SITE_URL = "https://archive.example.org"
    settings.ALLOWED_HOSTS = ["127.0.0.1"]
    document = client.get(reverse("petitions:json", args=[221342]), HTTP_HOST="127.0.0.1:6666")
    assert document.json()["links"]["self"] == "https://archive.example.org/petitions/221342.json"


def test_an_unknown_host_is_a_plain_400_without_an_error_logged(client, archive):
    """What reaches the log's handlers (on the root logger, as the console's is)."""
    written = io.StringIO()
    handler = logging.StreamHandler(written)
    loggers = [logging.getLogger(), logging.getLogger("django")]
    for logger in loggers:
        logger.addHandler(handler)
    try:
        response = client.get("/petitions/", HTTP_HOST="evil.example")
        ordinary = client.get("/no/such/page/")
    finally:
        for logger in loggers:
            logger.removeHandler(handler)
    assert response.status_code == 400
    assert b"could not understand that request" in response.content
    assert ordinary.status_code == 404  # (and the log does work: it says so)
    assert written.getvalue() == "Not Found: /no/such/page/\n"


def test_the_unfiltered_csv_is_built_once_per_version_of_the_archive(
    client, archive, django_assert_max_num_queries
):
    url = reverse("petitions:list_csv")
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_max_num_queries(1):  # the archive's version: no petition is read
        again = client.get(url)
    assert b"".join(again.streaming_content) == b"".join(first.streaming_content)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"

    PetitionFactory(action="A petition added since")
    newer = b"".join(client.get(url).streaming_content)
    assert b"A petition added since" in newer


def test_head_of_a_csv_builds_nothing(client, archive, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.head(reverse("petitions:archived_list_csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_a_search_csv_holds_its_best_matches_only(client, archive, monkeypatch):
    monkeypatch.setattr("petitions.csv_lists.SEARCH_ROWS", 2)
    for n in range(4):
        PetitionFactory(action=f"Protect hedgehog habitat number {n}")
    body = client.get(reverse("petitions:list_csv"), {"q": "hedgehog"}).content.decode()
    assert len(body.strip().splitlines()) == 1 + 2


@pytest.fixture
def database_down(monkeypatch):
    """The database cannot be reached: every new cursor fails as when it is stopped."""

    def refuse(self, *args, **kwargs):
        raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")

    monkeypatch.setattr(BaseDatabaseWrapper, "cursor", refuse)


@pytest.mark.parametrize(
    "address", ["/", "/petitions/", "/petitions/221342/", "/petitions/221342/map/"]
)
def test_a_page_says_come_back_soon_while_the_database_is_away(
    client, archive, database_down, address
):
    response = client.get(address)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"not available just now" in response.content


@pytest.mark.parametrize("address", ["/petitions.json", "/petitions/221342.json"])
def test_json_says_so_in_json_while_the_database_is_away(client, archive, database_down, address):
    response = client.get(address)
    assert response.status_code == 503
    assert "database" in response.json()["error"]


def test_a_csv_never_starts_when_the_database_is_away(client, archive, database_down):
    response = client.get(reverse("petitions:list_csv"))
    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that drops its connections")
def test_a_connection_the_server_dropped_is_replaced_on_the_next_request():
    """A restart or failover drops kept connections: the next request opens a new one
    instead of failing (found without a round trip: petitions_site.db)."""
    kept = connections.create_connection("default")
    try:
        kept.ensure_connection()
        assert kept.is_usable()
        dropped = kept.connection.info.backend_pid
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [dropped])
        time.sleep(0.2)  # the server's goodbye reaches the socket
        assert not kept.is_usable()
        kept.close_if_unusable_or_obsolete()  # as at the start of a request
        kept.ensure_connection()  # the request's first query
        with kept.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            assert cursor.fetchone()[0] != dropped
    finally:
        kept.close()


def test_readiness_asks_the_database_and_liveness_does_not(client, archive, monkeypatch):
    assert client.get("/readyz").content == b"ready\n"
    monkeypatch.setattr(
        BaseDatabaseWrapper, "cursor", lambda *a, **k: (_ for _ in ()).throw(OperationalError())
    )
    assert client.get("/readyz").status_code == 503
    assert client.get("/healthz").status_code == 200


def test_every_page_says_what_it_may_load(client, archive):
    for address in ("/", "/petitions/221342/", "/petitions/221342/map/", "/admin/login/"):
        response = client.get(address)
        policy = response["Content-Security-Policy"]
        scripts = next(p for p in policy.split(";") if p.strip().startswith("script-src"))
        assert "'unsafe-inline'" not in scripts and "'self'" in scripts
        assert "geolocation=()" in response["Permissions-Policy"]


def test_admin_sign_in_is_refused_after_a_handful_of_failures(client, django_user_model):
    django_user_model.objects.create_superuser("editor", "editor@example.org", "right password")
    url = reverse("admin:login")
    statuses = [
        client.post(url, {"username": "editor", "password": f"wrong {n}"}).status_code
        for n in range(8)
    ]
    assert statuses[:4] == [200] * 4  # the form again, with its message
    assert set(statuses[5:]) == {429}
    refused = client.post(url, {"username": "editor", "password": "right password"})
    assert refused.status_code == 429
    assert b"Too many failed sign-ins" in refused.content
    assert "_auth_user_id" not in client.session
    # Another address may still sign in to the account.
    other = client.post(
        url, {"username": "editor", "password": "right password"}, REMOTE_ADDR="10.0.0.9"
    )
    assert other.status_code == 302


def test_an_operator_lifts_the_lock(client, django_user_model):
    from django.core.management import call_command

    django_user_model.objects.create_superuser("editor", "editor@example.org", "right password")
    url = reverse("admin:login")
    for n in range(6):
        client.post(url, {"username": "editor", "password": f"wrong {n}"})
    call_command("axes_reset_username", "editor", verbosity=0)
    response = client.post(url, {"username": "editor", "password": "right password"})
    assert response.status_code == 302
    assert Petition.objects.count() == 0  # (nothing else was touched)


def test_made_up_query_strings_never_fill_the_page_store(client, archive):
    """Every address a client invents is answered, but only the archive's own pages (a
    facet, a page up to 40) are kept in the database; the rest stay in memory."""
    from petitions.models import StoredPage

    client.get("/petitions/221342/")
    client.get("/petitions/", {"state": "open", "page": "2"})
    kept = StoredPage.objects.count()
    for n in range(30):
        client.get("/petitions/221342/", {"x": n})
        client.get("/petitions/221342/map/", {"area": f"nowhere-{n}"})
        client.get("/petitions/", {"page": 1000 + n})
        client.get("/petitions.json", {"page": 1, "page_size": n})
    assert StoredPage.objects.count() == kept == 2


@pytest.mark.parametrize(
    "number", ["2147483648", "999999999999999999", "99999999999999999999", "9" * 5000, "٣"]
)
@pytest.mark.parametrize(
    "address",
    [
        "/petitions/{}/",
        "/petitions/{}.json",
        "/petitions/{}/map/",
        "/petitions/{}/response/",
        "/petitions/{}/count.json",
        "/petitions/{}/history.json",
        "/petitions/{}/history.csv",
        "/archived/petitions/{}.json",
        "/archived/petitions/{}",
    ],
)
def test_a_petition_number_no_petition_can_have_is_a_404(client, archive, address, number):
    """The number in a petition's address never reaches the database out of what it can
    hold (on SQLite, one past 64 bits was a 500)."""
    assert client.get(address.format(number)).status_code == 404
