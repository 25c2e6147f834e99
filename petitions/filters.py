"""The filters of the petition list, shared by the HTML pages and the JSON/CSV lists."""

import hashlib
from functools import cached_property, partial

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import F
from django.http import QueryDict

from petitions import search
from petitions.caching import kept_for_version
from petitions.models import (
    FACETS,
    MORE_FACETS,
    Department,
    Parliament,
    Petition,
    closed_early,
    reached,
    today_facets,
)
from petitions.params import whole_number
from petitions.widgets import QuickSelectForm, choice_pairs
from petitions.wording import REJECTION_REASONS

SEARCH_MAX_LENGTH = 200
YES_NO = [("yes", "Yes"), ("no", "No")]
# Lists the parliaments' figures link to, beside the public site's facets.
CLOSED_EARLY = ("closed_early", "Closed early by a General Election")
REACHED = [("response", "10,000 (a government response)"), ("debate", "100,000 (a debate)")]
SORTS = {
    "popular": ("Most signatures", [F("signature_count").desc(), F("id").desc()]),
    "newest": ("Newest", [F("created_at").desc(), F("id").desc()]),
    "responded": (
        "Most recently responded",
        [F("government_response_at").desc(nulls_last=True), F("id").desc()],
    ),
}
# The orders of a list given no `sort` that are not among SORTS (default_order).
OWN_ORDERS = {
    "recent": ("Recently opened", [F("opened_at").desc(nulls_last=True), F("id").desc()]),
    "search": ("Best match", [F("rank").desc(), *SORTS["popular"][1]]),
}
ORDERS = {**SORTS, **OWN_ORDERS}  # every order a list may be in, by key: (label, ordering)


def filters_but(data, *names) -> QueryDict:
    """A copy of a list's filters (its query string) without those `names`."""
    data = data.copy()
    for name in names:
        data.pop(name, None)
    return data


def key_of(data) -> str:
    """A short key for a list's filters, whatever their length: to keep what they share."""
    return hashlib.sha256(data.urlencode().encode()).hexdigest()


class ParliamentField(forms.ModelChoiceField):
    """A parliament by its period (2017-2019), or by the public site's number for it in
    archived addresses (3)."""

    def to_python(self, value):
        number = whole_number(str(value), minimum=1, maximum=1000) if value else None
        if number is None:
            return super().to_python(value)
        found = self.queryset.filter(archive_number=number).first()
        if found is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class ParliamentFilter(django_filters.ModelChoiceFilter):
    field_class = ParliamentField


class ChoicesKeptForVersion(django_filters.FilterSet):
    """A filter set whose model choices (the parliaments, the departments), when a page
    shows them, are read once for each version of the archive (which any change to them
    raises), not for every list page rendered (petitions.caching.kept_for_version)."""

    @cached_property
    def form(self):
        form = super().form
        for name, field in form.fields.items():
            if isinstance(field, forms.ModelChoiceField):
                key = f"choices:{type(self).__name__}:{name}"
                read = partial(choice_pairs, field)
                field.listed = partial(kept_for_version, self.request, key, read)
        return form


class PetitionFilter(ChoicesKeptForVersion):
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
        choices=[
            *((name, label) for name, (label, _) in {**FACETS, **MORE_FACETS}.items()),
            CLOSED_EARLY,
        ],
        method="filter_facet",
        empty_label=None,  # "all" is the public site's name for every petition
        label="Show",
    )
    parliament = ParliamentFilter(
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
        choices=YES_NO,
        method="filter_debated",
        empty_label="Any",
        label="Debated in Parliament",
    )
    reached = django_filters.ChoiceFilter(
        choices=REACHED,
        method="filter_reached",
        empty_label="Any",
        label="Signatures reached",
    )
    reason = django_filters.ChoiceFilter(
        choices=sorted(REJECTION_REASONS.items(), key=lambda item: item[1]),
        field_name="rejection_code",
        empty_label="Any",
        label="Rejected because",
    )
    department = django_filters.ModelChoiceFilter(
        queryset=Department.objects.all(),
        field_name="government_response__department",
        empty_label="Any",
        label="Answered by",
    )
    sort = django_filters.ChoiceFilter(
        choices=[(key, label) for key, (label, _) in SORTS.items()],
        method="filter_sort",
        empty_label=None,
        label="Sort by",
    )

    class Meta:
        model = Petition
        form = QuickSelectForm
        fields = [
            "q",
            "responses_only",
            "state",
            "parliament",
            "response",
            "debated",
            "reached",
            "reason",
            "department",
            "sort",
        ]

    def __init__(self, *args, today: bool = False, ranked: bool = True, **kwargs):
        """`today`: "open" and "closed" as petitions stand today (for pages), not as the
        records say (for the documents of the API, which give back what was recorded).
        Not `ranked`: the petitions are only to be counted (a search neither ranks them nor
        cuts snippets)."""
        super().__init__(*args, **kwargs)
        self.today, self.ranked = today, ranked
        # The select's first choice is empty: no `sort`, the list's own order, named for
        # what it is (a search's is best match first). Sent with the form, it leaves the
        # order to the list: a search typed into a list's form comes best match first.
        default = self.default_order()
        sort = self.filters["sort"]
        sort.extra["empty_label"], _ = ORDERS[default]
        if default in SORTS:  # not offered twice; `sort=popular` is still understood
            sort.field.widget.choices = [c for c in sort.field.choices if c[0] != default]

    def default_order(self) -> str:
        """The list's order when no `sort` is given: a key of SORTS or of OWN_ORDERS. Read
        from the data as given, since the form's select is named by it; where the form is
        valid, as its cleaned data would say."""
        data = self.data or {}
        if data.get("state") == "recent":
            return "recent"
        if str(data.get("q", "")).strip():
            return "search"
        return "popular"

    def filter_queryset(self, queryset):
        # The search, then the facet, come last: a search ranks the petitions the other
        # filters leave (its best candidates on PostgreSQL), and the facets' counts (all
        # filters but the facet) count the same petitions as the list.
        cleaned = self.form.cleaned_data
        queryset = self.narrowed(queryset)
        for name in ["q", "state"]:
            if name in cleaned:
                queryset = self.filters[name].filter(queryset, cleaned[name])
        if cleaned.get("sort"):
            return queryset  # ordered by filter_sort
        _, order = ORDERS[self.default_order()]
        return queryset.order_by(*order)

    def narrowed(self, queryset):
        """`queryset` under every filter but the search, the facet and the order."""
        cleaned = self.form.cleaned_data
        for name in cleaned:
            if name not in ("q", "state"):
                queryset = self.filters[name].filter(queryset, cleaned[name])
        return queryset

    def best_matches(self) -> dict[str, list] | None:
        """A search's results in order of relevance, as PostgreSQL ranks them: the numbers
        of all of them ("all") and of those in each facet (FACETS), read at once
        (search.best_matches) and kept for the archive's version, so that every page and
        facet of the search, in any worker, shares them; None where the list is the
        queryset's: not a valid search by relevance on PostgreSQL, or a list of its own
        order ("recent"), or of a facet not among the tabs ("closed_early")."""
        if not self.is_valid() or not search.is_postgresql(self.queryset):
            return None
        cleaned = self.form.cleaned_data
        if (
            not cleaned.get("q")
            or cleaned.get("sort")
            or (cleaned.get("state") or "all") not in FACETS
        ):
            return None

        def compile_matches():
            conditions = today_facets() if self.today else {n: c for n, (_, c) in FACETS.items()}
            return search.compile_matches(
                self.narrowed(self.queryset),
                {name: conditions[name] for name in FACETS if name != "all"},
                responses_only=bool(cleaned.get("responses_only")),
            )

        def find():
            # The query is compiled once for every search under the same filters: the text
            # is only a parameter.
            narrowing = key_of(filters_but(self.data, "q", "state", "page"))
            compiled = kept_for_version(
                self.request, f"matches:{self.today}:{narrowing}", compile_matches
            )
            return search.best_matches(compiled, cleaned["q"], memo=self.memo)

        search_key = key_of(filters_but(self.data, "state", "page"))
        return kept_for_version(self.request, f"matched:{self.today}:{search_key}", find)

    @property
    def memo(self) -> dict | None:
        """What a request's searches have found, kept for the rest of the request."""
        return None if self.request is None else vars(self.request).setdefault("search_memo", {})

    def filter_nothing(self, queryset, name, value):
        return queryset  # read by filter_search

    def filter_facet(self, queryset, name, value):
        if value == CLOSED_EARLY[0]:
            return queryset.filter(closed_early(Parliament.objects.all()))
        return queryset if value == "all" else queryset.facet(value, today=self.today)

    def filter_reached(self, queryset, name, value):
        return queryset.filter(reached(value))

    def filter_search(self, queryset, name, value):
        return queryset.search(
            value,
            responses_only=bool(self.form.cleaned_data.get("responses_only")),
            memo=self.memo,
            ranked=self.ranked,
        )

    def filter_response(self, queryset, name, value):
        return queryset.with_response() if value == "yes" else queryset.without_response()

    def filter_debated(self, queryset, name, value):
        return (
            queryset.debated() if value == "yes" else queryset.exclude(debate_outcome__debated=True)
        )

    def filter_sort(self, queryset, name, value):
        return queryset.order_by(*SORTS[value][1])
