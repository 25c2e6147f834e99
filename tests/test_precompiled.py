"""A query compiled once answers for every petition as the ORM would, read afresh each time."""

import datetime as dt

import pytest

from petitions.models import Petition, SignaturePoint
from petitions.precompiled import OnePetition
from petitions.views import HISTORY, PAGE
from tests.factories import (
    ConstituencySignaturesFactory,
    DebateOutcomeFactory,
    GovernmentResponseFactory,
    PetitionFactory,
)


@pytest.mark.django_db
def test_a_kept_query_gives_what_the_orm_gives_in_one_read(django_assert_num_queries):
    answered = GovernmentResponseFactory().petition
    DebateOutcomeFactory(petition=answered)
    ConstituencySignaturesFactory(petition=answered)
    plain = PetitionFactory()

    for petition, has_map in [(answered, True), (plain, False)]:
        expected = Petition.objects.for_page().get(pk=petition.pk)
        with django_assert_num_queries(1):
            (found,) = PAGE.objects(petition.pk)
            assert found.has_map is has_map
            assert found.parliament.period == expected.parliament.period
            assert found.created_at == expected.created_at  # aware, as the ORM gives it
            assert found.created_at.tzinfo is not None
            if petition is answered:
                assert found.government_response.summary == expected.government_response.summary
                assert (
                    found.government_response.department == expected.government_response.department
                )
                assert found.debate_outcome.debated == expected.debate_outcome.debated
        assert {f: getattr(found, f) for f in ["id", "action", "state", "signature_count"]} == {
            f: getattr(expected, f) for f in ["id", "action", "state", "signature_count"]
        }


@pytest.mark.django_db
def test_a_kept_query_reads_the_petition_as_it_is_now():
    petition = PetitionFactory(action="Before")
    assert PAGE.objects(petition.pk)[0].action == "Before"

    Petition.objects.filter(pk=petition.pk).update(action="After", state="hidden")
    assert PAGE.objects(petition.pk) == []  # no longer visible
    Petition.objects.filter(pk=petition.pk).update(state="open")
    assert PAGE.objects(petition.pk)[0].action == "After"
    assert PAGE.objects(petition.pk + 1) == []
    assert PAGE.first(petition.pk).action == "After"
    assert PAGE.first(petition.pk + 1) is None


@pytest.mark.django_db
def test_a_kept_values_list_gives_the_rows_in_order():
    petition = PetitionFactory(signature_count=5)
    moment = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    SignaturePoint.objects.filter(petition=petition).delete()
    SignaturePoint.objects.create(
        petition=petition, at=moment + dt.timedelta(days=1), signature_count=9
    )
    SignaturePoint.objects.create(petition=petition, at=moment, signature_count=3)

    assert HISTORY.rows(petition.pk) == [(moment, 3), (moment + dt.timedelta(days=1), 9)]


def test_a_query_that_holds_the_number_twice_or_gives_flat_values_is_refused():
    twice = OnePetition(lambda pk: Petition.objects.filter(pk=pk, parliament_id=pk))
    flat = OnePetition(lambda pk: Petition.objects.filter(pk=pk).values_list("id", flat=True))

    with pytest.raises(ValueError, match="2 times"):
        twice.rows(1)
    with pytest.raises(ValueError, match="Only a queryset"):
        flat.rows(1)
