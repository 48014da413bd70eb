from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import throttle
from companion import services
from companion.models import CompanionEnrollment
from hub import forms as hub_forms
from hub.forms import REQUIRED_MESSAGE


class PairingForm(hub_forms.Form):
    """The two words the app shows. Verifies only (throttled like passwords, 5 wrong phrases
    per account): the view claims the phrase through services.pairing_claim."""

    phrase = forms.CharField(
        label=_("Two-word phrase"),
        max_length=60,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autofocus": True}),
    )

    def __init__(self, request, user, *args, **kwargs):
        self.request, self.user = request, user
        self.enrollment: CompanionEnrollment | None = None
        super().__init__(*args, **kwargs)

    def clean_phrase(self):
        phrase = self.cleaned_data["phrase"]
        self.enrollment = throttle.guarded(
            "phrase",
            str(self.user.pk),
            self.request,
            lambda: services.pairing_lookup(user=self.user, phrase=phrase),
        )
        if self.enrollment is None:
            raise invalid_phrase()
        return phrase


def invalid_phrase() -> ValidationError:
    return ValidationError(
        _(
            "This phrase is not valid. Check the two words in the app; a phrase works once "
            "and for 10 minutes."
        ),
        code="invalid",
    )


class CompanionManageForm(hub_forms.Form):
    """Rename or remove; the password again is the view's policy (accounts.sudo)."""

    action = forms.ChoiceField(
        label=_("Action"),
        choices=[("rename", _("Rename")), ("remove", _("Remove"))],
        widget=forms.RadioSelect,
    )
    name = forms.CharField(label=_("Name"), max_length=64, required=False)

    def clean(self):
        cleaned = super().clean() or {}
        if cleaned.get("action") == "rename" and not (cleaned.get("name") or "").strip():
            self.add_error("name", forms.ValidationError(REQUIRED_MESSAGE, code="required"))
        return cleaned
