"""Template filters that word numbers, dates and texts the way the public site does."""

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.template.defaultfilters import linebreaks_filter, urlize
from django.utils.html import escape
from django.utils.safestring import mark_safe

from petitions.links import is_web_address
from petitions.search import MARK_END, MARK_START, mark_words, query_words

register = template.Library()


@register.filter
def signatures(count) -> str:
    """`11,406 signatures`, `1 signature`."""
    count = count or 0
    return f"{intcomma(count)} signature{'' if count == 1 else 's'}"


@register.filter(needs_autoescape=True)
def paragraphs(text, autoescape=True) -> str:
    """Plain text as paragraphs, with its web addresses as links (rel="nofollow")."""
    if not text:
        return ""
    linked = urlize(text, autoescape=autoescape)
    return mark_safe(linebreaks_filter(linked, autoescape=False))


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
        return paragraphs(text, autoescape)
    html = paragraphs(mark_words(text, words), autoescape)
    return mark_safe(html.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))
