"""The public petitions site's addresses, served from the archive: JSON and CSV.

- ``/petitions/ID.json`` and ``/archived/petitions/ID.json``: a petition's document;
- ``/petitions.json`` and ``/archived/petitions.json``: a list page (``q``, ``state``,
  ``parliament``, ``response``, ``debated``, ``sort``, ``page``, ``count`` from 1 to 50);
- ``/petitions.csv`` and ``/archived/petitions.csv``: every petition of a filtered list;
- ``/archived/petitions/ID``: the petition's page here;
- ``/petitions/ID/history.json`` and ``/petitions/ID/history.csv``: the archive's own
  addition, a petition's signatures over time (``exchange.history``).

Archived petitions are those of a dissolved parliament. JSON and CSV answer any origin.
"""

from __future__ import annotations

import csv
import io
from functools import partial, wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponsePermanentRedirect,
    JsonResponse,
)
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.decorators.http import require_safe

from exchange.format import FLAVOURS, format_timestamp
from exchange.history import history_document, history_rows
from exchange.render import (
    OneDocument,
    flavour_of,
    for_export,
    list_document,
    petition_document,
    petition_url,
)
from petitions import csv_lists
from petitions.caching import conditional_archive, conditional_petition
from petitions.filters import PetitionFilter
from petitions.models import Parliament, Petition, SignaturePoint
from petitions.params import whole_number
from petitions.parliaments import parliament_document, parliament_record
from petitions.precompiled import OnePetition

DEFAULT_COUNT = 25
MAX_COUNT = 50
# What a page of another site may send in a request for these answers (CORS preflight).
CORS_HEADERS = "Accept, Accept-Language, Content-Language, If-None-Match, If-Modified-Since"


def open_to_all(view):
    """Any website may read these answers (Access-Control-Allow-Origin: *), and ask first
    (a CORS preflight: OPTIONS)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "OPTIONS":
            response = HttpResponse(status=204)
            response["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
            response["Access-Control-Allow-Headers"] = CORS_HEADERS
            response["Access-Control-Max-Age"] = "86400"
        elif request.method in ("GET", "HEAD"):
            response = view(request, *args, **kwargs)
            response["Access-Control-Expose-Headers"] = "ETag, Last-Modified"
        else:
            response = HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
        response["Access-Control-Allow-Origin"] = "*"
        return response

    return wrapper


def petitions_of(flavour: str):
    petitions = Petition.objects.visible()
    if flavour == "archived":
        petitions = petitions.filter(parliament__dissolution_at__isnull=False)
    return petitions


# A petition's own document, in each flavour: its reads compiled once.
DOCUMENTS = {flavour: OneDocument(partial(petitions_of, flavour)) for flavour in FLAVOURS}


def json_error(status: int, message: str, errors=None) -> JsonResponse:
    body = {"error": message}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


def base_url(request) -> str:
    """Scheme and host of the archive's links: SITE_URL, or the address asked for."""
    return settings.SITE_URL or request.build_absolute_uri("/")[:-1]


def absolute(request, full_path: str) -> str:
    return base_url(request) + full_path


@open_to_all
@conditional_petition
def petition_json(request, pk: int, flavour: str = "current"):
    petition = DOCUMENTS[flavour].get(pk)
    if petition is None:
        return json_error(404, f"There is no petition {pk} here.")
    document = petition_document(
        petition,
        flavour=flavour,
        base_url=base_url(request),
        self_url=absolute(request, request.get_full_path()),
    )
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


# What a count document shows, compiled once.
COUNTS = OnePetition(
    lambda pk: (
        Petition.objects.visible()
        .select_related("debate_outcome")
        .only(
            "signature_count",
            "response_threshold_reached_at",
            "government_response_at",
            "debate_threshold_reached_at",
            "scheduled_debate_date",
            "debate_outcome_at",
            "debate_outcome__debated",
        )
        .filter(pk=pk)
    )
)


@open_to_all
@conditional_petition
def petition_count_json(request, pk: int):
    """The public site's count document: the count and the stages a petition reached."""
    petition = COUNTS.first(pk)
    if petition is None:
        return json_error(404, f"There is no petition {pk} here.")

    def stamp(moment):
        return format_timestamp(moment) if moment else None

    outcome = getattr(petition, "debate_outcome", None)
    return JsonResponse(
        {
            "signature_count": petition.signature_count,
            "response_threshold_reached_at": stamp(petition.response_threshold_reached_at),
            "government_response_at": stamp(petition.government_response_at),
            "debate_threshold_reached_at": stamp(petition.debate_threshold_reached_at),
            "scheduled_debate_date": (
                petition.scheduled_debate_date.isoformat()
                if petition.scheduled_debate_date
                else None
            ),
            "debate_outcome_at": stamp(petition.debate_outcome_at),
            "debated": bool(outcome and outcome.debated),
        }
    )


def history_of(pk: int):
    """The petition (for its links) and its points in time order, or (None, None)."""
    petitions = petitions_of("current").select_related("parliament")
    petition = petitions.only("id", "extra", "parliament__dissolution_at").filter(pk=pk).first()
    if petition is None:
        return None, None
    points = SignaturePoint.objects.filter(petition_id=pk).order_by("at")
    return petition, points.values_list("at", "signature_count")


@open_to_all
@conditional_petition
def history_json(request, pk: int):
    petition, points = history_of(pk)
    if petition is None:
        return json_error(404, f"There is no petition {pk} here.")
    document = history_document(
        points,
        self_url=absolute(request, request.get_full_path()),
        petition_url=petition_url(petition.id, flavour_of(petition), base_url(request)),
    )
    return JsonResponse(document)


HISTORY_COLUMNS = ["at", "signature_count"]


@open_to_all
@conditional_petition
def history_csv(request, pk: int):
    petition, points = history_of(pk)
    if petition is None:
        return HttpResponse(
            f"There is no petition {pk} here.\n", status=404, content_type="text/plain"
        )
    text = io.StringIO()
    writer = csv.DictWriter(text, HISTORY_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(history_rows(points))
    response = HttpResponse(text.getvalue(), content_type=csv_lists.CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="petition-{pk}-history.csv"'
    return response


class BadRequest(Exception):
    def __init__(self, message, errors=None):
        super().__init__(message)
        self.errors = errors


def usable(filterset):
    """The filter set, if every value in the address can be used; raises BadRequest."""
    if not filterset.is_valid():
        errors = {name: list(messages) for name, messages in filterset.errors.items()}
        raise BadRequest("Some values in the address can't be used.", errors)
    return filterset


def csv_error(error: BadRequest) -> HttpResponse:
    """A CSV address's bad request, as plain text: the message, then each value's problem."""
    lines = [str(error)] + [
        f"{name}: {message}" for name, messages in error.errors.items() for message in messages
    ]
    return HttpResponse("\n".join(lines) + "\n", status=400, content_type="text/plain")


def filtered(request, flavour: str):
    """The petitions of the list the query string asks for, and its filters (as given, the
    empty ones left out); raises BadRequest."""
    filterset = usable(PetitionFilter(request.GET, queryset=petitions_of(flavour)))
    filters = {name: filterset.data[name] for name in filterset.filters if filterset.data.get(name)}
    return filterset.qs, filters


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
        return absolute(request, request.path + query)

    return {
        "self": absolute(request, request.get_full_path()),
        "first": url(1),
        "last": url(last),
        "next": url(page + 1) if page < last else None,
        "prev": url(min(page - 1, last)) if page > 1 else None,
    }


@open_to_all
@conditional_archive
def petition_list_json(request, flavour: str = "current"):
    try:
        petitions, _ = filtered(request, flavour)
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


@open_to_all
def petition_list_csv(request, flavour: str = "current"):
    try:
        petitions, filters = filtered(request, flavour)
    except BadRequest as error:
        return csv_error(error)
    return csv_lists.csv_response(
        request,
        petitions,
        key=f"{flavour}?{urlencode(sorted(filters.items()))}",
        filename="archived-petitions.csv" if flavour == "archived" else "petitions.csv",
        site=base_url(request),
        search=bool(filters.get("q")),
    )


@open_to_all
@conditional_archive
def parliament_json(request, period: str):
    """A parliament's figures (as on /parliaments/PERIOD/)."""
    parliament = Parliament.objects.filter(period=period).first()
    if parliament is None:
        return json_error(404, f"There is no parliament {period} here.")
    document = parliament_document(parliament_record(parliament), base_url(request))
    return JsonResponse(document, json_dumps_params={"ensure_ascii": False})


@require_safe
def archived_list(request):
    """The public site's archive lists (/archived/petitions?parliament=3&state=closed) are
    the petition list here, with the same filters."""
    query = request.GET.copy()
    if query.get("parliament"):
        field = PetitionFilter.base_filters["parliament"].field
        try:
            query["parliament"] = field.clean(query["parliament"]).period
        except ValidationError:
            raise Http404("No such parliament.") from None
    suffix = f"?{query.urlencode()}" if query else ""
    return HttpResponsePermanentRedirect(reverse("petitions:list") + suffix)


@require_safe
def archived_petition(request, pk: int):
    """An old address of the public site's archive leads to the petition's page here."""
    petition = get_object_or_404(Petition.objects.visible(), pk=pk)
    return HttpResponsePermanentRedirect(reverse("petitions:detail", args=[petition.pk]))
