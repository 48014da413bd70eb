from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CompanionConfig(AppConfig):
    """The HUB Authenticator: a django-otp device type of its own, like otp_totp or otp_static."""

    name = "companion"
    verbose_name = _("HUB Authenticator")
