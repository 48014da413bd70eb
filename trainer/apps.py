from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainerConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "trainer"
    verbose_name = _("Trainer mode")
    # Lines for `manage.py welcome`, which lives in hub and knows nothing of trainer mode.
    welcome_lines = "trainer.welcome.login_lines"
