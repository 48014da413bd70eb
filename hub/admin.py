from django.conf import settings
from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite

from hub.models import OutboundEmail


class HubAdminSite(OTPAdminSite):
    """The operators' console: staff users who passed the second factor, nobody else."""

    site_header = settings.PORTAL_NAME
    site_title = _("Operator console")
    index_title = _("Operator console")

    def login(self, request, extra_context=None):
        # One sign-in page for everyone, with the portal's two-factor flow and throttling.
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or request.get_full_path()
        return redirect_to_login(next_url, settings.LOGIN_URL)


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ("created_at", "to", "subject", "language", "sent_at", "attempts")
    list_filter = ("language", ("sent_at", admin.EmptyFieldListFilter))
    search_fields = ("to", "subject")
    readonly_fields = [f.name for f in OutboundEmail._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
