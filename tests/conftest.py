import datetime as dt
import os
from pathlib import Path

import pytest
from django.core.management import call_command

DATA_DIR = Path(
    os.environ.get("PETITION_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)


@pytest.fixture(autouse=True)
def fresh_page_caches():
    """Each test starts with empty page caches: a rolled-back test database can repeat the
    archive versions (and so the ETags) of an earlier test, which production never does."""
    from django.core.cache import caches

    caches["pages"].clear()
    caches["default"].clear()


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The real public data in ../shared/data (PETITION_DATA_DIR); CI must have it."""
    if not DATA_DIR.is_dir():
        if os.environ.get("CI"):
            pytest.fail(f"the shared data is missing at {DATA_DIR} (set PETITION_DATA_DIR)")
        pytest.skip(f"no shared data at {DATA_DIR}: set PETITION_DATA_DIR to run this test")
    return DATA_DIR


@pytest.fixture
def sample_petition(db):
    """Petition 221342, loaded from fixtures/sample_petition.json as `make run` loads it."""
    from petitions.models import Petition

    call_command("loaddata", "sample_petition", verbosity=0)
    return Petition.objects.get(id=221342)


@pytest.fixture(autouse=True)
def csv_files(settings, tmp_path):
    """CSV lists are kept in the test's own directory, never in the project's."""
    settings.CSV_DIR = tmp_path / "csv"


@pytest.fixture
def archive(db):
    """A small archive: open, closed and rejected petitions, some answered, one debated."""
    from tests.factories import DebateOutcomeFactory, GovernmentResponseFactory, PetitionFactory

    return {
        "open": PetitionFactory(
            open=True, action="Protect hedgehogs in gardens", signature_count=900
        ),
        "closed": PetitionFactory(action="Fund more bus routes", signature_count=50),
        "rejected": PetitionFactory(rejected=True, action="Rename Tuesday", signature_count=3),
        "answered": GovernmentResponseFactory(
            petition__action="Clean up air quality in cities",
            petition__signature_count=25_000,
            responded_on=dt.date(2018, 5, 1),
        ).petition,
        "debated": DebateOutcomeFactory(
            petition__action="Hold a debate on hedgehogs", petition__signature_count=150_000
        ).petition,
        "not_debated": DebateOutcomeFactory(
            petition__action="Debate the price of milk",
            petition__signature_count=110_000,
            debated=False,
            debated_on=None,
        ).petition,
        "awaiting_response": PetitionFactory(
            open=True,
            action="Answer us about libraries",
            signature_count=20_000,
            response_threshold_reached_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ),
        "awaiting_debate": PetitionFactory(
            open=True,
            action="Debate the future of canals",
            signature_count=120_000,
            debate_threshold_reached_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        ),
    }
