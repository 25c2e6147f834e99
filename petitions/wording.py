"""How the public petitions site words things, kept in one place."""

REJECTION_REASONS = {
    "duplicate": "Duplicate petition",
    "irrelevant": "Not the Government/Parliament's responsibility",
    "no-action": "Action unclear",
    "honours": "Honours or appointments",
    "fake-name": "Fake name",
    "foi": "FOI request",
    "libellous": "Confidential, libellous, false, defamatory or references a court case",
    "offensive": "Offensive or a joke",
    "advert": "Advert",
    "removed": "We've removed this petition from the site",
    # Codes found in older data.
    "already-happening": "Already happening",
    "no-reply": "No reply",
    "individual": "About an individual",
    "personal": "Personal information",
    "fraudulent": "Fraudulent",
    "operational": "Operational",
    "local": "Local issue",
    "joke": "Offensive or a joke",
}


def rejection_title(code: str) -> str:
    """The title of a rejection reason; an unknown code reads as words, never an error."""
    if not code:
        return ""
    return REJECTION_REASONS.get(code) or code.replace("-", " ").replace("_", " ").capitalize()
