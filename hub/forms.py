"""What every form of the portal shares: a required field left empty says so in one wording,
the guide's 「このフィールドを入力してください。」 / "Complete this field.", on any form.

A field that says something more useful than that keeps its own message (a checkbox to
accept, a file to choose); only Django's generic "This field is required." is replaced. The
mark that goes with a required field is crispy's asterisk, explained on every page that shows
one by `includes/required_legend.html`.
"""

from django import forms
from django.forms.boundfield import BoundField
from django.utils.translation import gettext_lazy as _

REQUIRED_MESSAGE = _("Complete this field.")
DJANGO_REQUIRED_MESSAGE = forms.Field.default_error_messages["required"]


class MarkedBoundField(BoundField):
    """A required field says so to assistive technology as its mark says so to the eye: by
    `required`, or by `aria-required` where HTML does not allow `required` (a list whose first
    choice is not empty, such as the priority with its default)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        shown = not self.field.disabled and not widget.is_hidden
        if self.field.required and shown and not attrs.get("required"):
            attrs["aria-required"] = "true"
        return attrs


class OneRequiredMessage:
    """Mixed into a form: every field without a required message of its own uses ours, and
    tells assistive technology it is required (MarkedBoundField)."""

    fields: dict[str, forms.Field]
    bound_field_class: type[BoundField] | None = MarkedBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if field.error_messages.get("required") is DJANGO_REQUIRED_MESSAGE:
                field.error_messages["required"] = REQUIRED_MESSAGE

    @property
    def shows_required_mark(self) -> bool:
        """Whether a field the page shows carries the mark, so the page explains it."""
        return any(
            field.required and not field.disabled and not field.widget.is_hidden
            for field in self.fields.values()
        )


class Form(OneRequiredMessage, forms.Form):
    pass


class ModelForm(OneRequiredMessage, forms.ModelForm):
    pass
