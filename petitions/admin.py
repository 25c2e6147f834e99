"""The petitions admin: find a petition, read it, and enter its government response.

Staff who may change petitions add a response or a debate outcome in place, through the
inlines. A response editor may only view petitions, and Django refuses any save of a page
whose object is view-only, inlines included; so for them the inlines are read-only and the
petition page links to the responses admin instead ("Add government response"), whose form
arrives with the petition chosen.
"""

from django.contrib import admin
from django.contrib.auth import get_permission_codename
from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from petitions.models import Department, Parliament, Petition, Topic
from petitions.params import petition_number
from responses import services
from responses.forms import DebateOutcomeForm, GovernmentResponseForm
from responses.models import DebateOutcome, GovernmentResponse


@admin.register(Parliament)
class ParliamentAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "government",
        "opening_at",
        "dissolution_at",
        "threshold_for_response",
        "threshold_for_debate",
        "petition_duration",
    ]
    search_fields = ["period", "government"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "acronym", "url"]
    search_fields = ["name", "acronym"]


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code"]
    search_fields = ["name", "code"]


class GovernmentResponseFilter(admin.SimpleListFilter):
    title = "Government response"
    parameter_name = "response"

    def lookups(self, request, model_admin):
        return [
            ("with", "With a response"),
            ("awaiting", "Awaiting a response"),
            ("none", "Without a response"),
        ]

    def queryset(self, request, queryset):
        match self.value():
            case "with":
                return queryset.with_response()
            case "awaiting":
                return queryset.awaiting_response()
            case "none":
                return queryset.without_response()
        return queryset


class PetitionChildInline(admin.StackedInline):
    """A response or an outcome, entered in place on the petition page.

    Django shows the inlines read-only when the petition is view-only, yet still draws the
    blank form of a one-to-one inline there (its formset always allows one); offer none then.
    """

    extra = 1

    def get_extra(self, request, obj=None, **kwargs):
        petition = self.parent_model._meta
        can_change = f"{petition.app_label}.{get_permission_codename('change', petition)}"
        if obj is not None and not request.user.has_perm(can_change):
            return 0
        return super().get_extra(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        # The form's own fields; the petition is the page's.
        return [name for name in self.form._meta.fields if name != "petition"]


class GovernmentResponseInline(PetitionChildInline):
    model = GovernmentResponse
    verbose_name_plural = "government response"  # one at most
    form = GovernmentResponseForm
    autocomplete_fields = ["department"]


class DebateOutcomeInline(PetitionChildInline):
    model = DebateOutcome
    verbose_name_plural = "debate outcome"
    form = DebateOutcomeForm


# The fields the response section shows; the other dates follow, in the model's order, with
# the last change at the end. The JSON the source gave is shown as it is, folded away.
STAMPS = ["government_response_at", "debate_outcome_at"]
DATES = [
    field.name
    for field in Petition._meta.concrete_fields
    if isinstance(field, models.DateField) and field.name not in [*STAMPS, "updated_at"]
] + ["updated_at"]
SOURCE_DATA = [
    field.name for field in Petition._meta.concrete_fields if isinstance(field, models.JSONField)
]


@admin.register(Petition)
class PetitionAdmin(admin.ModelAdmin):
    list_display = ["id", "action", "state", "signatures", "parliament_period", "has_response"]
    list_display_links = ["id", "action"]
    list_filter = ["state", "parliament", GovernmentResponseFilter]
    search_fields = ["action", "background"]
    search_help_text = "Search by petition number, or by words of its action or background."
    list_select_related = ["parliament"]
    list_per_page = 50
    # Counting 100,000 petitions on every page of results tells staff nothing.
    show_full_result_count = False
    autocomplete_fields = ["departments", "topics"]
    inlines = [GovernmentResponseInline, DebateOutcomeInline]
    readonly_fields = [
        "created_at",
        "updated_at",
        *STAMPS,
        "signatures_by_place",
        "government_response_link",
        "debate_outcome_link",
        *SOURCE_DATA,
    ]

    def get_fieldsets(self, request, obj=None):
        responses = list(STAMPS)
        if obj is not None and not self.has_change_permission(request, obj):
            # The inlines are read-only here: point to where the response can be entered.
            if request.user.has_perm("responses.add_governmentresponse"):
                responses.append("government_response_link")
            if request.user.has_perm("responses.add_debateoutcome"):
                responses.append("debate_outcome_link")
        return [
            (
                None,
                {
                    "fields": [
                        "id",
                        "parliament",
                        "action",
                        "background",
                        "additional_details",
                        "committee_note",
                        "creator_name",
                        "state",
                        "signature_count",
                        "signatures_by_place",
                    ]
                },
            ),
            ("Government response and debate", {"fields": responses}),
            ("Rejection", {"fields": ["rejection_code", "rejection_details"]}),
            ("Dates", {"fields": DATES}),
            ("Departments and topics", {"fields": ["departments", "topics"]}),
            (
                "Source data",
                {"fields": SOURCE_DATA, "classes": ["collapse"]},
            ),
        ]

    def get_search_results(self, request, queryset, search_term):
        """A petition number finds that petition at once; words use the archive's search
        (full text, with its index, on PostgreSQL)."""
        number = petition_number(search_term)
        if number is not None:
            found = queryset.filter(pk=number)
            if found.exists():
                return found, False
        if not search_term.strip():
            return queryset, False
        return queryset.search(search_term), False

    def get_inlines(self, request, obj):
        if obj is None or self.has_change_permission(request, obj):
            return self.inlines
        # Read-only: show the response and the outcome that exist, not empty headings.
        return [
            inline for inline in self.inlines if inline.model.objects.filter(petition=obj).exists()
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            # The official number is the key: changing it would copy the petition.
            readonly.insert(0, "id")
        return readonly

    @admin.display(description="Signatures", ordering="signature_count")
    def signatures(self, petition):
        return f"{petition.signature_count:,}"

    @admin.display(description="Parliament", ordering="parliament__opening_at")
    def parliament_period(self, petition):
        return petition.parliament.period_display

    @admin.display(description="Response", boolean=True, ordering="government_response_at")
    def has_response(self, petition):
        return petition.government_response_at is not None

    @admin.display(description="Signatures by place")
    def signatures_by_place(self, petition):
        """How many places the breakdowns hold: hundreds of rows are no use in a form."""
        if petition._state.adding:
            return "–"
        counts = [
            (petition.constituency_signatures.count(), "constituency", "constituencies"),
            (petition.country_signatures.count(), "country", "countries"),
            (petition.region_signatures.count(), "region", "regions"),
        ]
        return ", ".join(
            f"{count:,} {singular if count == 1 else plural}" for count, singular, plural in counts
        )

    @admin.display(description="Government response")
    def government_response_link(self, petition):
        return self._child_link(petition, "government_response", "government response")

    @admin.display(description="Debate outcome")
    def debate_outcome_link(self, petition):
        return self._child_link(petition, "debate_outcome", "debate outcome")

    def _child_link(self, petition, accessor, noun):
        try:
            child = getattr(petition, accessor)
        except ObjectDoesNotExist:
            opts = petition._meta.get_field(accessor).related_model._meta
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_add")
            return format_html(
                '<a class="addlink" href="{}?petition={}">Add {}</a>', url, petition.pk, noun
            )
        opts = child._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[child.pk])
        return format_html('<a class="changelink" href="{}">Change {}</a>', url, noun)

    def save_model(self, request, obj, form, change):
        now = timezone.now()
        if not change and obj.created_at is None:
            obj.created_at = now
        obj.updated_at = now
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model not in services.STAMPED:
            return super().save_formset(request, form, formset, change)
        # Through the services, so the petition's stamps stay right.
        instances = formset.save(commit=False)
        for child in formset.deleted_objects:
            services.remove(child)
        for child in instances:
            services.record(child)
        formset.save_m2m()
