from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache

from petitions_site.errors import DATABASE_ERRORS, RETRY_AFTER


@never_cache
def health(request):
    """Liveness, for load balancers: the app answers (it asks nothing of the database)."""
    return HttpResponse("ok\n", content_type="text/plain")


@never_cache
def ready(request):
    """Readiness: the app can reach its database (503 while it cannot)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DATABASE_ERRORS:
        return HttpResponse(
            "database unavailable\n",
            status=503,
            content_type="text/plain",
            headers={"Retry-After": str(RETRY_AFTER)},
        )
    return HttpResponse("ready\n", content_type="text/plain")


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: our icon is an SVG."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))
