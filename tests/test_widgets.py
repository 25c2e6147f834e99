"""The filter form's selects are written in Python: the HTML must be Django's own."""

import pytest
from django import forms
from django.http import QueryDict

from petitions.filters import PetitionFilter
from petitions.models import Petition
from petitions.widgets import QuickSelect

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


def test_grouped_choices_and_odd_attributes_are_written_as_django_writes_them():
    choices = [("", "Any"), ("Group <b>", [("a&b", "A & B"), ("c", '"C"')])]
    attrs = {"class": "wide", "data-x": "<y>", "required": True, "disabled": False}
    ours = QuickSelect(attrs=attrs, choices=choices).render("name", "a&b")
    assert ours == forms.Select(attrs=attrs, choices=choices).render("name", "a&b")
    assert "optgroup" in ours and "&lt;y&gt;" in ours and "disabled" not in ours
