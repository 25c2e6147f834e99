"""The public pages: home, the petition list, a petition, and where its signatures came from."""

from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.functional import cached_property
from django.views.generic import DetailView, TemplateView
from django_filters.views import FilterView

from constituencies.maps import petition_map
from constituencies.totals import area_totals
from petitions import history, search
from petitions.caching import (
    ConditionalArchiveMixin,
    ConditionalPetitionMixin,
    kept_for_version,
)
from petitions.filters import PetitionFilter, filters_but, key_of
from petitions.models import FACETS, Parliament, Petition, SignaturePoint
from petitions.params import petition_number, whole_number
from petitions.parliaments import list_url, parliament_record
from petitions.precompiled import OnePetition
from petitions.states import PUBLIC_STATES

PAGE_SIZE = 25


class HomeView(ConditionalArchiveMixin, TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest_responses"] = (
            Petition.objects.visible()
            .latest_responses()
            .select_related("parliament", "government_response")[:5]
        )
        context["totals"] = Petition.objects.visible().aggregate(
            petitions=Count("id"),
            responses=Count("id", filter=Q(government_response_at__isnull=False)),
            signatures=Sum("signature_count"),
        )
        return context


class PetitionListView(ConditionalArchiveMixin, FilterView):
    filterset_class = PetitionFilter
    paginate_by = PAGE_SIZE
    template_name = "petitions/petition_list.html"
    context_object_name = "petitions"

    def get_queryset(self):
        return Petition.objects.visible().for_list()

    def get_filterset_kwargs(self, filterset_class):
        return {**super().get_filterset_kwargs(filterset_class), "today": True}

    def get(self, request, *args, **kwargs):
        number = petition_number(request.GET.get("q", ""))
        if number is not None:
            petition = Petition.objects.visible().filter(id=number).only("id").first()
            if petition:  # a petition's number goes straight to it, as on the public site
                return redirect(petition)
        self.filterset = self.get_filterset(self.get_filterset_class())
        self.matches = self.filterset.best_matches()
        if self.matches is not None:  # a search by relevance: its best matches, in order
            self.object_list = RankedMatches(self.matches[self.state], self.fetch_matched)
        elif self.filterset.is_valid() or not self.filterset.is_bound:
            self.object_list = self.filterset.qs
        else:
            self.object_list = self.filterset.queryset.none()
        context = self.get_context_data(filter=self.filterset, object_list=self.object_list)
        response = self.render_to_response(context)
        if self.filterset.is_bound and not self.filterset.is_valid():
            response.status_code = 400
        return response

    @property
    def state(self) -> str:
        """The facet shown ("all" for every petition)."""
        valid = self.filterset.is_valid()
        return (self.filterset.form.cleaned_data.get("state") if valid else "") or "all"

    def fetch_matched(self, numbers: list[int]) -> list[Petition]:
        """The petitions numbered, as a list shows them, with their snippets."""
        cleaned = self.filterset.form.cleaned_data
        found = search.with_snippets(
            self.get_queryset().filter(id__in=numbers),
            cleaned["q"],
            responses_only=bool(cleaned.get("responses_only")),
        )
        return list(found.order_by())

    def paginate_queryset(self, queryset, page_size):
        """A page past the end shows the last page, and `page=abc` the first: never a 404
        or a 500. The facet counts tell how many petitions the list holds."""
        counts = self.facet_counts
        paginator = Paginator(queryset, page_size)
        if counts is not None and self.state in counts:
            paginator.count = counts[self.state]
        page = paginator.get_page(whole_number(self.request.GET.get("page"), minimum=1) or 1)
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        counts = self.facet_counts or dict.fromkeys(FACETS, 0)
        context["facets"] = [
            ("" if name == "all" else name, label, counts[name])
            for name, (label, _) in FACETS.items()
        ]
        context["best_matches"] = (
            search.CANDIDATES
            if (
                self.filterset.is_valid()
                and self.filterset.form.cleaned_data.get("q")
                and search.is_postgresql(self.filterset.queryset)
                and counts["all"] >= search.CANDIDATES
            )
            else None
        )
        return context

    @cached_property
    def facet_counts(self) -> dict[str, int] | None:
        """Each facet of the public site with its count under the other filters (for a
        search by relevance, of its best matches; otherwise one query, kept per version of
        the archive: every page and facet of a list shares it), or None when the filters
        are not valid."""
        if self.matches is not None:
            return {name: len(self.matches[name]) for name in FACETS}
        data = filters_but(self.request.GET, "state", "page")

        def count():
            others = PetitionFilter(
                data,
                queryset=Petition.objects.visible(),
                request=self.request,
                today=True,
                ranked=False,
            )
            return others.qs.facet_counts(today=True) if others.is_valid() else None

        return kept_for_version(self.request, f"facets:{key_of(data)}", count)


class RankedMatches:
    """The numbers of a search's best matches, in order, as a Paginator pages through them.
    Only sliced (never iterated a petition at a time): a slice reads its petitions, and
    only those, in one query."""

    def __init__(self, numbers: list[int], fetch):
        self.numbers, self.fetch = numbers, fetch

    def __len__(self) -> int:
        return len(self.numbers)

    def __getitem__(self, page: slice) -> list[Petition]:
        numbers = self.numbers[page]
        found = {petition.id: petition for petition in self.fetch(numbers)}
        return [found[number] for number in numbers if number in found]


# The petition page's two reads, compiled once (petitions.precompiled): a page rendered
# afresh is mostly a petition nobody has opened since it last changed.
PAGE = OnePetition(lambda pk: Petition.objects.visible().for_page().filter(pk=pk))
HISTORY = OnePetition(
    lambda pk: (
        SignaturePoint.objects.filter(petition=pk)
        .order_by("at")
        .values_list("at", "signature_count")
    )
)


class PetitionDetailView(ConditionalPetitionMixin, DetailView):
    template_name = "petitions/petition_detail.html"
    context_object_name = "petition"

    def get_object(self, queryset=None):
        petition = PAGE.first(self.kwargs["pk"])
        if petition is None:
            raise Http404("No such petition")
        return petition

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        petition = self.object
        context["has_map"] = petition.has_map
        parliament = petition.parliament
        context["history"] = history.chart(
            HISTORY.rows(petition.pk),
            [
                (parliament.threshold_for_response, "government response"),
                (parliament.threshold_for_debate, "debate"),
            ],
        )
        return context


# How the constituency table may be sorted (?order=): most signatures first by default.
MAP_TABLE_ORDERS = {
    "count": lambda row: (-row.signature_count, row.name),
    "name": lambda row: row.name,
    "mp": lambda row: (row.mp or "~", row.name),  # vacant seats last
}


class PetitionMapView(ConditionalPetitionMixin, DetailView):
    """Where a petition's signatures came from: the map, the nations, the tables."""

    template_name = "petitions/petition_map.html"
    context_object_name = "petition"

    def get_queryset(self):
        return (
            Petition.objects.visible()
            .select_related("parliament")
            .defer("search_vector", "extra", "background", "additional_details")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        petition = self.object
        constituencies = list(petition.constituency_signatures.all())
        countries = list(petition.country_signatures.order_by("-signature_count", "name"))
        order = self.request.GET.get("order")
        if order not in MAP_TABLE_ORDERS:
            order = "count"
        context.update(
            constituencies=sorted(constituencies, key=MAP_TABLE_ORDERS[order]),
            countries=countries,
            order=order,
            constituency_total=sum(row.signature_count for row in constituencies),
            country_total=sum(row.signature_count for row in countries),
            constituency_map=petition_map(petition, self.request.GET, rows=constituencies),
            area_totals=area_totals(
                constituencies,
                petition.region_signatures.all(),
                when=petition.opened_at or petition.created_at,
            ),
        )
        return context


class ParliamentListView(ConditionalArchiveMixin, TemplateView):
    """Every parliament, with how many petitions it had and how many were answered."""

    template_name = "petitions/parliament_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parliaments = Parliament.objects.annotate(
            petition_count=Count("petitions", filter=Q(petitions__state__in=PUBLIC_STATES)),
            response_count=Count(
                "petitions",
                filter=Q(petitions__state__in=PUBLIC_STATES)
                & Q(petitions__government_response_at__isnull=False),
            ),
        ).order_by("-opening_at")
        for parliament in parliaments:  # each count links to the list that makes it
            parliament.petitions_url = list_url(parliament)
            parliament.responses_url = list_url(parliament, response="yes")
        context["parliaments"] = parliaments
        return context


class ParliamentDetailView(ConditionalArchiveMixin, TemplateView):
    """What one Parliament did with its petitions (petitions.parliaments)."""

    template_name = "petitions/parliament_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        parliament = get_object_or_404(Parliament, period=kwargs["period"])
        context["record"] = parliament_record(parliament)
        context["parliament"] = parliament
        return context
