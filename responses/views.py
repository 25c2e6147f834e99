"""The government's response to a petition, in full."""

from django.shortcuts import get_object_or_404
from django.views.generic import DetailView

from petitions.caching import ConditionalPetitionMixin
from petitions.models import Petition
from responses.models import GovernmentResponse


class ResponseDetailView(ConditionalPetitionMixin, DetailView):
    template_name = "responses/response_detail.html"
    context_object_name = "response"

    def get_object(self, queryset=None):
        return get_object_or_404(
            GovernmentResponse.objects.select_related("department", "petition__parliament")
            .defer("search_vector", "petition__search_vector", "petition__extra")
            .filter(petition__in=Petition.objects.visible()),
            petition_id=self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["petition"] = self.object.petition
        context["has_map"] = self.object.petition.constituency_signatures.exists()
        context["query"] = self.request.GET.get("q", "")[:200]  # words to mark, from a search
        return context
