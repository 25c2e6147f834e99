"""The filters of the petition list, shared by the HTML pages and the JSON/CSV lists."""

import django_filters
from django import forms
from django.db.models import F

from petitions import search
from petitions.models import FACETS, Parliament, Petition

SEARCH_MAX_LENGTH = 200
YES_NO = [("yes", "Yes"), ("no", "No")]
SORTS = {
    "popular": ("Most signatures", [F("signature_count").desc(), F("id").desc()]),
    "newest": ("Newest", [F("created_at").desc(), F("id").desc()]),
    "responded": (
        "Most recently responded",
        [F("government_response_at").desc(nulls_last=True), F("id").desc()],
    ),
}


class PetitionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="filter_search",
        label="Search petitions",
        max_length=SEARCH_MAX_LENGTH,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    responses_only = django_filters.BooleanFilter(
        method="filter_nothing",
        label="Search government responses only",
        widget=forms.CheckboxInput,
    )
    state = django_filters.ChoiceFilter(
        choices=[(name, label) for name, (label, _) in FACETS.items() if name != "all"],
        method="filter_facet",
        empty_label="All petitions",
        label="Show",
    )
    parliament = django_filters.ModelChoiceFilter(
        queryset=Parliament.objects.all(),
        to_field_name="period",
        empty_label="All parliaments",
        label="Parliament",
    )
    response = django_filters.ChoiceFilter(
        choices=YES_NO,
        method="filter_response",
        empty_label="Any",
        label="Government response",
    )
    debated = django_filters.ChoiceFilter(
        choices=YES_NO, method="filter_debated", empty_label="Any", label="Debated in Parliament"
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = Petition
        fields = ["q", "responses_only", "state", "parliament", "response", "debated", "sort"]

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not self.form.cleaned_data.get("sort"):
            if self.form.cleaned_data.get("q") and search.is_postgresql(queryset):
                return queryset.order_by(F("rank").desc(), *SORTS["popular"][1])
            queryset = queryset.order_by(*SORTS["popular"][1])
        return queryset

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_search

    def filter_facet(self, queryset, name, value):
        return queryset.facet(value)

    def filter_search(self, queryset, name, value):
        return queryset.search(
            value, responses_only=bool(self.form.cleaned_data.get("responses_only"))
        )

    def filter_response(self, queryset, name, value):
        return queryset.with_response() if value == "yes" else queryset.without_response()

    def filter_debated(self, queryset, name, value):
        return (
            queryset.debated() if value == "yes" else queryset.exclude(debate_outcome__debated=True)
        )

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
