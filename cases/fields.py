"""Reading untrusted input for the case pages: ids, case numbers, text, and the fields that
take an id only the way the form's own narrowing reads it."""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from cases.models import INSTANCE_ID_PATTERN

# Bidirectional overrides can make a subject read differently from what it is.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# At most this many ids are read from one multiple-choice field of a raw request.
RAW_IDS_MAX = 200

instance_id_validator = RegexValidator(
    INSTANCE_ID_PATTERN,
    _("Use the ID as shown under Help → About: letters, digits and hyphens."),
)


def as_id(value) -> int | None:
    """A database id from untrusted input, or None: ASCII digits only, and not absurdly long."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def as_case_number(value) -> str | None:
    """A case number from untrusted input (eight ASCII digits), or None."""
    text = str(value or "")
    return text if re.fullmatch(r"[0-9]{8}", text) else None


def raw_value(data: Mapping[str, Any], name: str):
    """One submitted value before validation (the last one if it was sent several times)."""
    value = data.get(name) if hasattr(data, "get") else None
    if isinstance(value, list):
        value = value[-1] if value else None
    return value


def raw_ids(data: Mapping[str, Any], name: str) -> list[int]:
    """The ids of a multiple-choice field before validation, as `as_id` reads them."""
    values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
    if not isinstance(values, list | tuple):
        values = [values]
    return [i for i in (as_id(v) for v in values) if i is not None][:RAW_IDS_MAX]


def has_control_characters(text: str) -> bool:
    """Control characters or lone surrogates (NUL, say): such a term searches for nothing."""
    return any(unicodedata.category(ch) in ("Cc", "Cs") for ch in text)


def check_text(value: str, *, multiline: bool) -> str:
    """The text itself, or a ValidationError for control characters and bidi overrides."""
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for ch in value:
        if ch in BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in allowed):
            raise forms.ValidationError(
                _("Remove the control characters from this text."), code="control"
            )
    return value


class IdChoiceField(forms.ModelChoiceField):
    """Takes an id only as `as_id` reads it, the way the form narrows its lists: Django alone
    would also take " 5" or full-width and Arabic-Indic digits, so that the list narrowed for
    one choice and the validated choice could differ (and the form refuse on a field it hid)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if as_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class CatalogChoiceField(IdChoiceField):
    """Labels in the user's language (the entry's `name`)."""

    def label_from_instance(self, obj):
        return obj.name


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids the database could not even compare (Django lets overflows through)."""

    def clean(self, value):
        if value and any(as_id(item) is None for item in value):
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": next(item for item in value if as_id(item) is None)},
            )
        return super().clean(value)
