from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from audit.actions import Action


class AuditEvent(models.Model):
    """One security event or case change: who, when, from where, on what. Written once.

    Nothing here cascades: when the actor or the subject is deleted the row stays, keeping the
    actor's email and the subject's label as text (the links become empty)."""

    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    action = models.CharField(_("action"), max_length=40, choices=Action.choices, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    actor_email = models.CharField(_("user email"), max_length=254, blank=True, db_index=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    subject_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("object type"),
    )
    subject_id = models.PositiveBigIntegerField(_("object id"), null=True, blank=True)
    subject_label = models.CharField(_("object"), max_length=200, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict, blank=True, encoder=DjangoJSONEncoder)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx")]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.get_action_display()}"

    def save(self, *args, **kwargs):
        # An audit trail is append-only: a row is written once and never edited.
        if self.pk is not None and not self._state.adding:
            raise ValueError("Audit events cannot be changed.")
        super().save(*args, **kwargs)
