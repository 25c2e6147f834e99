"""factory_boy factories for the archive's models."""

import datetime as dt

import factory
from django.utils import timezone

from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    Department,
    Parliament,
    Petition,
    PetitionState,
)
from responses.models import DebateOutcome, GovernmentResponse


def parliament(period="2017-2019") -> Parliament:
    """One of the parliaments the data migration made."""
    return Parliament.objects.get(period=period)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Department {n}")
    acronym = factory.Sequence(lambda n: f"D{n}")
    url = factory.LazyAttribute(
        lambda d: f"https://www.gov.uk/government/organisations/d{d.acronym}"
    )


class PetitionFactory(factory.django.DjangoModelFactory):
    """A closed petition of the 2017–2019 parliament that ran its six months."""

    class Meta:
        model = Petition

    id = factory.Sequence(lambda n: 300_000 + n)
    parliament = factory.LazyFunction(parliament)
    action = factory.Sequence(lambda n: f"Do something useful about thing number {n}")
    background = "Something should be done about it."
    additional_details = ""
    state = PetitionState.CLOSED
    signature_count = 150
    created_at = factory.LazyFunction(lambda: dt.datetime(2018, 1, 10, 12, tzinfo=dt.UTC))
    opened_at = factory.LazyFunction(lambda: dt.datetime(2018, 1, 15, 12, tzinfo=dt.UTC))
    closed_at = factory.LazyFunction(lambda: dt.datetime(2018, 7, 15, 22, 59, tzinfo=dt.UTC))
    updated_at = factory.LazyAttribute(lambda p: p.closed_at or p.created_at)

    class Params:
        open = factory.Trait(
            state=PetitionState.OPEN,
            parliament=factory.LazyFunction(lambda: parliament("2024-")),
            created_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=40)),
            opened_at=factory.LazyFunction(lambda: timezone.now() - dt.timedelta(days=30)),
            closed_at=None,
            updated_at=factory.LazyFunction(timezone.now),  # recorded just now
        )
        rejected = factory.Trait(
            state=PetitionState.REJECTED,
            opened_at=None,
            closed_at=None,
            rejected_at=factory.LazyFunction(lambda: dt.datetime(2018, 1, 20, tzinfo=dt.UTC)),
            rejection_code="duplicate",
            rejection_details="There's already a petition about this issue.",
        )


class GovernmentResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GovernmentResponse
        skip_postgeneration_save = True

    petition = factory.SubFactory(PetitionFactory, signature_count=12_345)
    responded_on = dt.date(2018, 3, 1)
    summary = "The Government has considered this petition."
    details = "First paragraph of the response.\n\nSecond paragraph, see https://www.gov.uk/."
    department = factory.SubFactory(DepartmentFactory)

    @factory.post_generation
    def stamp_petition(obj, create, extracted, **kwargs):
        if create:
            obj.petition.government_response_at = dt.datetime.combine(
                obj.responded_on, dt.time(12), tzinfo=dt.UTC
            )
            obj.petition.save(update_fields=["government_response_at"])


class DebateOutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DebateOutcome

    petition = factory.SubFactory(PetitionFactory, signature_count=123_456)
    debated = True
    debated_on = dt.date(2018, 6, 4)
    overview = "MPs debated the petition."
    transcript_url = "https://hansard.parliament.uk/commons/2018-06-04/debates/x/Example"
    video_url = "https://parliamentlive.tv/event/index/example"
    debate_pack_url = (
        "https://researchbriefings.parliament.uk/ResearchBriefing/Summary/CDP-2018-0001"
    )


class ConstituencySignaturesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConstituencySignatures

    petition = factory.SubFactory(PetitionFactory)
    ons_code = factory.Sequence(lambda n: f"E{14000530 + n}")
    name = factory.Sequence(lambda n: f"Constituency {n}")
    mp = "A Member MP"
    signature_count = 10


class CountrySignaturesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountrySignatures

    petition = factory.SubFactory(PetitionFactory)
    name = factory.Sequence(lambda n: f"Country {n}")
    code = factory.Sequence(lambda n: f"C{n}")
    signature_count = 5
