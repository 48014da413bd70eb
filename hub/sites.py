from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, logout
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp.admin import OTPAdminSite


class HubAdminSite(OTPAdminSite):
    """The operators' console: staff users who passed the second factor, nobody else."""

    site_header = settings.PORTAL_NAME
    site_title = _("Operator console")
    index_title = _("Operator console")

    def login(self, request, extra_context=None):
        # One sign-in page for everyone, with the portal's two-factor flow and throttling.
        if request.user.is_authenticated:
            if not request.user.is_staff:
                raise PermissionDenied
            if self.has_permission(request):
                # Already signed in with the second factor: a link here never signs one out.
                return redirect("admin:index")
            logout(request)  # an operator session without the second factor: start again
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
        return redirect_to_login(next_url, settings.LOGIN_URL)
