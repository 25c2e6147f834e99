"""A petition's stored page is served on its own, with one read, while the rows it shows are
unchanged; any write to them, whoever makes it and however (the admin, an import, a plain
UPDATE that leaves `updated_at` as it was), shows on the next request."""

import datetime as dt
import gzip
import json

import pytest
from django.core.cache import caches
from django.db import connection
from django.utils import timezone

from petitions.models import (
    ConstituencySignatures,
    Department,
    Petition,
    SignaturePoint,
    StoredPage,
    Topic,
)
from responses.models import DebateOutcome, GovernmentResponse
from tests.factories import PetitionFactory

PETITION = 221342
PAGE = f"/petitions/{PETITION}/"
JSON = f"/petitions/{PETITION}.json"
HISTORY = f"/petitions/{PETITION}/history.json"


def another_worker():
    """What a request meets in another worker (or after a restart): nothing in memory."""
    caches["pages"].clear()


def add_point():
    SignaturePoint.objects.create(
        petition_id=PETITION, at=dt.datetime(2018, 12, 9, tzinfo=dt.UTC), signature_count=11_406
    )


def add_department():
    department = Department.objects.create(name="Home Office")
    Petition.departments.through.objects.create(petition_id=PETITION, department=department)


def add_topic():
    topic = Topic.objects.create(code="freedom-of-religion", name="Freedom of religion")
    Petition.topics.through.objects.create(petition_id=PETITION, topic=topic)


def change_a_constituency():
    first = ConstituencySignatures.objects.filter(petition_id=PETITION).order_by("pk").first()
    ConstituencySignatures.objects.filter(pk=first.pk).update(signature_count=987_654)


# What a writer does (none of them touches `updated_at`), where it shows, and what shows.
WRITES = {
    "count": (
        lambda: Petition.objects.filter(pk=PETITION).update(signature_count=11_407),
        PAGE,
        "11,407",
    ),
    "response": (
        lambda: GovernmentResponse.objects.filter(petition=PETITION).update(
            summary="Corrected by a plain UPDATE."
        ),
        PAGE,
        "Corrected by a plain UPDATE.",
    ),
    "debate": (
        lambda: DebateOutcome.objects.create(
            petition_id=PETITION,
            debated=True,
            debated_on=dt.date(2019, 1, 14),
            overview="Debated in Westminster Hall.",
        ),
        JSON,
        "Debated in Westminster Hall.",
    ),
    "point": (add_point, HISTORY, "2018-12-09"),
    "constituency": (change_a_constituency, JSON, "987654"),
    "department": (add_department, JSON, "Home Office"),
    "topic": (add_topic, JSON, "freedom-of-religion"),
}


@pytest.mark.parametrize("write", WRITES)
def test_any_write_to_what_a_stored_page_shows_shows_at_once(
    client, sample_petition, django_assert_num_queries, write
):
    change, url, seen = WRITES[write]
    first = client.get(url)
    another_worker()
    with django_assert_num_queries(1):  # the stored page, current: nothing else is read
        assert client.get(url).content == first.content
    assert seen not in first.content.decode()

    change()
    another_worker()
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert seen in after.content.decode()
    another_worker()
    with django_assert_num_queries(1):  # stored again, and current again
        assert client.get(url).content == after.content


@pytest.mark.parametrize(
    "remove",
    [
        lambda: Petition.objects.filter(pk=PETITION).update(state="hidden"),
        lambda: Petition.objects.filter(pk=PETITION).delete(),
    ],
    ids=["hidden", "deleted"],
)
def test_a_petition_taken_away_is_not_served_from_the_store(client, sample_petition, remove):
    assert client.get(PAGE).status_code == 200
    remove()
    another_worker()
    assert client.get(PAGE).status_code == 404


@pytest.mark.django_db
def test_a_page_that_changes_with_the_day_is_not_served_the_next_day(client, monkeypatch):
    """An open petition's page tells what stands today: once its time has run out, the
    page stored the day before is not served."""
    petition = PetitionFactory(open=True)
    # Opened the day whose deadline is today's end.
    for days in range(150, 200):
        petition.opened_at = timezone.now() - dt.timedelta(days=days)
        if timezone.localdate(petition.deadline) == timezone.localdate():
            break
    petition.save()
    url = petition.get_absolute_url()
    today = client.get(url)
    assert "This petition is open" in today.content.decode()

    real_now = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: real_now() + dt.timedelta(days=1))
    another_worker()
    tomorrow = client.get(url, HTTP_IF_NONE_MATCH=today["ETag"])

    assert tomorrow.status_code == 200
    assert tomorrow["ETag"] != today["ETag"]
    assert "This petition is open" not in tomorrow.content.decode()


def test_a_new_release_renders_the_stored_page_again(client, sample_petition, settings):
    first = client.get(PAGE)
    settings.RELEASE = "2"
    another_worker()
    again = client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert again["ETag"] != first["ETag"]
    assert StoredPage.objects.get(version__startswith=f"p{PETITION}-", petition_id=PETITION)


def test_a_stored_page_is_sent_compressed_to_browsers_that_ask(client, sample_petition):
    first = client.get(PAGE)
    another_worker()
    packed = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content) == first.content
    assert client.get(PAGE, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_a_truncated_table_leaves_no_stored_page_current(client, sample_petition):
    """TRUNCATE names no rows: it raises the reference version every stored petition page
    is checked against."""
    first = client.get(JSON)
    assert json.loads(first.content)["data"]["attributes"]["government_response"]
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE responses_governmentresponse CASCADE")
    another_worker()
    after = json.loads(client.get(JSON).content)
    assert after["data"]["attributes"]["government_response"] is None
