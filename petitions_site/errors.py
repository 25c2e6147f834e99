"""One way to answer a request that fails, in the form its address asks for.

JSON addresses answer in JSON (readable from any origin, like their documents), CSV
addresses in plain text, pages with a page a person can read: for a bad request (400),
an address with nothing at it (404), our own failure (500), and a database that cannot be
reached (503, with Retry-After, from `DatabaseUnavailableMiddleware`).
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template import loader

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)  # it cannot be reached, or went away
RETRY_AFTER = 30  # seconds, for a client waiting for the database to come back
CORS = {"Access-Control-Allow-Origin": "*"}
MESSAGES = {
    400: "The request could not be understood: something in the address is not as expected.",
    404: "There is nothing at this address.",
    500: "Sorry, something went wrong on our side. Please try again in a few minutes.",
    503: "The archive cannot reach its database just now. Please try again in a minute.",
}
TEMPLATES = {400: "400.html", 404: "404.html", 500: "500.html", 503: "503.html"}


def answer(request, status: int, message: str | None = None, headers=None) -> HttpResponse:
    """A response of `status` in the form of the address: JSON, CSV (text) or a page."""
    message = message or MESSAGES[status]
    headers = dict(headers or {})
    path = request.path
    if path.endswith(".json"):
        return JsonResponse({"error": message}, status=status, headers={**CORS, **headers})
    if path.endswith(".csv"):
        return HttpResponse(
            message + "\n", status=status, content_type="text/plain", headers={**CORS, **headers}
        )
    page = loader.get_template(TEMPLATES[status]).render({"message": message}, request)
    return HttpResponse(page, status=status, headers=headers)


def bad_request(request, exception=None):
    return answer(request, 400)


def page_not_found(request, exception=None):
    return answer(request, 404)


def server_error(request):
    if isinstance(sys.exc_info()[1], DATABASE_ERRORS):  # (raised outside a view)
        return database_unavailable(request)
    return answer(request, 500)


def database_unavailable(request):
    return answer(request, 503, headers={"Retry-After": str(RETRY_AFTER)})


class DatabaseUnavailableMiddleware:
    """While the database is unreachable, 503 with Retry-After instead of a 500. Django
    reconnects on the next request once it is back (CONN_HEALTH_CHECKS), so the site
    recovers by itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        return database_unavailable(request)
