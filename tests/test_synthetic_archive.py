"""The synthetic archive used by the benchmarks."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from petitions.models import ConstituencySignatures, Petition
from petitions.synthetic import SYNTHETIC_FIRST_ID


@pytest.mark.django_db
def test_generate_archive_builds_marked_realistic_petitions(client):
    call_command("generate_archive", petitions=600, seed=7, verbosity=0)

    petitions = Petition.objects.all()
    assert petitions.count() == 600
    assert not petitions.filter(id__lt=SYNTHETIC_FIRST_ID).exists()
    assert all(extra == {"synthetic": True} for extra in petitions.values_list("extra", flat=True))
    assert petitions.filter(signature_count__lt=100).count() > 400  # most are small
    big = petitions.filter(signature_count__gte=10_000).exclude(state="rejected")
    assert big.exists()
    assert big.with_response().count() >= big.count() // 2
    with_breakdown = petitions.filter(constituency_signatures__isnull=False).distinct()
    assert with_breakdown.exists()
    assert ConstituencySignatures.objects.filter(petition=with_breakdown.first()).count() == 650
    biggest = petitions.order_by("-signature_count").first()
    assert client.get(reverse("petitions:detail", args=[biggest.id])).status_code == 200


@pytest.mark.django_db
def test_generate_archive_appends_and_deletes_only_synthetic_rows(sample_petition):
    call_command("generate_archive", petitions=50, verbosity=0)
    call_command("generate_archive", petitions=50, verbosity=0)

    assert Petition.objects.filter(id__gte=SYNTHETIC_FIRST_ID).count() == 100
    call_command("generate_archive", delete=True, verbosity=0)
    assert list(Petition.objects.values_list("id", flat=True)) == [221342]


@pytest.mark.django_db
def test_generate_archive_needs_a_count():
    with pytest.raises(CommandError, match="--petitions N"):
        call_command("generate_archive", verbosity=0)


def test_health_check_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get(reverse("health"))

    assert response.content == b"ok\n"
