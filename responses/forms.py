"""The forms staff fill in to enter a government response or a debate outcome."""

from django import forms
from django.core.exceptions import ValidationError

from responses.models import (
    DETAILS_MAX_LENGTH,
    SUMMARY_MAX_LENGTH,
    DebateOutcome,
    GovernmentResponse,
)

SUMMARY_TOO_LONG = (
    f"The summary can be at most {SUMMARY_MAX_LENGTH:,} characters (it has %(show_value)d)."
)
DETAILS_TOO_LONG = "The full response can be at most {limit:,} characters (it has {length:,})."


class GovernmentResponseForm(forms.ModelForm):
    class Meta:
        model = GovernmentResponse
        fields = ["petition", "responded_on", "summary", "details", "department"]
        labels = {"responded_on": "Response date", "details": "Full response"}
        help_texts = {
            "responded_on": "The day the government responded: not before the petition opened, "
            "not in the future.",
            "summary": "Shown as a quote on the petition page. "
            f"At most {SUMMARY_MAX_LENGTH:,} characters.",
            "details": "The whole response. Leave a blank line between paragraphs; web addresses "
            f"become links. At most {DETAILS_MAX_LENGTH:,} characters.",
        }
        error_messages = {
            "petition": {"unique": "This petition already has a government response."},
            "summary": {"max_length": SUMMARY_TOO_LONG},
        }

    def clean_details(self):
        # Browsers send line breaks as CR LF; count (and keep) each as one character.
        details = self.cleaned_data["details"].replace("\r\n", "\n")
        if len(details) > DETAILS_MAX_LENGTH:
            raise ValidationError(
                DETAILS_TOO_LONG.format(limit=DETAILS_MAX_LENGTH, length=len(details)),
                code="max_length",
            )
        return details


class DebateOutcomeForm(forms.ModelForm):
    class Meta:
        model = DebateOutcome
        fields = [
            "petition",
            "debated",
            "debated_on",
            "overview",
            "transcript_url",
            "video_url",
            "debate_pack_url",
        ]
        labels = {
            "debated_on": "Debate date",
            "transcript_url": "Transcript",
            "video_url": "Video",
            "debate_pack_url": "Debate pack",
        }
        help_texts = {
            "overview": "What Parliament discussed or decided, in a few sentences.",
        }
        error_messages = {
            "petition": {"unique": "This petition already has a debate outcome."},
        }
