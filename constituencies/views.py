"""The constituency pages: every constituency (with a name search), and what one signed."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404
from django.views.generic import TemplateView

from constituencies import local
from constituencies.areas import REGIONS, Nation
from constituencies.filters import SignedHereFilter
from petitions.caching import ConditionalArchiveMixin, kept_for_version
from petitions.params import whole_number

PAGE_SIZE = 25
SEARCH_MAX_LENGTH = 100


@dataclass
class Group:
    name: str
    constituencies: list


def grouped(found: list[local.ConstituencyFacts]) -> list[Group]:
    """By nation, and within England by region, in the order of the ONS regions."""
    groups = []
    for region in REGIONS:
        members = [c for c in found if c.region_code == region.ons_code]
        if members:
            nation = Nation.ENGLAND.label if region.ons_code.startswith("E") else ""
            name = f"{nation}: {region.name}" if nation else region.name
            groups.append(Group(name, members))
    return groups


class ConstituencyListView(ConditionalArchiveMixin, TemplateView):
    template_name = "constituencies/constituency_list.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.error:
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()
        self.error = ""
        if len(query) > SEARCH_MAX_LENGTH:
            self.error = f"Give at most {SEARCH_MAX_LENGTH} characters."
            query, found = query[:SEARCH_MAX_LENGTH], []
        elif query:
            found = local.search(query)
        else:
            found = local.all_constituencies()
        context.update(
            query=query,
            error=self.error,
            groups=grouped(found),
            count=len(found),
            searched=bool(query),
        )
        return context


def signed_here(request, code: str):
    """The constituency, its filtered petitions (not yet paged) and the filter; raises
    Http404 for an unknown code. The filter may be invalid: the caller answers 400."""
    facts = local.constituency(code)
    if facts is None:
        raise Http404(f"There is no constituency {code} here.")
    filterset = SignedHereFilter(request.GET, queryset=local.signed_here(code))
    return facts, filterset


def members_of(request, facts) -> list[local.Member]:
    """The constituency's MPs (local.members: every petition signed there, read), kept for
    the archive's version: each page of the constituency, and its JSON, share them, in this
    worker's memory and in the database for every worker (local.kept_members)."""
    code = facts.ons_code
    version = getattr(request, "page_version", None)
    if version is None:  # not a GET: nothing is kept
        return local.members(code)
    return kept_for_version(
        request, f"members:{code}", lambda: local.kept_members(code, version.key)
    )


def filtered(filterset) -> bool:
    """Whether a (valid) filter leaves out some of the constituency's petitions."""
    return any(filterset.form.cleaned_data.get(name) for name in ("parliament", "state"))


def paginated(filterset, members) -> Paginator:
    """The valid filter's rows, by their petitions' numbers, a page at a time. Unfiltered,
    their count is the sum of the MPs' counts (`members()`): the same rows, already counted."""
    paginator = Paginator(filterset.qs.values_list("petition_id", flat=True), PAGE_SIZE)
    if not filtered(filterset):
        paginator.count = sum(member.petitions for member in members())
    return paginator


def read_page(rows, page) -> list:
    """The rows of `page`, a page of their petitions' numbers. The numbers are found from the
    indexes alone, then the page's rows read whole: an OFFSET over the rows themselves read
    every petition before the page in full (20 ms by page 40)."""
    numbers = list(page.object_list)
    found = {row.petition_id: row for row in rows.filter(petition_id__in=numbers)}
    return [found[number] for number in numbers]


def page_rows(rows, share: float) -> list[dict]:
    """Each row with its petition's UK total and how strongly the place leaned in, the place
    being `share` of the UK (local.weight)."""
    totals = local.uk_totals(row.petition_id for row in rows)
    return [
        {
            "petition": row.petition,
            "local": row.signature_count,
            "total": row.petition.signature_count,
            "uk_total": totals.get(row.petition_id, 0),
            "leaning": local.leaning(row.signature_count, totals.get(row.petition_id, 0), share),
        }
        for row in rows
    ]


class ConstituencyDetailView(ConditionalArchiveMixin, TemplateView):
    template_name = "constituencies/constituency_detail.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facts, self.filterset = signed_here(self.request, kwargs["code"])
        valid = self.filterset.is_valid()
        members = members_of(self.request, facts)
        if valid:
            rows = self.filterset.qs
            paginator = paginated(self.filterset, lambda: members)
        else:
            rows = self.filterset.queryset.none()
            paginator = Paginator(rows, PAGE_SIZE)
        page = paginator.get_page(whole_number(self.request.GET.get("page"), minimum=1) or 1)
        share, weighed_by = local.weight(facts)
        context.update(
            constituency=facts,
            filter=self.filterset,
            members=members,
            page_obj=page,
            is_paginated=page.has_other_pages(),
            rows=page_rows(read_page(rows, page), share),
            weighed_by=weighed_by,
            filtered=valid and filtered(self.filterset),
        )
        return context
