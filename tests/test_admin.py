"""The admin: finding petitions, entering responses, validation, and the response editors.

These tests mount only the admin (see `urlpatterns` below), so they do not depend on the
public pages.
"""

import datetime as dt
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains

from petitions.models import Petition, PetitionState
from responses.models import DebateOutcome, GovernmentResponse
from tests.factories import (
    DebateOutcomeFactory,
    DepartmentFactory,
    GovernmentResponseFactory,
    PetitionFactory,
    parliament,
)

urlpatterns = [path("admin/", admin.site.urls)]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

PETITION_LIST = "/admin/petitions/petition/"
RESPONSE_ADD = "/admin/responses/governmentresponse/add/"
OUTCOME_ADD = "/admin/responses/debateoutcome/add/"


def petition_url(petition, action="change"):
    return reverse(f"admin:petitions_petition_{action}", args=[petition.pk])


def response_url(response, action="change"):
    return reverse(f"admin:responses_governmentresponse_{action}", args=[response.pk])


def outcome_url(outcome, action="change"):
    return reverse(f"admin:responses_debateoutcome_{action}", args=[outcome.pk])


def test_admin_addresses():
    assert reverse("admin:petitions_petition_changelist") == PETITION_LIST
    assert reverse("admin:responses_governmentresponse_add") == RESPONSE_ADD
    assert reverse("admin:responses_debateoutcome_add") == OUTCOME_ADD


class FormReader(HTMLParser):
    """What a browser would submit from the form with id `form_id`, as a dict."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.in_form = False
        self.data = {}
        self.select = None
        self.select_options = []
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.in_form = attrs.get("id") == self.form_id
        if not self.in_form or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "file"}:
            if attrs.get("type") in {"checkbox", "radio"}:
                if "checked" in attrs:
                    self.data[name] = attrs.get("value", "on")
            else:
                self.data[name] = attrs.get("value", "")
        elif tag == "select" and name:
            self.select, self.select_options = (name, "multiple" in attrs), []
            self.data[name] = [] if "multiple" in attrs else ""
        elif tag == "option" and self.select:
            value = attrs.get("value", "")
            self.select_options.append(value)
            if "selected" in attrs:
                name, multiple = self.select
                if multiple:
                    self.data[name].append(value)
                else:
                    self.data[name] = value
        elif tag == "textarea" and name:
            self.textarea = name
            self.data[name] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            name, multiple = self.select
            if not multiple and not self.data[name] and self.select_options:
                self.data[name] = self.select_options[0]
            self.select = None
        elif tag == "textarea":
            if self.textarea:
                # HTML drops the newline that directly follows <textarea>.
                self.data[self.textarea] = self.data[self.textarea].removeprefix("\n")
            self.textarea = None

    def handle_data(self, data):
        if self.textarea:
            self.data[self.textarea] += data


def form_data(response, form_id):
    assert response.status_code == 200
    reader = FormReader(form_id)
    reader.feed(response.content.decode())
    return reader.data


def day(date):
    return date.isoformat()


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", "a long test password", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Response editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


# The petition list


def test_petition_list_shows_the_columns_staff_scan(admin_client):
    GovernmentResponseFactory(
        petition__action="Fund more libraries", petition__signature_count=12_345
    )
    response = admin_client.get(PETITION_LIST)
    assertContains(response, "Fund more libraries")
    assertContains(response, "12,345")
    assertContains(response, "2017–2019")
    assertContains(response, 'alt="True"')  # the "Response" column's tick


def test_petition_list_filters_by_state(admin_client):
    PetitionFactory(action="A closed petition")
    PetitionFactory(action="A rejected petition", rejected=True)
    response = admin_client.get(PETITION_LIST, {"state__exact": PetitionState.REJECTED})
    assertContains(response, "A rejected petition")
    assertNotContains(response, "A closed petition")


def test_petition_list_filters_by_parliament(admin_client):
    PetitionFactory(action="From the 2017 parliament")
    PetitionFactory(action="From the current parliament", open=True)
    current = parliament("2024-")
    response = admin_client.get(PETITION_LIST, {"parliament__id__exact": current.pk})
    assertContains(response, "From the current parliament")
    assertNotContains(response, "From the 2017 parliament")


@pytest.mark.parametrize(
    ("choice", "shown"),
    [
        ("with", {"Answered petition"}),
        ("awaiting", {"Awaited petition"}),
        ("none", {"Awaited petition", "Small petition"}),
    ],
)
def test_petition_list_filters_by_government_response(admin_client, choice, shown):
    GovernmentResponseFactory(petition__action="Answered petition")
    PetitionFactory(
        action="Awaited petition",
        signature_count=15_000,
        response_threshold_reached_at=dt.datetime(2018, 2, 1, tzinfo=dt.UTC),
    )
    PetitionFactory(action="Small petition", signature_count=40)
    response = admin_client.get(PETITION_LIST, {"response": choice})
    assertContains(response, "Government response")  # the filter's title
    for action in ["Answered petition", "Awaited petition", "Small petition"]:
        if action in shown:
            assertContains(response, action)
        else:
            assertNotContains(response, action)


@pytest.mark.parametrize("typed", ["{}", " #{} "])
def test_petition_list_searches_by_number(admin_client, typed):
    wanted = PetitionFactory(action="The one we want")
    PetitionFactory(action="Another one")
    response = admin_client.get(PETITION_LIST, {"q": typed.format(wanted.pk)})
    assertContains(response, "The one we want")
    assertNotContains(response, "Another one")


def test_a_number_that_is_no_petition_searches_the_texts(admin_client):
    PetitionFactory(action="Hold a referendum in 2019")
    PetitionFactory(action="Another one")
    response = admin_client.get(PETITION_LIST, {"q": "2019"})
    assertContains(response, "Hold a referendum in 2019")
    assertNotContains(response, "Another one")


@pytest.mark.parametrize("words", ["hedgehog", "HEDGEHOG crossings", "badger setts"])
def test_petition_list_searches_action_and_background(admin_client, words):
    PetitionFactory(action="Build hedgehog crossings", background="Under the roads.")
    PetitionFactory(action="Protect wildlife", background="Badger setts need protection.")
    PetitionFactory(action="Lower the voting age")
    response = admin_client.get(PETITION_LIST, {"q": words})
    assertNotContains(response, "Lower the voting age")
    assert response.context["cl"].result_count == 1


def test_petition_list_query_count_does_not_grow_with_petitions(admin_client):
    PetitionFactory.create_batch(3)
    with CaptureQueriesContext(connection) as few:
        assert admin_client.get(PETITION_LIST).status_code == 200
    PetitionFactory.create_batch(30)
    with CaptureQueriesContext(connection) as many:
        assert admin_client.get(PETITION_LIST).status_code == 200
    assert len(many) == len(few)


# The petition page


def test_petition_page_counts_breakdowns_instead_of_listing_them(admin_client, sample_petition):
    response = admin_client.get(petition_url(sample_petition))
    assertContains(response, "517 constituencies, 49 countries, 0 regions")
    assertNotContains(response, "Poplar and Limehouse")
    # The government response of 30 November 2018 is there to edit.
    assertContains(response, "Foreign and Commonwealth Office")


def test_petition_page_keeps_timestamps_and_number_read_only(admin_client, sample_petition):
    data = form_data(admin_client.get(petition_url(sample_petition)), "petition_form")
    for field in ["id", "created_at_0", "updated_at_0", "government_response_at_0"]:
        assert field not in data
    assert "opened_at_0" in data


def test_adding_a_response_through_the_petition_page(admin_client):
    petition = PetitionFactory(action="Plant more trees", signature_count=15_000)
    department = DepartmentFactory(name="Department for Environment, Food and Rural Affairs")
    data = form_data(admin_client.get(petition_url(petition)), "petition_form")
    data.update(
        {
            "government_response-0-responded_on": "2018-03-01",
            "government_response-0-summary": "The Government will plant more trees.",
            "government_response-0-details": "One.\r\n\r\nTwo.",
            "government_response-0-department": str(department.pk),
        }
    )
    response = admin_client.post(petition_url(petition), data)
    assert response.status_code == 302, response.context["errors"]

    petition.refresh_from_db()
    assert petition.government_response.summary == "The Government will plant more trees."
    assert petition.government_response.details == "One.\n\nTwo."
    assert timezone.localtime(petition.government_response_at) == timezone.make_aware(
        dt.datetime(2018, 3, 1, 12)
    )
    page = admin_client.get(petition_url(petition))
    assertContains(page, "The Government will plant more trees.")
    listed = admin_client.get(PETITION_LIST, {"response": "with"})
    assertContains(listed, "Plant more trees")


def test_adding_a_debate_outcome_through_the_petition_page(admin_client):
    petition = PetitionFactory(signature_count=150_000)
    data = form_data(admin_client.get(petition_url(petition)), "petition_form")
    data.update(
        {
            "debate_outcome-0-debated": "on",
            "debate_outcome-0-debated_on": "2018-06-04",
            "debate_outcome-0-overview": "MPs debated it.",
        }
    )
    response = admin_client.post(petition_url(petition), data)
    assert response.status_code == 302, response.context["errors"]
    petition.refresh_from_db()
    assert petition.debate_outcome.debated_on == dt.date(2018, 6, 4)
    assert timezone.localdate(petition.debate_outcome_at) == dt.date(2018, 6, 4)


def test_deleting_a_response_on_the_petition_page_clears_its_stamp(admin_client):
    answer = GovernmentResponseFactory()
    petition = answer.petition
    data = form_data(admin_client.get(petition_url(petition)), "petition_form")
    data["government_response-0-DELETE"] = "on"
    response = admin_client.post(petition_url(petition), data)
    assert response.status_code == 302, response.context["errors"]
    petition.refresh_from_db()
    assert petition.government_response_at is None
    assert not GovernmentResponse.objects.filter(petition=petition).exists()


def test_editing_a_petition_bumps_its_updated_time(admin_client):
    petition = PetitionFactory()
    before = timezone.now()
    data = form_data(admin_client.get(petition_url(petition)), "petition_form")
    data["action"] = "A clearer action"
    assert admin_client.post(petition_url(petition), data).status_code == 302
    petition.refresh_from_db()
    assert petition.action == "A clearer action"
    assert petition.updated_at >= before


# The responses admin


def test_adding_a_response_through_the_responses_admin(admin_client):
    petition = PetitionFactory(action="Save the village pub", signature_count=11_000)
    before = timezone.now()
    response = admin_client.post(
        RESPONSE_ADD,
        {
            "petition": petition.pk,
            "responded_on": "2018-05-02",
            "summary": "Pubs matter.",
            "details": "In full.",
        },
    )
    assert response.status_code == 302, response.context["errors"]
    petition.refresh_from_db()
    assert petition.government_response.summary == "Pubs matter."
    assert timezone.localdate(petition.government_response_at) == dt.date(2018, 5, 2)
    assert petition.updated_at >= before
    assert petition.government_response.updated_at >= before
    listed = admin_client.get(reverse("admin:responses_governmentresponse_changelist"))
    assertContains(listed, "Save the village pub")


def test_a_response_given_today_is_stamped_now(admin_client):
    petition = PetitionFactory(open=True, signature_count=11_000)
    before = timezone.now()
    admin_client.post(
        RESPONSE_ADD,
        {"petition": petition.pk, "responded_on": day(timezone.localdate()), "summary": "Yes."},
    )
    petition.refresh_from_db()
    assert before <= petition.government_response_at <= timezone.now()


def test_editing_a_response_on_the_same_day_keeps_the_recorded_moment(
    admin_client, sample_petition
):
    recorded = sample_petition.government_response_at
    answer = sample_petition.government_response
    before = timezone.now()
    data = form_data(admin_client.get(response_url(answer)), "governmentresponse_form")
    data["summary"] = "A corrected summary."
    assert admin_client.post(response_url(answer), data).status_code == 302
    sample_petition.refresh_from_db()
    answer.refresh_from_db()
    assert answer.summary == "A corrected summary."
    assert sample_petition.government_response_at == recorded
    assert answer.updated_at >= before
    assert sample_petition.updated_at >= before


def test_moving_a_response_to_another_day_moves_the_stamp(admin_client):
    answer = GovernmentResponseFactory(responded_on=dt.date(2018, 3, 1))
    data = form_data(admin_client.get(response_url(answer)), "governmentresponse_form")
    data["responded_on"] = "2018-04-09"
    assert admin_client.post(response_url(answer), data).status_code == 302
    answer.petition.refresh_from_db()
    assert timezone.localdate(answer.petition.government_response_at) == dt.date(2018, 4, 9)


def test_deleting_a_response_clears_the_stamp(admin_client):
    answer = GovernmentResponseFactory()
    response = admin_client.post(response_url(answer, "delete"), {"post": "yes"})
    assert response.status_code == 302
    petition = Petition.objects.get(pk=answer.petition_id)
    assert petition.government_response_at is None


def test_deleting_a_debate_outcome_clears_the_stamp(admin_client):
    outcome = DebateOutcomeFactory()
    petition = outcome.petition
    response = admin_client.post(outcome_url(outcome, "delete"), {"post": "yes"})
    assert response.status_code == 302
    petition.refresh_from_db()
    assert not DebateOutcome.objects.filter(petition=petition).exists()
    assert petition.debate_outcome_at is None


# Validation, through both ways in

TOO_LONG = {
    "summary": ("x" * 501, "The summary can be at most 500 characters (it has 501)."),
    "details": (
        "y" * 10_001,
        "The full response can be at most 10,000 characters (it has 10,001).",
    ),
}


def invalid_responses():
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return {
        "summary too long": ({"summary": "x" * 501}, TOO_LONG["summary"][1]),
        "details too long": ({"details": "y" * 10_001}, TOO_LONG["details"][1]),
        "before opening": (
            {"responded_on": "2018-01-14"},
            "The response date cannot be before the petition opened (15 January 2018).",
        ),
        "in the future": (
            {"responded_on": day(tomorrow)},
            "The response date cannot be in the future.",
        ),
    }


def post_response_through(route, client, petition, fields):
    valid = {"responded_on": "2018-03-01", "summary": "Fine.", "details": "Fine."}
    valid.update(fields)
    if route == "responses admin":
        return client.post(RESPONSE_ADD, {"petition": petition.pk, **valid})
    data = form_data(client.get(petition_url(petition)), "petition_form")
    data.update({f"government_response-0-{name}": value for name, value in valid.items()})
    return client.post(petition_url(petition), data)


@pytest.mark.parametrize("route", ["responses admin", "petition page"])
@pytest.mark.parametrize("case", list(invalid_responses()))
def test_invalid_response_shows_a_clear_message(admin_client, route, case):
    fields, message = invalid_responses()[case]
    petition = PetitionFactory(signature_count=20_000)
    response = post_response_through(route, admin_client, petition, fields)
    assert response.status_code == 200
    assertContains(response, message)
    assert not GovernmentResponse.objects.exists()
    petition.refresh_from_db()
    assert petition.government_response_at is None


def test_response_limits_are_inclusive(admin_client):
    petition = PetitionFactory(signature_count=20_000)
    response = post_response_through(
        "responses admin",
        admin_client,
        petition,
        {"summary": "x" * 500, "details": "y\r\n" * 5_000, "responded_on": "2018-01-15"},
    )
    assert response.status_code == 302, response.context["errors"]
    assert len(GovernmentResponse.objects.get().details) == 9_999


def test_a_second_response_to_a_petition_is_refused_clearly(admin_client):
    answer = GovernmentResponseFactory()
    response = post_response_through("responses admin", admin_client, answer.petition, {})
    assertContains(response, "This petition already has a government response.")


def test_a_debate_needs_its_date(admin_client):
    petition = PetitionFactory(signature_count=150_000)
    response = admin_client.post(OUTCOME_ADD, {"petition": petition.pk, "debated": "on"})
    assertContains(response, "Give the date of the debate.")
    assert not DebateOutcome.objects.exists()


# The response editors


def test_editor_can_read_a_petition_but_not_save_it(editor_client, sample_petition):
    response = editor_client.get(petition_url(sample_petition))
    assertContains(response, sample_petition.action)
    assertContains(response, "Foreign and Commonwealth Office")  # the response, read-only
    assertNotContains(response, 'name="_save"')
    assertNotContains(response, 'name="action"')
    assertContains(response, "Change government response")
    assertContains(response, "Add debate outcome")


def test_editor_cannot_change_a_petition(editor_client):
    petition = PetitionFactory(action="Keep this action")
    response = editor_client.post(
        petition_url(petition), {"action": "Something else", "state": PetitionState.OPEN}
    )
    assert response.status_code == 403
    petition.refresh_from_db()
    assert petition.action == "Keep this action"


def test_editor_cannot_delete_a_petition(editor_client):
    petition = PetitionFactory()
    assertNotContains(editor_client.get(petition_url(petition)), "deletelink")
    assert editor_client.get(petition_url(petition, "delete")).status_code == 403
    assert editor_client.post(petition_url(petition, "delete"), {"post": "yes"}).status_code == 403
    assert Petition.objects.filter(pk=petition.pk).exists()


def test_editor_cannot_add_a_response_through_the_read_only_petition_page(editor_client):
    # Django refuses any save of a view-only page, inlines included.
    petition = PetitionFactory(signature_count=20_000)
    data = form_data(editor_client.get(petition_url(petition)), "petition_form")
    assert "government_response-0-summary" not in data
    data.update(
        {
            "government_response-TOTAL_FORMS": "1",
            "government_response-0-responded_on": "2018-03-01",
            "government_response-0-summary": "Sneaked in.",
        }
    )
    assert editor_client.post(petition_url(petition), data).status_code == 403
    assert not GovernmentResponse.objects.exists()


def test_editor_adds_a_response_from_the_petition_page_link(editor_client):
    petition = PetitionFactory(action="Mend the potholes", signature_count=20_000)
    page = editor_client.get(petition_url(petition))
    add_url = f"{RESPONSE_ADD}?petition={petition.pk}"
    assertContains(page, f'href="{add_url}"')
    assertContains(page, "Add government response")
    assertNotContains(page, 'id="government_response-group"')  # no empty read-only inline

    form = editor_client.get(add_url)
    assertContains(form, f'<option value="{petition.pk}" selected>')
    data = form_data(form, "governmentresponse_form")
    assert data["petition"] == str(petition.pk)
    data.update({"responded_on": "2018-03-01", "summary": "The roads will be mended."})
    response = editor_client.post(add_url, data)
    assert response.status_code == 302, response.context["errors"]

    petition.refresh_from_db()
    assert timezone.localdate(petition.government_response_at) == dt.date(2018, 3, 1)
    page = editor_client.get(petition_url(petition))
    assertContains(page, 'id="government_response-group"')
    assertContains(page, "The roads will be mended.")
    assertContains(page, "Change government response")


def test_editor_finds_a_petition_by_number_for_a_response(editor_client):
    petition = PetitionFactory(action="Find me by number")
    response = editor_client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "responses",
            "model_name": "governmentresponse",
            "field_name": "petition",
            "term": str(petition.pk),
        },
    )
    assert response.status_code == 200
    assert [result["id"] for result in response.json()["results"]] == [str(petition.pk)]


def test_editor_changes_a_response(editor_client):
    answer = GovernmentResponseFactory()
    data = form_data(editor_client.get(response_url(answer)), "governmentresponse_form")
    data["summary"] = "Edited by an editor."
    assert editor_client.post(response_url(answer), data).status_code == 302
    answer.refresh_from_db()
    assert answer.summary == "Edited by an editor."


def test_editor_adds_a_debate_outcome(editor_client):
    petition = PetitionFactory(signature_count=120_000)
    response = editor_client.post(
        OUTCOME_ADD,
        {"petition": petition.pk, "debated": "on", "debated_on": "2018-06-04", "overview": "."},
    )
    assert response.status_code == 302, response.context["errors"]
    petition.refresh_from_db()
    assert timezone.localdate(petition.debate_outcome_at) == dt.date(2018, 6, 4)


def test_editor_cannot_delete_responses(editor_client):
    answer = GovernmentResponseFactory()
    assert editor_client.post(response_url(answer, "delete"), {"post": "yes"}).status_code == 403
    assert GovernmentResponse.objects.filter(pk=answer.pk).exists()
