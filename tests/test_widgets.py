"""The filter form's selects are written in Python: the HTML must be Django's own."""

import pytest
from django import forms
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from petitions.filters import PetitionFilter
from petitions.models import Petition
from petitions.widgets import QuickSelect
from tests.factories import DepartmentFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    ["", "state=rejected&reason=duplicate&sort=newest", "parliament=2017-2019&response=yes"],
)
def test_the_filter_selects_are_written_as_django_writes_them(sample_petition, query):
    form = PetitionFilter(QueryDict(query), queryset=Petition.objects.none()).form
    selects = [field for field in form if isinstance(field.field.widget, QuickSelect)]
    assert len(selects) == 8
    for field in selects:
        ours = str(field)
        field.field.widget.__class__ = forms.Select  # Django's, through its templates
        assert ours == str(field)
        assert "<option" in ours


@pytest.mark.parametrize("name", ["parliament", "department"])
def test_model_choices_are_read_with_one_plain_query_each(sample_petition, name):
    """The choices Django would give, without a server-side cursor (on PostgreSQL, Django's
    own reading declares one: three round trips for a few dozen rows)."""
    field = PetitionFilter(QueryDict(""), queryset=Petition.objects.none()).form.fields[name]
    with CaptureQueriesContext(connection) as queries:
        ours = [(str(value), label) for value, label in field.widget.choices]
    assert len(queries) == 1
    assert not queries[0]["sql"].startswith("DECLARE")
    djangos = forms.models.ModelChoiceIterator(field)
    assert ours == [(str(value), label) for value, label in djangos]
    assert len(ours) > 1


def test_grouped_choices_and_odd_attributes_are_written_as_django_writes_them():
    choices = [("", "Any"), ("Group <b>", [("a&b", "A & B"), ("c", '"C"')])]
    attrs = {"class": "wide", "data-x": "<y>", "required": True, "disabled": False}
    ours = QuickSelect(attrs=attrs, choices=choices).render("name", "a&b")
    assert ours == forms.Select(attrs=attrs, choices=choices).render("name", "a&b")
    assert "optgroup" in ours and "&lt;y&gt;" in ours and "disabled" not in ours


def test_the_lists_read_their_choices_once_for_each_version_of_the_archive(client, sample_petition):
    """Pages of the list share the parliaments and departments their selects offer; a
    department added (any change to the archive) is among them on the next page."""
    client.get("/petitions/", {"sort": "newest"})
    with CaptureQueriesContext(connection) as queries:
        client.get("/petitions/", {"sort": "popular"})
    tables = " ".join(query["sql"] for query in queries)
    assert "petitions_department" not in tables and 'petitions_parliament" ORDER' not in tables

    added = DepartmentFactory(name="Department for Hedgehogs", acronym="DfH")
    page = client.get("/petitions/", {"sort": "responded"}).content.decode()

    assert f'<option value="{added.pk}">Department for Hedgehogs</option>' in page
