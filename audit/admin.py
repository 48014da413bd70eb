import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only for everyone, superusers included: the trail is evidence, not data to edit."""

    list_display = (
        "created_at",
        "action",
        "actor_email",
        "subject_type",
        "subject_label",
        "client_ip",
        "details_text",
    )
    list_filter = ("action", "created_at", ("subject_type", admin.RelatedOnlyFieldListFilter))
    date_hierarchy = "created_at"
    list_select_related = ("actor", "subject_type")
    search_fields = ("actor_email", "subject_label")
    fields = (
        "created_at",
        "action",
        "actor",
        "actor_email",
        "client_ip",
        "user_agent",
        "subject_type",
        "subject_id",
        "subject_label",
        "details_text",
    )
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("details"))
    def details_text(self, event):
        # Shown as escaped text, like every other value the admin displays.
        return (
            json.dumps(event.details, ensure_ascii=False, sort_keys=True) if event.details else ""
        )
