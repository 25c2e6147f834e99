"""The archive's one rule for links: only web addresses (http and https) become links.

An imported document, an editor or an old row may hold any text where an address belongs
(`javascript:`, `data:`, `vbscript:`, in any case, with spaces or entities): the importer
and the admin refuse it (`validate_web_address`), and the templates link only what passes
`is_web_address`, so a stored value can never become a script.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

WEB_SCHEMES = ["http", "https"]
MESSAGE = "Enter a web address that starts with http:// or https://."

validate_web_address = URLValidator(schemes=WEB_SCHEMES, message=MESSAGE, code="not_web_address")


def is_web_address(value) -> bool:
    """True for a whole http or https address, and nothing else."""
    if not isinstance(value, str) or not value:
        return False
    try:
        validate_web_address(value)
    except ValidationError:
        return False
    return True
