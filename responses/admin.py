"""The responses admin, where response editors enter what the government and Parliament said.

Every save and delete goes through `responses.services`, which keeps the petition's own
`government_response_at` and `debate_outcome_at` in step with the response and the outcome.
"""

from django.contrib import admin

from responses import services
from responses.forms import DebateOutcomeForm, GovernmentResponseForm
from responses.models import DebateOutcome, GovernmentResponse


class PetitionChildAdmin(admin.ModelAdmin):
    """Shared by responses and outcomes: each belongs to one petition, chosen once."""

    # Search petitions by number or words (PetitionAdmin.search_fields), never list them all.
    autocomplete_fields = ["petition"]
    list_select_related = ["petition"]
    # `petition__id__exact` compares the number as text, so a word in the box is no error.
    search_fields = ["petition__id__exact", "petition__action"]
    search_help_text = "Search by petition number or by words of its action."
    readonly_fields = ["created_at", "updated_at"]
    list_display_links = ["petition_number", "petition_action"]

    @admin.display(description="Petition", ordering="petition_id")
    def petition_number(self, child):
        return child.petition_id

    @admin.display(description="Action", ordering="petition__action")
    def petition_action(self, child):
        return child.petition.action

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # Moving it to another petition would leave the first one's stamp behind.
            readonly.insert(0, "petition")
        return readonly

    def save_model(self, request, obj, form, change):
        services.record(obj)

    def delete_model(self, request, obj):
        services.remove(obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset.select_related("petition"):
            services.remove(obj)


@admin.register(GovernmentResponse)
class GovernmentResponseAdmin(PetitionChildAdmin):
    form = GovernmentResponseForm
    list_display = [*PetitionChildAdmin.list_display_links, "responded_on", "department"]
    list_filter = ["department"]
    list_select_related = ["petition", "department"]
    search_fields = [*PetitionChildAdmin.search_fields, "summary"]
    search_help_text = "Search by petition number, or by words of its action or the summary."
    autocomplete_fields = ["petition", "department"]
    date_hierarchy = "responded_on"


@admin.register(DebateOutcome)
class DebateOutcomeAdmin(PetitionChildAdmin):
    form = DebateOutcomeForm
    list_display = [*PetitionChildAdmin.list_display_links, "debated", "debated_on"]
    list_filter = ["debated"]
    date_hierarchy = "debated_on"
