from django.http import HttpResponse
from django.views.decorators.cache import never_cache


@never_cache
def health(request):
    """For load balancers: the app answers (it asks nothing of the database)."""
    return HttpResponse("ok\n", content_type="text/plain")
