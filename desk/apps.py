from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The operators' desk: the support calendar and response clocks, saved replies, saved
    queue views, who is on a case, and the report of how the desk is doing."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = _("Support desk")
