from django.contrib import admin

from hub.models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "language", "sent_at", "attempts")
    list_filter = ("language", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to", "subject")
    # Bodies are left out: until sent they carry one-time links meant for the recipient only.
    fields = readonly_fields = (
        "to",
        "subject",
        "language",
        "created_at",
        "sent_at",
        "attempts",
        "last_error",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
