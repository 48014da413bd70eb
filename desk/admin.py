"""The desk's settings in the operator console."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from desk.models import SavedReply

PLACEHOLDER_HELP = _(
    "Placeholders: {customer_name} (who filed the case), {case_number}, {operator_name} (who "
    "inserts the reply). Other text in braces stays as written."
)


class SavedReplyForm(forms.ModelForm):
    class Meta:
        model = SavedReply
        fields = ("title_ja", "title_en", "body_ja", "body_en", "sets_status", "position", "active")
        help_texts = {"body_ja": PLACEHOLDER_HELP, "body_en": PLACEHOLDER_HELP}


@admin.register(SavedReply)
class SavedReplyAdmin(admin.ModelAdmin):
    form = SavedReplyForm
    list_display = ("title_ja", "title_en", "sets_status", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("active", "sets_status")
    search_fields = ("title_ja", "title_en", "body_ja", "body_en")


# The support calendar and its holidays: a module of their own.
from desk import admin_calendar  # noqa: E402, F401
