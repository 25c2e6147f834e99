"""The filters of a constituency's petitions: by parliament and by state, as on the list."""

import django_filters

from petitions.filters import CLOSED_EARLY, ChoicesKeptForVersion, ParliamentFilter
from petitions.models import FACETS, ConstituencySignatures, Parliament, Petition, closed_early
from petitions.widgets import QuickSelectForm


class SignedHereFilter(ChoicesKeptForVersion):
    parliament = ParliamentFilter(
        queryset=Parliament.objects.all(),
        field_name="petition__parliament",
        to_field_name="period",
        empty_label="All parliaments",
        label="Parliament",
    )
    state = django_filters.ChoiceFilter(
        choices=[*((name, label) for name, (label, _) in FACETS.items()), CLOSED_EARLY],
        method="filter_state",
        empty_label=None,
        label="Show",
    )

    class Meta:
        model = ConstituencySignatures
        form = QuickSelectForm
        fields = ["parliament", "state"]

    def filter_state(self, queryset, name, value):
        if value == "all":
            return queryset
        if value == CLOSED_EARLY[0]:
            petitions = Petition.objects.filter(closed_early(Parliament.objects.all()))
        else:
            petitions = Petition.objects.facet(value, today=True)
        return queryset.filter(petition__in=petitions.values("id"))
