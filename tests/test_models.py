"""The data model: what the database refuses, and the sample petition's fixture."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.db import DataError, IntegrityError, transaction

from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    Parliament,
    Petition,
    RegionSignatures,
)
from petitions.wording import rejection_title
from responses.models import DebateOutcome, GovernmentResponse
from tests.factories import (
    ConstituencySignaturesFactory,
    GovernmentResponseFactory,
    PetitionFactory,
)


def refused():
    """The database refuses the write: a constraint, or (PostgreSQL) a column's length."""
    return pytest.raises((IntegrityError, DataError))


@pytest.mark.django_db
class TestConstraints:
    def test_signature_counts_are_never_negative(self):
        petition = PetitionFactory()
        with refused(), transaction.atomic():
            Petition.objects.filter(pk=petition.pk).update(signature_count=-1)
        with refused(), transaction.atomic():
            ConstituencySignaturesFactory(petition=petition, signature_count=-5)
        with refused(), transaction.atomic():
            CountrySignatures.objects.create(petition=petition, name="France", signature_count=-1)

    def test_a_place_is_counted_once_in_a_petition_and_known_by_the_pair(self):
        petition = PetitionFactory()
        here = ConstituencySignaturesFactory(petition=petition, ons_code="E14000882")
        assert ConstituencySignatures.objects.get(pk=(petition.id, "E14000882")) == here
        with refused(), transaction.atomic():
            ConstituencySignaturesFactory(petition=petition, ons_code="E14000882")
        CountrySignatures.objects.create(petition=petition, name="France", signature_count=1)
        with refused(), transaction.atomic():
            CountrySignatures.objects.create(petition=petition, name="France", signature_count=2)
        RegionSignatures.objects.create(
            petition=petition, name="London", ons_code="H", signature_count=1
        )
        with refused(), transaction.atomic():
            RegionSignatures.objects.create(
                petition=petition, name="London", ons_code="H", signature_count=2
            )
        # Another petition counts the same places.
        ConstituencySignaturesFactory(petition=PetitionFactory(), ons_code="E14000882")
        assert ConstituencySignatures.objects.filter(ons_code="E14000882").count() == 2

    def test_state_must_be_one_the_public_site_knows(self):
        petition = PetitionFactory()
        with refused(), transaction.atomic():
            Petition.objects.filter(pk=petition.pk).update(state="archived")

    def test_a_petition_cannot_close_before_it_opened(self):
        with refused(), transaction.atomic():
            PetitionFactory(
                opened_at=dt.datetime(2019, 1, 2, tzinfo=dt.UTC),
                closed_at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC),
            )

    def test_one_response_per_petition(self):
        response = GovernmentResponseFactory()
        with refused(), transaction.atomic():
            GovernmentResponse.objects.create(
                petition=response.petition, responded_on=dt.date(2018, 3, 2), summary="Again."
            )

    def test_response_summary_and_details_have_limits_in_the_database(self):
        petition = PetitionFactory()
        with refused(), transaction.atomic():
            GovernmentResponse.objects.create(
                petition=petition, responded_on=dt.date(2018, 3, 2), summary="x" * 501
            )
        with refused(), transaction.atomic():
            GovernmentResponse.objects.create(
                petition=petition,
                responded_on=dt.date(2018, 3, 2),
                summary="Fine.",
                details="x" * 10_001,
            )

    def test_a_debated_outcome_has_a_date(self):
        petition = PetitionFactory()
        with refused(), transaction.atomic():
            DebateOutcome.objects.create(petition=petition, debated=True, debated_on=None)
        DebateOutcome.objects.create(petition=petition, debated=False, debated_on=None)

    def test_one_row_per_place_per_petition(self):
        row = ConstituencySignaturesFactory()
        with refused(), transaction.atomic():
            ConstituencySignaturesFactory(petition=row.petition, ons_code=row.ons_code)

    def test_a_parliament_is_dissolved_after_it_opened(self):
        with refused(), transaction.atomic():
            Parliament.objects.create(
                period="1900-1901",
                government="Nobody",
                opening_at=dt.datetime(1901, 1, 1, tzinfo=dt.UTC),
                dissolution_at=dt.datetime(1900, 1, 1, tzinfo=dt.UTC),
            )


@pytest.mark.django_db
def test_the_parliaments_since_2010_are_known():
    assert [str(p) for p in Parliament.objects.order_by("opening_at")] == [
        "2010–2015 Conservative – Liberal Democrat coalition government",
        "2015–2017 Conservative government",
        "2017–2019 Conservative government",
        "2019–2024 Conservative government",
        "2024– Labour government",
    ]
    moment = dt.datetime(2018, 6, 3, tzinfo=dt.UTC)
    assert Parliament.objects.containing(moment).period == "2017-2019"


def test_the_fixture_holds_the_real_record(sample_petition, data_dir):
    source = json.loads((data_dir / "petitions" / "221342.json").read_text())["attributes"]
    petition = sample_petition

    assert petition.action == source["action"]
    assert petition.background == source["background"]
    assert petition.background.count("\r\n\r\n") == 1  # two paragraphs
    assert petition.additional_details == source["additional_details"]
    assert petition.signature_count == 11_406
    assert petition.state == "closed"
    assert str(petition.parliament) == "2017–2019 Conservative government"
    assert petition.opened_at == dt.datetime(2018, 6, 8, 13, 36, 48, 43000, tzinfo=dt.UTC)
    assert petition.constituency_signatures.count() == 517
    assert petition.country_signatures.count() == 49
    response = petition.government_response
    assert response.responded_on == dt.date(2018, 11, 30)
    assert response.summary == source["government_response"]["summary"]
    assert response.details == source["government_response"]["details"]
    assert response.department.name == "Foreign and Commonwealth Office"


def test_loading_the_fixture_twice_changes_nothing(sample_petition):
    def snapshot():
        return (
            Petition.objects.count(),
            Parliament.objects.count(),
            ConstituencySignatures.objects.count(),
            CountrySignatures.objects.count(),
            GovernmentResponse.objects.count(),
            list(Petition.objects.values_list("id", "signature_count", "updated_at")),
        )

    before = snapshot()
    call_command("loaddata", "sample_petition", verbosity=0)
    assert snapshot() == before


def test_duration_and_closing(sample_petition):
    assert sample_petition.duration_months == 6
    assert not sample_petition.closed_early_due_to_election
    assert sample_petition.is_archived


@pytest.mark.parametrize(
    "code, title",
    [
        ("duplicate", "Duplicate petition"),
        ("irrelevant", "Not the Government/Parliament's responsibility"),
        ("no-action", "Action unclear"),
        ("already-happening", "Already happening"),
        ("something-new", "Something new"),
        ("", ""),
    ],
)
def test_rejection_reasons_read_as_words(code, title):
    assert rejection_title(code) == title
