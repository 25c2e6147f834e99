"""A response editor logs into the admin, enters a government response, and sees it published."""

import re

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import expect

from tests.browser.conftest import live_db
from tests.factories import DepartmentFactory, PetitionFactory

pytestmark = [pytest.mark.browser, live_db]

PASSWORD = "a long test password"
SUMMARY = "The Government will fund protected cycle lanes on the busiest main roads."
DETAILS = (
    "Cycling keeps towns moving.\n\n"
    "The Department will publish its plan at https://www.gov.uk/government/cycling-plan."
)


@pytest.fixture
def editor(transactional_db, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", "editor@example.org", PASSWORD, is_staff=True
    )
    user.groups.add(Group.objects.get(name="Response editors"))
    return user


@pytest.fixture
def petition(transactional_db):
    DepartmentFactory(name="Department for Transport", acronym="DfT")
    return PetitionFactory(
        action="Build protected cycle lanes on every main road", signature_count=12_000
    )


def test_editor_adds_a_response_that_appears_on_the_petition_page(
    editor, petition, page, screenshot
):
    page.goto("/admin/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    screenshot(page, "login")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Petitions, government responses and debates")
    ).to_be_visible()
    screenshot(page, "admin-home")

    page.locator("#petitions-petition").get_by_role("link", name="Petitions").click()
    page.locator("#searchbar").fill(str(petition.id))
    page.locator("#searchbar").press("Enter")
    page.get_by_role("link", name=petition.action).click()
    expect(page).to_have_url(re.compile(rf"/admin/petitions/petition/{petition.id}/change/"))
    # The editor may read the petition but not change it: the page offers no Save.
    expect(page.get_by_role("heading", name="View petition")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile(r"^Save"))).to_have_count(0)
    screenshot(page, "petition-view-only", full_page=True)

    page.get_by_role("link", name="Add government response").click()
    expect(page.get_by_role("heading", name="Add government response")).to_be_visible()
    expect(page.locator("#id_petition")).to_have_value(str(petition.id))
    expect(page.locator(".field-petition")).to_contain_text(petition.action)
    page.get_by_label("Response date").fill("01/08/2018")
    page.get_by_label("Summary").fill(SUMMARY)
    page.get_by_label("Full response").fill(DETAILS)
    page.locator(".field-department .select2-selection").click()
    page.locator(".select2-search__field").fill("Transport")
    page.get_by_role("option", name="Department for Transport").click()
    screenshot(page, "response-form", full_page=True)
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist .success")).to_contain_text("was added successfully")
    screenshot(page, "response-saved")

    page.goto(f"/petitions/{petition.id}/")
    answered = page.locator("#response-threshold")
    expect(answered.get_by_role("heading", name="Government responded")).to_be_visible()
    expect(answered).to_contain_text("This response was given on 1 August 2018")
    expect(answered.locator("blockquote")).to_have_text(SUMMARY)
    expect(answered).to_contain_text("Department for Transport")
    screenshot(page, "petition-answered", full_page=True)


def test_editor_cannot_change_a_petitions_action(editor, petition, page):
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("editor")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name="Petitions, government responses and debates")
    ).to_be_visible()

    change_url = f"/admin/petitions/petition/{petition.id}/change/"
    page.goto(change_url)
    expect(page.get_by_role("textbox", name="Action")).to_have_count(0)

    # A hand-made POST, with a valid CSRF token, is refused.
    csrf_token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    refused = page.request.post(
        change_url,
        form={"csrfmiddlewaretoken": csrf_token, "action": "Changed by an editor"},
        headers={"Referer": page.url},
    )
    assert refused.status == 403
    assert "CSRF verification failed" not in refused.text()

    page.goto(f"/petitions/{petition.id}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text(petition.action)
