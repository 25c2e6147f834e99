"""Petitions, the parliaments they ran in, and where their signatures came from."""

from __future__ import annotations

import datetime as dt

from django.contrib.postgres.search import SearchVectorField
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from petitions import search
from petitions.links import validate_web_address
from petitions.states import PUBLIC_STATES, PetitionState
from petitions.timeline import Timeline, add_months
from petitions.wording import rejection_title


class NamedByManager(models.Manager):
    """Finds a row by the unique field that names it (`named_by`), as fixtures do."""

    def get_by_natural_key(self, key):
        return self.get(**{self.model.named_by: key})


class NamedBy:
    """A model whose unique field `named_by` is its natural key, in fixtures and exports."""

    named_by = "name"

    def natural_key(self):
        return (getattr(self, self.named_by),)


class ParliamentManager(NamedByManager):
    def containing(self, moment):
        """The parliament sitting at `moment` (or the latest one that opened before it)."""
        return self.filter(opening_at__lte=moment).order_by("-opening_at").first()


class Parliament(NamedBy, models.Model):
    """A UK Parliament, from its first sitting to its dissolution."""

    named_by = "period"

    period = models.CharField(
        max_length=9, unique=True, help_text="Years of the parliament, such as 2017-2019."
    )
    government = models.CharField(max_length=100, help_text="Such as Conservative.")
    opening_at = models.DateTimeField()
    dissolution_at = models.DateTimeField(null=True, blank=True)
    threshold_for_response = models.PositiveIntegerField(default=10_000)
    threshold_for_debate = models.PositiveIntegerField(default=100_000)
    petition_duration = models.PositiveSmallIntegerField(
        default=6, help_text="How many months a petition runs."
    )
    archive_number = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        unique=True,
        help_text="The public site's number for it in archived addresses (?parliament=3).",
    )

    objects = ParliamentManager()

    class Meta:
        ordering = ["-opening_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dissolution_at__isnull=True) | Q(dissolution_at__gt=F("opening_at")),
                name="parliament_dissolved_after_opening",
            ),
            models.CheckConstraint(
                condition=Q(threshold_for_debate__gt=F("threshold_for_response")),
                name="parliament_debate_threshold_above_response",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period_display} {self.government} government"

    @property
    def period_display(self) -> str:
        """The period with an en dash, as the public site prints it: 2017–2019."""
        return self.period.replace("-", "–")


class ArchiveState(models.Model):
    """One row whose `version` database triggers raise on every change to the archive's
    petitions, responses, debate outcomes, parliaments and departments
    (migrations/0006_archive_version_triggers.py): lists and the home page take their ETag
    from it. `reference_version` rises with parliaments and departments, the other rows a
    petition's own pages show (migrations/0012_stored_pages.py), and with a `TRUNCATE` of any
    table those pages show, which names no petition whose generation it could raise
    (migrations/0020_page_generations.py): every stored petition page is then stale."""

    version = models.BigIntegerField(default=0)
    reference_version = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(id=1), name="archive_state_one_row")]

    def __str__(self) -> str:
        return f"Archive version {self.version}"

    @classmethod
    def current(cls) -> int:
        """Read on every request for a list, so as one plain statement (no ORM compiling)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT version FROM {cls._meta.db_table} WHERE id = 1")
            row = cursor.fetchone()
        return row[0] if row else 0


class StoredPage(models.Model):
    """A rendered page (or document) kept by its address and ETag, gzip-compressed, so
    that any worker serves it again with one indexed read until what it shows changes.
    `manage.py render_pages` fills it for every petition (the long tail of an archive);
    a page found stale is rendered again on its next request."""

    key = models.CharField(max_length=64, primary_key=True)  # SHA-256 of the address
    etag = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    body = models.BinaryField()
    stored_at = models.DateTimeField(auto_now=True)
    # A petition's page also keeps what it was rendered from, so that it is served with no
    # other read while it stays current (petitions.caching.petition_version): its petition,
    # the petition's PageGeneration and the archive's reference version then, the release,
    # the day (YYYYMMDD) for a page that changes with the day, and its version's key,
    # Last-Modified and whether it is settled. Defaults in the database too: a worker of the
    # release before, still serving during a deployment, stores pages without them.
    petition_id = models.IntegerField(null=True)
    generation = models.BigIntegerField(null=True)
    reference = models.BigIntegerField(null=True)
    release = models.CharField(max_length=100, blank=True, db_default="")
    day = models.IntegerField(null=True)
    version = models.CharField(max_length=200, blank=True, db_default="")
    last_modified = models.BigIntegerField(null=True)
    settled = models.BooleanField(db_default=False)

    def __str__(self) -> str:
        return f"Stored page {self.key[:12]} ({self.etag})"


class PageGeneration(models.Model):
    """How many times the rows a petition's pages show have changed: database triggers
    raise it on every write to the petition, its government response, its debate outcome,
    its signatures over time, its breakdowns, departments and topics
    (migrations/0020_page_generations.py). A stored page of the petition is current while
    its generation is the one it was rendered from. A petition no write has touched since
    has no row: generation 0. The row outlives its petition, so a petition imported again
    under the same number starts from a later generation."""

    petition_id = models.IntegerField(primary_key=True)
    generation = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"Petition {self.petition_id}, generation {self.generation}"


class Department(NamedBy, models.Model):
    """A government department that answers petitions."""

    acronym = models.CharField(max_length=20, blank=True)
    name = models.CharField(max_length=200, unique=True)
    url = models.URLField(max_length=500, blank=True, validators=[validate_web_address])

    objects = NamedByManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(NamedBy, models.Model):
    code = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)

    named_by = "code"
    objects = NamedByManager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


WITH_RESPONSE = Q(government_response_at__isnull=False)
AWAITING_RESPONSE = Q(
    response_threshold_reached_at__isnull=False, government_response_at__isnull=True
)
DEBATED = Q(debate_outcome__debated=True)
NOT_DEBATED = Q(debate_outcome__debated=False)
AWAITING_DEBATE = Q(debate_threshold_reached_at__isnull=False, debate_outcome__isnull=True)

# The public site's facets of a petition list, in its order: name -> (label, condition).
# "open" and "closed" are as the records say; `today_facets()` tells them as of today.
FACETS = {
    "all": ("All petitions", Q()),
    "open": ("Open petitions", Q(state=PetitionState.OPEN)),
    "closed": ("Closed petitions", Q(state=PetitionState.CLOSED)),
    "rejected": ("Rejected petitions", Q(state=PetitionState.REJECTED)),
    "awaiting_response": ("Awaiting government response", AWAITING_RESPONSE),
    "with_response": ("Government responses", WITH_RESPONSE),
    "awaiting_debate": ("Awaiting a debate in Parliament", AWAITING_DEBATE),
    "debated": ("Debated in Parliament", DEBATED),
    "not_debated": ("Not debated in Parliament", NOT_DEBATED),
}
# The public site's other names for lists, accepted in addresses: not shown as tabs.
MORE_FACETS = {
    "published": ("Published petitions", Q(state__in=[PetitionState.OPEN, PetitionState.CLOSED])),
    "recent": ("Recent petitions", Q(state=PetitionState.OPEN)),
}


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def open_today() -> Q:
    """Petitions open today: recorded open, in a parliament not yet dissolved, with time left
    (their duration, in months, since the day they opened). The sitting parliaments are read
    first (one small query), so the condition names each with its own cut-off day rather
    than asking the database to work one out for every petition."""
    now = timezone.now()
    today = timezone.localdate(now)
    sitting = Parliament.objects.filter(
        Q(dissolution_at__isnull=True) | Q(dissolution_at__gt=now)
    ).values_list("id", "petition_duration")
    in_time = Q(pk__in=[])  # no parliament sitting: nothing is open
    for parliament_id, months in sitting:
        months = months if 1 <= (months or 0) <= 24 else 6
        opened_since = _start_of(add_months(today, -months))
        in_time |= Q(parliament_id=parliament_id) & (
            Q(opened_at__isnull=True) | Q(opened_at__gte=opened_since)
        )
    return Q(state=PetitionState.OPEN) & in_time


def reached(threshold: str) -> Q:
    """Petitions that reached the parliament's threshold for a response ("response",
    10,000 signatures) or for a debate ("debate", 100,000): by the time recorded, or by
    their count where no time was recorded."""
    if threshold == "debate":
        return Q(debate_threshold_reached_at__isnull=False) | Q(
            signature_count__gte=F("parliament__threshold_for_debate")
        )
    return Q(response_threshold_reached_at__isnull=False) | Q(
        signature_count__gte=F("parliament__threshold_for_response")
    )


def closed_early(parliaments) -> Q:
    """Petitions that a General Election closed before their time ran out (as their pages
    tell it, to the day): recorded open, or recorded closed at the dissolution, in one of
    `parliaments` since dissolved, having opened less than the parliament's duration of a
    petition before the dissolution."""
    now = timezone.now()
    condition = Q(pk__in=[])
    for parliament in parliaments:
        dissolved = parliament.dissolution_at
        if dissolved is None or dissolved > now:
            continue
        opened_late = Q(opened_at__isnull=True) | Q(
            opened_at__gt=add_months(dissolved, -parliament.petition_duration)
        )
        at_dissolution = Q(
            state=PetitionState.CLOSED,
            closed_at__gte=dissolved - dt.timedelta(days=1),
            closed_at__lt=dissolved + dt.timedelta(days=2),
            opened_at__isnull=False,
        )
        condition |= (
            Q(parliament=parliament) & opened_late & (Q(state=PetitionState.OPEN) | at_dissolution)
        )
    return condition


def today_facets() -> dict[str, Q]:
    """The conditions of every facet as of today: a petition recorded open that has since
    closed (its time ran out, or Parliament was dissolved) counts as closed."""
    still_open = open_today()
    conditions = {name: condition for name, (_, condition) in {**FACETS, **MORE_FACETS}.items()}
    conditions["open"] = conditions["recent"] = still_open
    conditions["closed"] = Q(state=PetitionState.CLOSED) | (
        Q(state=PetitionState.OPEN) & ~still_open
    )
    return conditions


def has_map(petition: str = "pk") -> models.Exists:
    """Whether the petition (the outer query's field `petition`) has signatures by
    constituency: a map to show."""
    return models.Exists(ConstituencySignatures.objects.filter(petition=models.OuterRef(petition)))


class PetitionQuerySet(models.QuerySet):
    def visible(self):
        return self.filter(state__in=PUBLIC_STATES)

    def rejected(self):
        return self.filter(state=PetitionState.REJECTED)

    def with_response(self):
        return self.filter(WITH_RESPONSE)

    def without_response(self):
        return self.exclude(WITH_RESPONSE)

    def awaiting_response(self):
        return self.filter(AWAITING_RESPONSE)

    def debated(self):
        return self.filter(DEBATED)

    def facet(self, name: str, today: bool = False):
        """Petitions of one of the public site's facets: open, awaiting_debate, not_debated…
        as the records say, or (`today`) as they stand today."""
        if today:
            return self.filter(today_facets()[name])
        return self.filter({**FACETS, **MORE_FACETS}[name][1])

    def facet_counts(self, today: bool = False) -> dict[str, int]:
        """How many petitions each facet (of the tabs) holds, in one query."""
        conditions = today_facets() if today else {n: c for n, (_, c) in FACETS.items()}
        # The same query as `aggregate()`, which takes the ORM twice as long to build: it
        # checks each count against the others, a cost that grows with their square. Grouped
        # by a constant, the counts are of every petition, in one row.
        counts = (
            self.order_by()
            .values(every=models.Value(1))
            .annotate(**{name: models.Count("id", filter=conditions[name]) for name in FACETS})
            .values(*FACETS)
        )
        return next(iter(counts), None) or dict.fromkeys(FACETS, 0)

    def search(
        self, text: str, responses_only: bool = False, memo: dict | None = None, ranked=True
    ):
        """Petitions matching `text` (or whose government response does), with `rank`
        (unless only to be counted: not `ranked`)."""
        return search.search(self, text, responses_only, memo=memo, ranked=ranked)

    def for_list(self):
        """What a list of petitions shows: the parliament, the response date, and what it
        takes to tell where each stands today."""
        return self.select_related("parliament").only(
            "id",
            "action",
            "background",
            "state",
            "signature_count",
            "created_at",
            "updated_at",
            "opened_at",
            "closed_at",
            "rejected_at",
            "government_response_at",
            "debate_outcome_at",
            "parliament__period",
            "parliament__government",
            "parliament__dissolution_at",
            "parliament__petition_duration",
        )

    def for_page(self):
        """Everything the petition page shows, in one query, and nothing it does not: not
        the search vectors, nor the source's unmodelled fields. `has_map`: whether it has
        signatures by constituency to draw."""
        return (
            self.select_related("parliament", "government_response__department", "debate_outcome")
            .defer("search_vector", "extra", "government_response__search_vector")
            .annotate(has_map=has_map())
        )

    def latest_responses(self):
        return self.with_response().order_by("-government_response_at")


class Petition(Timeline, models.Model):
    """A petition, keyed by its official number on the public petitions site."""

    id = models.PositiveIntegerField(primary_key=True, verbose_name="petition number")
    parliament = models.ForeignKey(Parliament, on_delete=models.PROTECT, related_name="petitions")
    action = models.CharField(max_length=255)
    background = models.TextField(blank=True)
    additional_details = models.TextField(blank=True)
    committee_note = models.TextField(blank=True)
    creator_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=10, choices=PetitionState.choices)
    signature_count = models.PositiveIntegerField(default=0)

    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    rejected_at = models.DateTimeField(null=True, blank=True)
    moderation_threshold_reached_at = models.DateTimeField(null=True, blank=True)
    response_threshold_reached_at = models.DateTimeField(null=True, blank=True)
    government_response_at = models.DateTimeField(null=True, blank=True)
    debate_threshold_reached_at = models.DateTimeField(null=True, blank=True)
    debate_outcome_at = models.DateTimeField(null=True, blank=True)
    scheduled_debate_date = models.DateField(null=True, blank=True)

    rejection_code = models.CharField(max_length=50, blank=True)
    rejection_details = models.TextField(blank=True)

    departments = models.ManyToManyField(Department, blank=True, related_name="petitions")
    topics = models.ManyToManyField(Topic, blank=True, related_name="petitions")
    other_parliamentary_business = models.JSONField(default=list, blank=True)
    # Kept by PostgreSQL triggers (responses/migrations/0004_search_triggers.py); unused on SQLite.
    search_vector = SearchVectorField(null=True, editable=False)
    extra = models.JSONField(
        default=dict,
        blank=True,
        help_text="Fields of the source document that the archive does not model, kept as given.",
    )

    objects = PetitionQuerySet.as_manager()

    class Meta:
        ordering = ["-signature_count", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signature_count__gte=0), name="petition_signature_count_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(state__in=PetitionState.values), name="petition_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True)
                | Q(opened_at__isnull=True)
                | Q(closed_at__gte=F("opened_at")),
                name="petition_closed_not_before_opened",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "-signature_count"], name="petition_state_count_idx"),
            models.Index(fields=["-signature_count"], name="petition_count_idx"),
            models.Index(fields=["-created_at"], name="petition_created_idx"),
            models.Index(fields=["-government_response_at"], name="petition_response_idx"),
            # The rare facets (awaiting a response, awaiting a debate) read the few petitions
            # past a threshold in list order, not the whole table.
            models.Index(
                fields=["-signature_count", "-id"],
                condition=Q(response_threshold_reached_at__isnull=False),
                name="petition_response_due_idx",
            ),
            models.Index(
                fields=["-signature_count", "-id"],
                condition=Q(debate_threshold_reached_at__isnull=False),
                name="petition_debate_due_idx",
            ),
            # A constituency's page joins its breakdowns to their petitions for the state
            # and the dates only (its MPs, with when): on PostgreSQL an index-only scan.
            models.Index(
                fields=["id"],
                include=["state", "opened_at", "created_at"],
                name="petition_state_dates_idx",
            ),
            # The facet counts read only these columns: on PostgreSQL an index-only scan.
            models.Index(
                fields=["state"],
                include=[
                    "id",
                    "parliament",
                    "response_threshold_reached_at",
                    "government_response_at",
                    "debate_threshold_reached_at",
                    "debate_outcome_at",
                    "opened_at",
                ],
                name="petition_facets_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.id}: {self.action}"

    def get_absolute_url(self) -> str:
        return reverse("petitions:detail", args=[self.id])

    @property
    def rejection_reason(self) -> str:
        return rejection_title(self.rejection_code)

    @property
    def is_archived(self) -> bool:
        return self.parliament.dissolution_at is not None


class SignaturePoint(models.Model):
    """A petition's signature count as the archive learnt it at one moment (the document's
    `updated_at`): its signatures over time. A database trigger records one whenever a
    petition's count is stored and differs from the one before
    (migrations/0015_signature_history.py), whatever wrote it: an import, a harvest, the
    fixture, the admin; exported histories are read back by the importer."""

    petition = models.ForeignKey(Petition, on_delete=models.CASCADE, related_name="history")
    at = models.DateTimeField()
    signature_count = models.PositiveIntegerField()

    class Meta:
        ordering = ["at"]
        indexes = [
            # A page's version reads its petition's latest point (the highest id) from here:
            # without it PostgreSQL walked every point, newest first, to find one (6 ms).
            models.Index(fields=["petition", "-id"], name="signature_point_latest_idx"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["petition", "at"], name="signature_point_once"),
            models.CheckConstraint(
                condition=Q(signature_count__gte=0), name="signature_point_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.petition_id} at {self.at:%Y-%m-%d %H:%M}: {self.signature_count:,}"


class CodeField(models.CharField):
    """A code of capital letters and digits (an ONS code), compared byte by byte on
    PostgreSQL (the "C" collation; SQLite always compares so): the same order for such a
    code as the database's own collation, at less cost. A first import builds a
    breakdown's indexes on it a third faster (1.4 s against 0.9 to 1.3 s for 1,300,000
    constituency rows, measured in psql)."""

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class Breakdown(models.Model):
    """Signatures from one place: shared by the constituency, country and region tables."""

    name = models.CharField(max_length=200)
    signature_count = models.PositiveIntegerField()

    # Each table's primary key is (petition, place): its natural key too.

    class Meta:
        abstract = True
        ordering = ["-signature_count", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(signature_count__gte=0), name="%(class)s_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.signature_count:,}"

    def natural_key(self):
        return self.pk


class BreakdownManager(models.Manager):
    def get_by_natural_key(self, petition_id, key):
        return self.get(pk=(petition_id, key))


class ConstituencySignatures(Breakdown):  # noqa: DJ008 (Breakdown.__str__)
    petition = models.ForeignKey(
        Petition,
        on_delete=models.CASCADE,
        related_name="constituency_signatures",
        db_index=False,  # the primary key (petition, key) serves
    )
    ons_code = CodeField("ONS code", max_length=9)
    # None, as in the source data, when the seat was vacant.
    mp = models.CharField("MP", max_length=200, null=True, blank=True)  # noqa: DJ001
    pk = models.CompositePrimaryKey("petition", "ons_code")

    objects = BreakdownManager()

    class Meta(Breakdown.Meta):
        verbose_name = "signatures by constituency"
        verbose_name_plural = "signatures by constituency"
        indexes = [
            # A constituency's petitions, most signed there first (its page): read in
            # order from the index, never every breakdown. With the MP on PostgreSQL, so
            # that the MPs the petitions recorded for it are read from the index alone,
            # not from a row on another page of the table for every petition.
            models.Index(
                fields=["ons_code", "-signature_count", "petition"],
                include=["mp"],
                name="constituency_sigs_code_idx",
            ),
        ]


class CountrySignatures(Breakdown):  # noqa: DJ008 (Breakdown.__str__)
    petition = models.ForeignKey(
        Petition,
        on_delete=models.CASCADE,
        related_name="country_signatures",
        db_index=False,  # the primary key (petition, key) serves
    )
    # None where the source gives no code (the public site's data of 2015).
    code = models.CharField(max_length=10, null=True, blank=True)  # noqa: DJ001
    # Known by name: the public site's early data gives no country codes.
    pk = models.CompositePrimaryKey("petition", "name")

    objects = BreakdownManager()

    class Meta(Breakdown.Meta):
        verbose_name = "signatures by country"
        verbose_name_plural = "signatures by country"


class RegionSignatures(Breakdown):  # noqa: DJ008 (Breakdown.__str__)
    petition = models.ForeignKey(
        Petition,
        on_delete=models.CASCADE,
        related_name="region_signatures",
        db_index=False,  # the primary key (petition, key) serves
    )
    ons_code = CodeField("ONS code", max_length=9)
    pk = models.CompositePrimaryKey("petition", "ons_code")

    objects = BreakdownManager()

    class Meta(Breakdown.Meta):
        verbose_name = "signatures by region"
        verbose_name_plural = "signatures by region"
