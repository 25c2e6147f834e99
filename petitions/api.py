"""The public petitions site's addresses, served from the archive: JSON and CSV.

- ``/petitions/ID.json`` and ``/archived/petitions/ID.json``: a petition's document;
- ``/petitions.json`` and ``/archived/petitions.json``: a list page (``q``, ``state``,
  ``parliament``, ``response``, ``debated``, ``sort``, ``page``, ``count`` from 1 to 50);
- ``/petitions.csv`` and ``/archived/petitions.csv``: every petition of a filtered list;
- ``/archived/petitions/ID``: the petition's page here.

Archived petitions are those of a dissolved parliament. JSON and CSV answer any origin.
"""

from __future__ import annotations

import csv
from functools import wraps
from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.http import (
    HttpResponse,
    HttpResponsePermanentRedirect,
    JsonResponse,
    StreamingHttpResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from exchange.format import format_timestamp
from exchange.render import for_export, list_document, petition_document
from petitions.caching import conditional_archive, conditional_petition
from petitions.filters import PetitionFilter
from petitions.models import Petition
from petitions.params import whole_number

DEFAULT_COUNT = 25
MAX_COUNT = 50
CSV_CHUNK = 2000
CSV_COLUMNS = [
    "Petition",
    "URL",
    "State",
    "Signatures Count",
    "Petition Number",
    "Parliament",
    "Government",
    "Created At",
    "Opened At",
    "Closed At",
    "Rejected At",
    "Rejection Reason",
    "Government Response At",
    "Debate Outcome At",
]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def open_to_all(view):
    """Any website may read these answers (Access-Control-Allow-Origin: *)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return require_safe(wrapper)


def petitions_of(flavour: str):
    petitions = Petition.objects.visible()
    if flavour == "archived":
        petitions = petitions.filter(parliament__dissolution_at__isnull=False)
    return petitions


def json_error(status: int, message: str, errors=None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def base_url(request) -> str:
    return request.build_absolute_uri("/")[:-1]


@open_to_all
@conditional_petition
def petition_json(request, pk: int, flavour: str = "current"):
    petition = for_export(petitions_of(flavour)).filter(pk=pk).first()
    if petition is None:
        return json_error(404, f"There is no petition {pk} here.")
    document = petition_document(
        petition, flavour=flavour, base_url=base_url(request), self_url=request.build_absolute_uri()
    )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


class BadRequest(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors


def filtered(request, flavour: str):
    """The petitions of the list the query string asks for; raises BadRequest."""
    filterset = PetitionFilter(request.GET, queryset=petitions_of(flavour))
    if not filterset.is_valid():
        errors = {name: list(messages) for name, messages in filterset.errors.items()}
        raise BadRequest("Some values in the address can't be used.", errors)
    return filterset.qs


def positive_number(request, name: str, default: int, maximum: int | None = None) -> int:
    given = request.GET.get(name, "")
    if given == "":
        return default
    number = whole_number(given, minimum=1, maximum=maximum)
    if number is None:
        limit = f"from 1 to {maximum}" if maximum else "a whole number from 1"
        shown = given if len(given) <= 20 else given[:20] + "…"
        raise BadRequest(f"{name} must be {limit}, not {shown!r}.", {name: [f"Give {limit}."]})
    return number


def page_links(request, page: int, last: int) -> dict[str, str | None]:
    """self, first, last, next and prev, keeping the query (keys sorted, as the public site)."""

    def url(number):
        pairs = [
            (key, value) for key, values in request.GET.lists() if key != "page" for value in values
        ]
        if number > 1:
            pairs.append(("page", str(number)))
        pairs.sort(key=lambda pair: pair[0])
        query = f"?{urlencode(pairs)}" if pairs else ""
        return request.build_absolute_uri(request.path + query)

    return {
        "self": request.build_absolute_uri(),
        "first": url(1),
        "last": url(last),
        "next": url(page + 1) if page < last else None,
        "prev": url(min(page - 1, last)) if page > 1 else None,
    }


@open_to_all
@conditional_archive
def petition_list_json(request, flavour: str = "current"):
    try:
        petitions = filtered(request, flavour)
        count = positive_number(request, "count", DEFAULT_COUNT, MAX_COUNT)
        page = positive_number(request, "page", 1)
    except BadRequest as error:
        return json_error(400, str(error), error.errors)
    paginator = Paginator(for_export(petitions, detail=False), count)
    last = paginator.num_pages
    items = paginator.page(page).object_list if page <= last else []
    document = list_document(
        items, flavour=flavour, base_url=base_url(request), links=page_links(request, page, last)
    )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


class _Echo:
    def write(self, value):
        return value


def safe_cell(value):
    """Text that a spreadsheet would run as a formula is given with a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _stamp(moment):
    return format_timestamp(moment) if moment else ""


@open_to_all
def petition_list_csv(request, flavour: str = "current"):
    try:
        petitions = filtered(request, flavour)
    except BadRequest as error:
        lines = [str(error)] + [
            f"{name}: {message}" for name, messages in error.errors.items() for message in messages
        ]
        return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain")
    site = base_url(request)
    writer = csv.writer(_Echo())

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for p in petitions.select_related("parliament").iterator(chunk_size=CSV_CHUNK):
            row = [
                p.action,
                site + reverse("petitions:detail", args=[p.id]),
                p.state,
                p.signature_count,
                p.id,
                p.parliament.period,
                p.parliament.government,
                _stamp(p.created_at),
                _stamp(p.opened_at),
                _stamp(p.closed_at),
                _stamp(p.rejected_at),
                p.rejection_reason if p.rejection_code else "",
                _stamp(p.government_response_at),
                _stamp(p.debate_outcome_at),
            ]
            yield writer.writerow([safe_cell(cell) for cell in row])

    name = "archived-petitions.csv" if flavour == "archived" else "petitions.csv"
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_safe
def archived_petition(request, pk: int):
    """An old address of the public site's archive leads to the petition's page here."""
    petition = get_object_or_404(Petition.objects.visible(), pk=pk)
    return HttpResponsePermanentRedirect(reverse("petitions:detail", args=[petition.pk]))
