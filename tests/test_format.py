"""The exchange format is described once (`exchange.format`), and everything else follows.

Adding a field to a government response or a debate outcome takes the model, its form and
one line of the format; the page shows it. A field that one of those places forgets fails
here rather than passing silently (it would land in `extra` and still round-trip).
"""

import datetime as dt
import json

import pytest
from django.urls import reverse

from exchange.format import ATTRIBUTES, BLOCKS, DEBATE, RESPONSE, Type
from exchange.parse import parse_document
from exchange.write import save_record
from petitions.models import Petition
from responses.forms import DebateOutcomeForm, GovernmentResponseForm
from tests.factories import DebateOutcomeFactory, GovernmentResponseFactory

FORMS = {RESPONSE.name: GovernmentResponseForm, DEBATE.name: DebateOutcomeForm}
FACTORIES = {RESPONSE.name: GovernmentResponseFactory, DEBATE.name: DebateOutcomeFactory}
# Where a reader meets each block.
PAGES = {RESPONSE.name: "responses:detail", DEBATE.name: "petitions:detail"}
NOT_COLUMNS = {Type.BLOCK, Type.DEPARTMENTS, Type.TOPICS, Type.BREAKDOWN}
OWN_MODELS = [block for block in BLOCKS.values() if block.model is not Petition]


def editable_fields(model) -> set[str]:
    return {
        f.name
        for f in model._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != "petition"
    }


@pytest.mark.parametrize("block", OWN_MODELS, ids=lambda block: block.name)
def test_every_field_of_the_model_is_in_the_format(block):
    carried = {f.attname for f in block.modelled} | set(block.archive_only)
    assert editable_fields(block.model) == carried


@pytest.mark.parametrize("block", OWN_MODELS, ids=lambda block: block.name)
def test_the_admin_form_enters_every_field_but_the_archive_s_own_stamps(block):
    entered = {f.attname for f in block.modelled if f.type is not Type.TIMESTAMP}
    assert entered <= set(FORMS[block.name]._meta.fields)


def test_every_modelled_attribute_has_its_column():
    columns = {f.attname for f in Petition._meta.concrete_fields}
    simple = [a for a in ATTRIBUTES if a.modelled and a.type not in NOT_COLUMNS]
    assert [a.name for a in simple if a.attname not in columns] == []
    for block in BLOCKS.values():
        assert all(hasattr(block.model, f.attname) for f in block.modelled), block.name


def shown_as(value) -> str:
    """How a page writes a value: a day as 7 March 2019, a text or an address as it is."""
    if isinstance(value, dt.date):
        return f"{value.day} {value:%B %Y}"
    return value


@pytest.mark.django_db
@pytest.mark.parametrize("block", OWN_MODELS, ids=lambda block: block.name)
def test_the_page_shows_every_field_a_staff_member_enters(block, client):
    values = {}
    for field in block.modelled:
        if field.type in (Type.TEXT, Type.URL):
            if field.type is Type.URL:
                values[field.attname] = f"https://example.org/{field.name}-marker"
            else:
                values[field.attname] = f"Marker of the {field.name} field."
        elif field.type is Type.DATE:
            values[field.attname] = dt.date(2019, 3, 7)
    child = FACTORIES[block.name](**values)

    page = client.get(reverse(PAGES[block.name], args=[child.petition_id]))

    text = page.content.decode()
    missing = [name for name, value in values.items() if shown_as(value) not in text]
    assert missing == []


@pytest.mark.django_db
def test_a_response_field_comes_back_in_the_document(client, data_dir):
    """What the format names goes in and out without `extra`: the response's summary."""
    document = json.loads((data_dir / "petitions" / "319891.json").read_text())
    document["data"]["attributes"]["government_response"]["summary"] = "A new summary."
    (record,) = parse_document(document)
    petition = save_record(record)

    assert petition.government_response.summary == "A new summary."
    assert "government_response" not in petition.extra.get("_more", {})
    served = client.get(reverse("petitions:json", args=[petition.id])).json()
    assert served["data"]["attributes"]["government_response"]["summary"] == "A new summary."
