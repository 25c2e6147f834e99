"""What each Parliament did with its petitions: figures, and the lists that make them."""

import datetime as dt
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from petitions.models import Parliament
from petitions.parliaments import parliament_record
from tests.factories import (
    DebateOutcomeFactory,
    DepartmentFactory,
    GovernmentResponseFactory,
    PetitionFactory,
)
from tests.test_petition_page import visible_text

pytestmark = pytest.mark.django_db


def at(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(day).replace(hour=12, tzinfo=dt.UTC)


@pytest.fixture
def answered():
    """Five answered petitions of 2017–2019, four of them with the day they reached 10,000:

    | petition | reached 10,000 | responded   | days | department |
    | A        | 1 January 2018  | 11 January  | 10   | Home Office |
    | B        | 1 February 2018 | 3 March     | 30   | Home Office |
    | C        | 1 March 2018    | 5 March     | 4    | Treasury    |
    | D        | 1 April 2018    | 21 May      | 50   | Treasury    |
    | E        | (not recorded)  | 1 June 2018 | –    | (none)      |

    Measured days in order: 4, 10, 30, 50; the median of four is the mean of the middle
    two, (10 + 30) / 2 = 20 days; the slowest is D, 50 days. Home Office: 10 and 30, median
    20, slowest 30. Treasury: 4 and 50, median 27, slowest 50. E is not measured, and names
    no department: the figures cover 4 of the 5 responses.
    """
    home = DepartmentFactory(name="Home Office", acronym="HO")
    treasury = DepartmentFactory(name="HM Treasury", acronym="HMT")
    rows = [
        ("2018-01-01", "2018-01-11", home),
        ("2018-02-01", "2018-03-03", home),
        ("2018-03-01", "2018-03-05", treasury),
        ("2018-04-01", "2018-05-21", treasury),
        (None, "2018-06-01", None),
    ]
    made = []
    for reached_on, responded_on, department in rows:
        made.append(
            GovernmentResponseFactory(
                petition__response_threshold_reached_at=at(reached_on) if reached_on else None,
                responded_on=dt.date.fromisoformat(responded_on),
                department=department,
            ).petition
        )
    return made


def test_median_response_time_on_a_small_known_set(answered):
    record = parliament_record(Parliament.objects.get(period="2017-2019"))

    assert record.responded.count == 5
    assert (record.response_wait.measured, record.response_wait.of) == (4, 5)
    assert record.response_wait.median_days == 20
    assert record.response_wait.slowest_days == 50
    assert record.response_wait.slowest == answered[3]
    departments = {w.label: (w.median_days, w.slowest_days, w.of) for w in record.by_department}
    assert departments == {"Home Office": (20, 30, 2), "HM Treasury": (27, 50, 2)}
    assert record.no_department == 1


def test_parliament_page_reads_its_record(client, answered):
    DebateOutcomeFactory(
        petition__debate_threshold_reached_at=at("2018-03-01"), debated_on=dt.date(2018, 6, 4)
    )
    response = client.get(reverse("petitions:parliament", args=["2017-2019"]))
    text = visible_text(response)

    assert response.status_code == 200
    assert "2017–2019 Conservative government" in text
    assert "20 days at the median" in text
    assert "the slowest took 50 days" in text
    assert "Measured over 4 of the 5 responses" in text
    assert "1 of the 5 responses name no department" in text
    assert "95 days at the median" in text  # 1 March to 4 June 2018: the debate's wait
    assert "The largest petitions" in text


def test_every_figure_links_to_the_list_that_makes_it(client, answered):
    PetitionFactory.create_batch(2, rejected=True)
    PetitionFactory(rejected=True, rejection_code="irrelevant")
    PetitionFactory(signature_count=150_000, debate_threshold_reached_at=at("2018-02-01"))
    record = parliament_record(Parliament.objects.get(period="2017-2019"))
    figures = [
        record.total,
        *record.states,
        *record.rejected,
        record.reached_response,
        record.reached_debate,
        record.responded,
        record.debated,
    ]
    by_department = [(w.url, w.of) for w in record.by_department]

    assert {f.label: f.count for f in record.rejected} == {
        "Duplicate petition": 2,
        "Not the Government/Parliament's responsibility": 1,
    }
    assert record.reached_debate.count == 1
    for url, count in [(f.url, f.count) for f in figures] + by_department:
        listed = client.get(url)
        assert listed.status_code == 200, url
        assert listed.context["page_obj"].paginator.count == count, url


def test_real_snapshot_figures_match_their_lists(client, data_dir):
    call_command("import_petitions", str(data_dir / "real" / "lists"), verbosity=0)
    record = parliament_record(Parliament.objects.get(period="2019-2024"))

    assert record.total.count == 4134
    assert {f.label: f.count for f in record.states}["Rejected"] == 2864
    assert sum(f.count for f in record.rejected) == 2864
    # The 192 recorded open in January 2023 ran their six months long before 30 May 2024.
    assert {f.label: f.count for f in record.states}["Open"] == 0
    assert record.responded.count == 106
    for figure in [*record.states, *record.rejected[:3], record.reached_debate]:
        listed = client.get(figure.url)
        assert listed.context["page_obj"].paginator.count == figure.count, figure.url
    # Every response of the snapshot names its department: the table covers them all.
    assert sum(w.of for w in record.by_department) == 106 and record.no_department == 0
    departments = {w.label: w for w in record.by_department}
    defra = departments["Department for Environment, Food and Rural Affairs"]
    assert (defra.of, defra.median_days) == (35, 21)
    for w in list(departments.values())[:3]:
        assert client.get(w.url).context["page_obj"].paginator.count == w.of, w.url
    text = visible_text(client.get(reverse("petitions:parliament", args=["2019-2024"])))
    assert "21 days at the median" in text and "name no department" not in text


def test_parliament_json_gives_the_same_figures(client, answered):
    response = client.get(reverse("petitions:parliament_json", args=["2017-2019"]))
    document = json.loads(response.content)

    assert response["Access-Control-Allow-Origin"] == "*"
    assert document["period"] == "2017-2019"
    assert document["responded"]["count"] == 5
    assert document["response_time"]["median_days"] == 20
    assert document["response_time"]["measured"] == 4
    assert document["response_time"]["slowest_petition"] == answered[3].id


def test_parliaments_list_and_unknown_parliament(client, answered):
    response = client.get(reverse("petitions:parliaments"))
    text = visible_text(response)
    assert "2017–2019" in text and "2010–2015" in text
    for parliament in response.context["parliaments"]:  # each count is its list's
        listed = client.get(parliament.petitions_url).context["page_obj"].paginator.count
        answered_ = client.get(parliament.responses_url).context["page_obj"].paginator.count
        assert (parliament.petition_count, parliament.response_count) == (listed, answered_)
    assert client.get("/parliaments/1999-2000/").status_code == 404


def test_list_filters_for_the_figures_are_validated(client):
    for name in ("reached", "reason", "department"):
        response = client.get(reverse("petitions:list"), {name: "bogus"})
        assert response.status_code == 400, name
        assert response.context["filter"].errors[name]
