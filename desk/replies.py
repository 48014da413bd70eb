"""Saved replies as an operator inserts them: the text in the language of the case's creator,
with the placeholders filled."""

import re
from collections.abc import Iterable
from pathlib import Path

from django.core.management import call_command

from accounts.models import User
from cases.models import Case
from desk.models import SavedReply

# The only names a saved text may use. Filled by plain replacement, never str.format or the
# template engine: an operator's text cannot reach attributes ({case.__class__}) or tags, and
# any other brace is left as written. One pass: a customer called "{case_number}" stays so.
PLACEHOLDERS = ("customer_name", "case_number", "operator_name")
PLACEHOLDER = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")


def fill(text: str, values: dict[str, str]) -> str:
    return PLACEHOLDER.sub(lambda found: values[found.group(1)], text)


def render(reply: SavedReply, *, case: Case, operator: User) -> str:
    """The saved reply's text for this case: Japanese or English as the case's creator reads
    the portal (the other language when that one is empty), placeholders filled."""
    japanese = (case.created_by.language or "").startswith("ja")
    body = (reply.body_ja or reply.body_en) if japanese else (reply.body_en or reply.body_ja)
    return fill(
        body,
        {
            "customer_name": case.created_by.full_name,
            "case_number": case.number or "",
            "operator_name": operator.full_name,
        },
    )


def active() -> Iterable[SavedReply]:
    return SavedReply.objects.filter(active=True)


EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "saved_replies.yaml"


def load_examples() -> None:
    """The demo's example saved replies, when the desk has none yet: operators' own texts (or
    their edits of these) are never overwritten."""
    if not SavedReply.objects.exists():
        call_command("loaddata", str(EXAMPLES), verbosity=0)
