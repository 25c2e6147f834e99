"""The government's response to a petition, in full."""

from django.http import Http404
from django.views.generic import DetailView

from petitions.caching import ConditionalPetitionMixin
from petitions.models import Petition, has_map
from petitions.precompiled import OnePetition
from responses.models import GovernmentResponse

# The page's one read, compiled once (petitions.precompiled).
RESPONSE = OnePetition(
    lambda pk: (
        GovernmentResponse.objects.select_related("department", "petition__parliament")
        .defer("search_vector", "petition__search_vector", "petition__extra")
        .filter(petition__in=Petition.objects.visible())
        .annotate(has_map=has_map("petition_id"))
        .filter(petition_id=pk)
    )
)


class ResponseDetailView(ConditionalPetitionMixin, DetailView):
    template_name = "responses/response_detail.html"
    context_object_name = "response"

    def get_object(self, queryset=None):
        response = RESPONSE.first(self.kwargs["pk"])
        if response is None:
            raise Http404("No government response to this petition")
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["petition"] = self.object.petition
        context["has_map"] = self.object.has_map
        context["query"] = self.request.GET.get("q", "")[:200]  # words to mark, from a search
        return context
