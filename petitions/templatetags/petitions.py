"""Template filters that word numbers, dates and texts the way the public site does."""

import html
import re

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import linebreaks_filter
from django.urls import get_script_prefix
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from constituencies import maps
from petitions.links import is_web_address
from petitions.search import MARK_END, MARK_START, mark_words, query_words

register = template.Library()


@register.filter
def signatures(count) -> str:
    """`11,406 signatures`, `1 signature`."""
    count = count or 0
    return f"{intcomma(count)} signature{'' if count == 1 else 's'}"


# A web address in running text; what ends a sentence around it is not part of it.
WEB_ADDRESS = re.compile(r"\b(?:https?://|www\.)[^\s<>\"]+", re.IGNORECASE)
SENTENCE_END = ".,;:!?'\"*"


def linked(text: str) -> str:
    """Text, escaped, with its web addresses as links to exactly the address written
    (`%3f` stays `%3f`): http and https only, never another scheme."""
    parts, at = [], 0
    for match in WEB_ADDRESS.finditer(text):
        address = match.group()
        while address and (
            address[-1] in SENTENCE_END
            or (address[-1] == ")" and address.count(")") > address.count("("))
        ):
            address = address[:-1]
        href = address if "://" in address else f"http://{address}"
        parts.append(escape(text[at : match.start()]))
        parts.append(format_html('<a href="{}" rel="nofollow">{}</a>', href, address))
        at = match.start() + len(address)
    parts.append(escape(text[at:]))
    return "".join(parts)


@register.filter
def paragraphs(text) -> str:
    """Plain text as paragraphs, with its web addresses as links (rel="nofollow")."""
    if not text:
        return ""
    return mark_safe(linebreaks_filter(linked(text), autoescape=False))


@register.filter
def web_address(value) -> str:
    """The address if it is a web address (http or https), else "": use it for every href
    that comes from data, so that no stored value can become a script link."""
    return value if is_web_address(value) else ""


@register.filter
def percent_of(part, whole) -> str:
    if not whole:
        return "0%"
    share = 100 * (part or 0) / whole
    return f"{share:.1f}%" if share >= 0.1 or not part else "<0.1%"


@register.simple_tag
def constituency_rows(rows, top_codes: set[str], total: int) -> str:
    """The rows of a map page's table of constituencies (650 for a petition signed across
    the UK), made in one go: as a template's loop, they took half the time of a map page
    rendered afresh. Each names its constituency, linked to its page, and its MP (or a
    vacant seat); the top ten are marked. Escaped as Django escapes (`html.escape`)."""
    made, prefix = [], get_script_prefix()
    for row in rows:
        code = html.escape(row.ons_code)
        top = row.ons_code in top_codes
        made.append(
            f'<tr id="constituency-{code}"{TOP_ROW if top else ""}><th scope="row">'
            f'<a href="{html.escape(maps.constituency_url(row.ons_code, prefix))}">'
            f"{html.escape(row.name)}</a>"
            f"{TOP_BADGE if top else ''}</th>"
            f"<td>{html.escape(row.mp) if row.mp else 'Vacant seat'}</td>"
            f'<td class="num">{row.signature_count:,}</td>'
            f'<td class="num">{html.escape(percent_of(row.signature_count, total))}</td></tr>'
        )
    return mark_safe("\n".join(made))


TOP_ROW = ' class="top-ten"'
TOP_BADGE = ' <span class="badge">Top ten</span>'


@register.simple_tag(takes_context=True)
def query_with(context, **changes) -> str:
    """The current query string with some parameters changed (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.filter
def highlighted(snippet) -> str:
    """A search snippet, escaped, with its matched words in <mark>."""
    if not snippet:
        return ""
    html = escape(snippet).replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
    return mark_safe(html)


@register.filter(needs_autoescape=True)
def paragraphs_marking(text, query, autoescape=True) -> str:
    """`paragraphs`, with the words of a search `query` in <mark>."""
    words = query_words(query or "")
    if not text or not words:
        return paragraphs(text)
    html = paragraphs(mark_words(text, words))
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
