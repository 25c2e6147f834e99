"""HTTP caching of the pages and documents about one petition.

Each such page answers conditional requests: its ETag and Last-Modified come from the
latest change to the petition, its government response or its debate outcome (one small
query), so an edit in the admin changes what is served at once. Closed and rejected
petitions no longer change on the public site, so they are sent with a public lifetime
that a CDN may honour; open ones must be revalidated each time.

With CACHE_URL set (Redis, for example) the rendered page is also kept in that shared
cache, keyed by its address and ETag.
"""

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db.models import F
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpResponse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.http import http_date, quote_etag

from petitions.models import Petition, PetitionState

SETTLED_STATES = {PetitionState.CLOSED, PetitionState.REJECTED}


def petition_version(pk):
    """(last change, state) of a visible petition, or None."""
    return (
        Petition.objects.visible()
        .filter(pk=pk)
        .annotate(
            changed=Greatest(
                F("updated_at"),
                Coalesce(F("government_response__updated_at"), F("updated_at")),
                Coalesce(F("debate_outcome__updated_at"), F("updated_at")),
            )
        )
        .values_list("changed", "state")
        .first()
    )


def serve_conditionally(request, pk, render):
    """Answer with a 304, a cached page, or `render()`, with validators and a lifetime."""
    if request.method not in ("GET", "HEAD"):
        return render()
    version = petition_version(pk)
    if version is None:
        return render()  # its 404
    changed, state = version
    etag = quote_etag(f"{pk}-{changed.timestamp():.6f}-{settings.RELEASE}")
    last_modified = int(changed.timestamp())
    response = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if response is None:
        response = cached(request, etag, render)
    if response.status_code in (200, 304):
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        if state in SETTLED_STATES:
            patch_cache_control(response, public=True, max_age=settings.SETTLED_MAX_AGE)
        else:
            patch_cache_control(response, public=True, no_cache=True)
    return response


def cached(request, etag, render):
    if not settings.PAGE_CACHE:
        return render()
    key = f"page:{request.get_full_path()}:{etag}"
    hit = cache.get(key)
    if hit is not None:
        content, content_type = hit
        return HttpResponse(content, content_type=content_type)
    response = render()
    if hasattr(response, "render"):
        response.render()
    if response.status_code == 200 and not response.streaming:
        cache.set(key, (response.content, response["Content-Type"]), settings.PAGE_CACHE_SECONDS)
    return response


def conditional_petition(view):
    """For function views of one petition (keyword `pk`)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return serve_conditionally(request, kwargs["pk"], lambda: view(request, *args, **kwargs))

    return wrapper


class ConditionalPetitionMixin:
    """For class-based views of one petition (URL keyword `pk`)."""

    def dispatch(self, request, *args, **kwargs):
        return serve_conditionally(
            request,
            kwargs["pk"],
            lambda: super(ConditionalPetitionMixin, self).dispatch(request, *args, **kwargs),
        )
