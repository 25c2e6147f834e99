"""Constituency documents, readable from any origin like the petitions' documents.

- ``/constituencies.json`` and ``/parliaments/PERIOD/constituencies.json``: the public
  petitions site's documents, keyed by ONS code (``mp``, ``party``, ``constituency``,
  ``ons_code``, ``start_date``, ``end_date``), so that its clients (unboxed/petition-map)
  work against the archive. The archive knows both boundary sets: ``/constituencies.json``
  gives every constituency of both (a petition of either set joins on its codes), a
  parliament's document those of the set it sat on. ``mp`` is the MP the latest petitions
  recorded (null where none did, or the seat was vacant); ``party`` is null: the
  petitions' data names no parties.
- ``/constituencies/CODE.json`` and ``.csv``: the petitions signed there, as on its page.
"""

from __future__ import annotations

import csv

from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.urls import reverse

from constituencies import local
from constituencies.maps import boundary_set_on, places
from constituencies.views import members_of, page_rows, paginated, read_page, signed_here
from petitions.api import (
    BadRequest,
    base_url,
    csv_error,
    json_error,
    open_to_all,
    page_links,
    positive_number,
    usable,
)
from petitions.caching import conditional_archive
from petitions.csv_lists import CHUNK, CONTENT_TYPE, safe_cell
from petitions.models import Parliament, Petition

CSV_COLUMNS = [
    "Petition",
    "URL",
    "State",
    "Local Signatures",
    "Total Signatures",
    "Petition Number",
    "Parliament",
    "Constituency",
    "ONS Code",
]


def _document(codes, members: dict) -> dict:
    document = {}
    for code in sorted(codes):
        facts = local.facts(code)
        document[code] = {
            "mp": members.get(code),
            "party": None,
            "constituency": facts.name,
            "ons_code": code,
            "start_date": facts.start_date.isoformat(),
            "end_date": facts.end_date.isoformat() if facts.end_date else None,
        }
    return document


def _json(document, status=200) -> JsonResponse:
    return JsonResponse(document, status=status, json_dumps_params={"ensure_ascii": False})


@open_to_all
@conditional_archive
def constituencies_json(request):
    codes = local.all_codes()
    return _json(_document(codes, local.latest_members(Petition.objects.visible(), codes)))


@open_to_all
@conditional_archive
def parliament_constituencies_json(request, period: str):
    parliament = Parliament.objects.filter(period=period).first()
    if parliament is None:
        return json_error(404, f"There is no parliament {period} here.")
    codes = set(places(boundary_set_on(parliament.opening_at)))
    petitions = Petition.objects.visible().filter(parliament=parliament)
    return _json(_document(codes, local.latest_members(petitions, codes)))


@open_to_all
@conditional_archive
def constituency_json(request, code: str):
    try:
        facts, filterset = signed_here(request, code)
    except Http404:
        return json_error(404, f"There is no constituency {code} here.")
    try:
        usable(filterset)
        number = positive_number(request, "page", 1)
    except BadRequest as error:
        return json_error(400, str(error), error.errors)
    paginator = paginated(filterset, lambda: members_of(request, facts))
    last = paginator.num_pages
    share, weighed_by = local.weight(facts)
    rows = (
        page_rows(read_page(filterset.qs, paginator.page(number)), share) if number <= last else []
    )
    site = base_url(request)
    return _json(
        {
            "links": page_links(request, number, last),
            "constituency": {
                "ons_code": facts.ons_code,
                "name": facts.name,
                "nation": facts.nation_name,
                "region": facts.region_name,
                "boundary_set": facts.boundary_set_label,
                "electorate": facts.electorate,
                "start_date": facts.start_date.isoformat(),
                "end_date": facts.end_date.isoformat() if facts.end_date else None,
                "share_of_uk": round(share, 6),
                "share_of": weighed_by,
            },
            "count": paginator.count,
            "data": [
                {
                    "id": row["petition"].id,
                    "action": row["petition"].action,
                    "url": site + reverse("petitions:detail", args=[row["petition"].id]),
                    "state": row["petition"].state,
                    "parliament": row["petition"].parliament.period,
                    "local_signature_count": row["local"],
                    "signature_count": row["total"],
                    "uk_signature_count": row["uk_total"],
                    "leaning": round(row["leaning"], 3) if row["leaning"] is not None else None,
                }
                for row in rows
            ],
        }
    )


class Echo:
    """A file whose writes come back at once, for streaming a CSV."""

    def write(self, value):
        return value


def _csv_lines(facts, rows, site: str):
    writer = csv.writer(Echo())
    yield writer.writerow(CSV_COLUMNS)
    for row in rows.iterator(chunk_size=CHUNK):
        petition = row.petition
        cells = [
            petition.action,
            site + reverse("petitions:detail", args=[petition.id]),
            petition.state,
            row.signature_count,
            petition.signature_count,
            petition.id,
            petition.parliament.period,
            facts.name,
            facts.ons_code,
        ]
        yield writer.writerow([safe_cell(cell) for cell in cells])


@open_to_all
@conditional_archive
def constituency_csv(request, code: str):
    """Every petition signed there (filtered as the page), most signed there first."""
    try:
        facts, filterset = signed_here(request, code)
    except Http404:
        return HttpResponse(
            f"There is no constituency {code} here.\n", status=404, content_type="text/plain"
        )
    try:
        usable(filterset)
    except BadRequest as error:
        return csv_error(error)
    return StreamingHttpResponse(
        _csv_lines(facts, filterset.qs, base_url(request)),
        content_type=CONTENT_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{facts.ons_code}.csv"'},
    )
