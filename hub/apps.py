from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class HubConfig(AppConfig):
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "hub"
    verbose_name = _("Portal")

    def ready(self):
        from hub import checks  # noqa: F401 - registers the system checks


class HubAdminConfig(admin_apps.AdminConfig):
    default = False
    default_site = "hub.sites.HubAdminSite"

    def ready(self):
        super().ready()
        from hub import admin_icons

        admin_icons.install()
