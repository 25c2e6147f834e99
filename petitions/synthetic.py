"""A synthetic archive for benchmarks: realistic in shape, never real, always marked.

Synthetic petitions take numbers from SYNTHETIC_FIRST_ID up (the public site's numbers are
six digits), and carry `"synthetic": true` in their `extra` column. `make run` never loads
them; `generate_archive --delete` removes them.

Their words come from real petitions (`Corpus`: the actions and the sentences of the
4,134 real petitions in ../shared/data/real, read where they lie, never copied), so that
searches and benchmarks meet real word frequencies; without that data, a small built-in
vocabulary stands in.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import re
from collections.abc import Iterator
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from petitions.models import (
    ConstituencySignatures,
    CountrySignatures,
    Parliament,
    Petition,
    PetitionState,
)
from responses.models import DebateOutcome, GovernmentResponse

SYNTHETIC_FIRST_ID = 900_000_000
BREAKDOWN_FROM = 1_000  # signatures from which a petition gets a 650-constituency breakdown
CONSTITUENCIES = 650
COUNTRIES = ["United Kingdom", "France", "Spain", "Germany", "United States", "Australia"]

VERBS = ["Ban", "Fund", "Protect", "Review", "Stop", "Introduce", "Reform", "Support", "Scrap"]
SUBJECTS = [
    "air quality in cities",
    "fireworks sales to the public",
    "rural bus services",
    "school meals for all children",
    "NHS dental care",
    "the sale of puppies by third parties",
    "tuition fees for nursing students",
    "plastic packaging in supermarkets",
    "hedgehog habitats",
    "the voting age at 16",
    "business rates for small shops",
    "funding for local libraries",
    "trophy hunting imports",
    "speed limits near schools",
    "energy prices for pensioners",
    "flood defences on the coast",
]
SENTENCES = [
    "Many people are affected by this every day and the law has not kept up.",
    "We ask the Government to act now before it is too late.",
    "Evidence from other countries shows that change is possible and affordable.",
    "Local councils cannot solve this on their own without national funding.",
    "The current rules are unclear and applied differently across the country.",
    "Families, workers and communities would all benefit from a clear plan.",
]


class Corpus:
    """Actions and sentences to draw a petition's texts from."""

    def __init__(self, actions: list[str], sentences: list[str]):
        self.actions = actions
        self.sentences = sentences

    @classmethod
    def built_in(cls) -> Corpus:
        actions = [f"{verb} {subject}" for verb in VERBS for subject in SUBJECTS]
        return cls(actions, SENTENCES)

    @classmethod
    def from_real(cls, directory: Path) -> Corpus:
        """The real petitions' actions and sentences (list pages and detail documents)."""
        actions, sentences = set(), set()
        for path in sorted(directory.glob("*/*.json.gz")):
            with gzip.open(path, "rt", encoding="utf-8") as file:
                document = json.load(file)
            data = document.get("data", document)
            for item in data if isinstance(data, list) else [data]:
                attributes = item.get("attributes", {})
                actions.add(attributes.get("action") or "")
                for name in ("background", "additional_details"):
                    for sentence in SENTENCE_END.split(attributes.get(name) or ""):
                        if 20 <= len(sentence.strip()) <= 300:
                            sentences.add(sentence.strip())
        actions.discard("")
        if not actions or not sentences:
            raise ValueError(f"no petitions in {directory}")
        return cls(sorted(actions), sorted(sentences))

    @classmethod
    def default(cls) -> Corpus:
        directory = Path(os.environ.get("PETITION_DATA_DIR", DEFAULT_DATA_DIR)) / "real"
        try:
            return cls.from_real(directory)
        except (OSError, ValueError):
            return cls.built_in()


SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[2] / "shared" / "data"


def synthetic():
    return Petition.objects.filter(id__gte=SYNTHETIC_FIRST_ID)


def signature_count(rng: random.Random) -> int:
    """Most petitions get under 100 signatures; a long tail reaches the millions."""
    return min(int(rng.paretovariate(0.45)) - 1, 6_000_000)


def generate(
    count: int, seed: int = 2015, batch_size: int = 2_000, corpus: Corpus | None = None
) -> Iterator[int]:
    """Create `count` synthetic petitions; yields how many are done after each batch."""
    rng = random.Random(seed)
    corpus = corpus or Corpus.default()
    parliaments = list(Parliament.objects.order_by("opening_at"))
    start = synthetic().order_by("-id").values_list("id", flat=True).first()
    next_id = (start or SYNTHETIC_FIRST_ID - 1) + 1
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        with transaction.atomic():
            _create_batch(rng, parliaments, range(next_id, next_id + size), corpus)
        next_id += size
        done += size
        yield done


def _create_batch(rng, parliaments, ids, corpus: Corpus):
    now = timezone.now()
    petitions, responses, outcomes, constituencies, countries = [], [], [], [], []
    for pk in ids:
        parliament = rng.choice(parliaments)
        end = parliament.dissolution_at or now
        span = max((end - parliament.opening_at).total_seconds() - 200 * 86400, 86400)
        created = parliament.opening_at + dt.timedelta(seconds=rng.uniform(0, span))
        count = signature_count(rng)
        rejected = count < 5 and rng.random() < 0.5
        is_open = parliament.dissolution_at is None and not rejected and rng.random() < 0.3
        opened = None if rejected else created + dt.timedelta(days=rng.randint(1, 10))
        closed = None if rejected or is_open else opened + dt.timedelta(days=182)
        action = rng.choice(corpus.actions)
        petition = Petition(
            id=pk,
            parliament=parliament,
            action=action,
            background=" ".join(rng.sample(corpus.sentences, 2)),
            additional_details=" ".join(rng.sample(corpus.sentences, 3)),
            state=(
                PetitionState.REJECTED
                if rejected
                else PetitionState.OPEN
                if is_open
                else PetitionState.CLOSED
            ),
            signature_count=count,
            created_at=created,
            updated_at=closed or opened or created,
            opened_at=opened,
            closed_at=closed,
            rejected_at=created + dt.timedelta(days=3) if rejected else None,
            rejection_code="duplicate" if rejected else "",
            extra={"synthetic": True},
        )
        if count >= 10_000 and not rejected:
            petition.response_threshold_reached_at = opened + dt.timedelta(days=20)
            if rng.random() < 0.9:
                responded = opened + dt.timedelta(days=40)
                petition.government_response_at = responded
                responses.append(
                    GovernmentResponse(
                        petition_id=pk,
                        responded_on=responded.date(),
                        summary=" ".join(rng.sample(corpus.sentences, 2))[:500],
                        details="\n\n".join(rng.sample(corpus.sentences, 6)),
                        created_at=responded,
                        updated_at=responded,
                    )
                )
        if count >= 100_000 and not rejected:
            petition.debate_threshold_reached_at = opened + dt.timedelta(days=30)
            if closed:
                debated = rng.random() < 0.7
                petition.debate_outcome_at = closed
                outcomes.append(
                    DebateOutcome(
                        petition_id=pk,
                        debated=debated,
                        debated_on=closed.date() if debated else None,
                        overview="MPs debated this petition." if debated else "",
                        created_at=closed,
                        updated_at=closed,
                    )
                )
        petitions.append(petition)
        if count >= BREAKDOWN_FROM and not rejected:
            constituencies.extend(_constituencies(rng, pk, count))
            countries.extend(
                CountrySignatures(
                    petition_id=pk, name=name, code=name[:2].upper(), signature_count=share
                )
                for name, share in zip(COUNTRIES, _split(rng, count, len(COUNTRIES)), strict=True)
            )
    Petition.objects.bulk_create(petitions)
    GovernmentResponse.objects.bulk_create(responses)
    DebateOutcome.objects.bulk_create(outcomes)
    ConstituencySignatures.objects.bulk_create(constituencies, batch_size=5_000)
    CountrySignatures.objects.bulk_create(countries, batch_size=5_000)


def _constituencies(rng, pk, count):
    shares = _split(rng, int(count * 0.95), CONSTITUENCIES)
    for n, share in enumerate(shares):
        code = f"E{14000530 + n}" if n < 533 else f"S{14000001 + n - 533}"
        yield ConstituencySignatures(
            petition_id=pk,
            ons_code=code,
            name=f"Synthetic constituency {n + 1}",
            mp=f"Member {n + 1} MP",
            signature_count=share,
        )


def _split(rng, total, parts):
    weights = [rng.random() + 0.2 for _ in range(parts)]
    scale = total / sum(weights)
    return [int(w * scale) for w in weights]
