"""Form widgets that render without the template engine.

The filter forms have up to eight selects. Through Django's widget templates (a
template include for each option and for each option's attributes) they cost about 4 ms of
every list and search page that is rendered; written out in Python, as those templates
write them, they cost a tenth of that. The HTML is the same, character for character (a
test compares them). Their model choices are read with one plain query each, or kept for
the archive's version (petitions.filters.ChoicesKeptForVersion).
"""

from django import forms
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe


def attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: `True` alone, `False` left out."""
    return "".join(
        f" {escape(name)}" if value is True else f' {escape(name)}="{escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class QuickSelect(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [f'<select name="{escape(widget["name"])}"{attributes(widget["attrs"])}>']
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(format_html('\n  <optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    f'\n  <option value="{escape(option["value"])}"'
                    f"{attributes(option['attrs'])}>{escape(option['label'])}</option>\n"
                )
            if group_name:
                parts.append("\n  </optgroup>")
        parts.append("\n</select>")
        return mark_safe("".join(parts))


class ListedChoices(forms.models.ModelChoiceIterator):
    """A model's choices (parliaments, departments: a few dozen rows) read with one plain
    query. Django's own reads them through a server-side cursor, which on PostgreSQL is
    three round trips (declare, fetch, close) for every select rendered. Or, where the field
    has `listed`, a function that gives them as (value, label) pairs (`choice_pairs`, kept
    for the archive's version), read from it."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        listed = getattr(self.field, "listed", None)
        if listed is not None:
            yield from listed()
            return
        for obj in self.queryset:
            yield self.choice(obj)


def choice_pairs(field: forms.ModelChoiceField) -> list[tuple]:
    """A model choice field's choices as plain (value, label) pairs, to be kept."""
    return [(field.prepare_value(obj), field.label_from_instance(obj)) for obj in field.queryset]


class QuickSelectForm(forms.Form):
    """A form whose selects QuickSelect writes, and whose model choices are read in one
    query each: the filter sets' `Meta.form`."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = ListedChoices
                field.widget.choices = field.choices
            if type(field.widget) is forms.Select:
                field.widget = QuickSelect(attrs=field.widget.attrs, choices=field.widget.choices)
