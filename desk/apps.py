from django.apps import AppConfig
from django.db.models import signals
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The operators' desk: the support calendar and response clocks, saved replies, saved
    queue views, who is on a case, and the report of how the desk is doing."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "desk"
    verbose_name = _("Support desk")

    def ready(self):
        # Saving the calendar or a holiday makes every process read it anew (desk/calendars.py).
        # And the running clocks' due times follow (desk.services.calendar_changed).
        from desk import calendars, services
        from desk.models import Holiday, SupportCalendar

        for model in (SupportCalendar, Holiday):
            for signal in (signals.post_save, signals.post_delete):
                signal.connect(calendars.forget, sender=model, dispatch_uid="desk.calendar")
                signal.connect(services.calendar_changed, sender=model, dispatch_uid="desk.due")
