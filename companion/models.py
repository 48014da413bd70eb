"""The HUB Authenticator's state: keys waiting to be paired, paired devices, the signatures
already seen and the sign-ins waiting for an approval."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.devices import SetupChoice
from hub.one_time import OneTimeLink


class CompanionEnrollment(OneTimeLink):
    """A HUB Authenticator key waiting to be paired: its phrase lives 10 minutes, once.

    `used_at` is when a signed-in user claimed the phrase (OneTimeLink's pending / used /
    expired); the pairing ends when the app confirms, which makes `device`."""

    key_id = models.CharField(max_length=64, unique=True)
    public_key = models.TextField()  # SubjectPublicKeyInfo, base64
    phrase_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A digest of the password the claim was made with: changing it ends the pairing too.
    claimed_with = models.CharField(max_length=64, blank=True)
    device = models.OneToOneField(
        "CompanionDevice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )

    def __str__(self):
        return self.key_id[:12]


class CompanionDevice(Device):
    """A paired HUB Authenticator: it approves sign-ins by signing with its device key.

    Besides django-otp's Device, it answers what accounts.devices asks of a device type."""

    key_id = models.CharField(max_length=64, unique=True)
    public_key = models.TextField()
    created_at = models.DateTimeField(_("paired"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    # The app's own code generator (its fallback), removed with the app.
    codes = models.OneToOneField(
        TOTPDevice,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="companion_device",
    )

    setup_choice = SetupChoice(
        label=_("Use the HUB Authenticator mobile app"),
        help_text=_(
            "Connect it with a two-word phrase. Then log in with the code it shows, or by "
            "approving in the app."
        ),
        url_name="companion:pair",
        test_id="method-companion",
        position=10,
    )
    kind_label = _("HUB Authenticator")

    class Meta:
        verbose_name = _("companion authenticator")
        verbose_name_plural = _("companion authenticators")

    def delete(self, *args, **kwargs):
        codes = self.codes
        result = super().delete(*args, **kwargs)
        if codes is not None:
            codes.delete()
        return result

    def sign_in_prompt_url(self) -> str:
        return reverse("companion:approve")

    def manage_url(self) -> str:
        return reverse("companion:manage", args=[self.pk])

    def owned_devices(self) -> list[Device]:
        return [self.codes] if self.codes is not None else []


class UsedSignature(models.Model):
    """Signatures of companion requests seen in the last minutes: each is accepted once."""

    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.digest[:12]


class ApprovalState(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    DENIED = "denied", _("Denied")
    MISMATCH = "mismatch", _("Wrong number")


class LoginApproval(models.Model):
    """One sign-in waiting for the companion: approved only with the number the portal shows."""

    device = models.ForeignKey(CompanionDevice, on_delete=models.CASCADE, related_name="approvals")
    number = models.PositiveSmallIntegerField()
    choices = models.JSONField()
    browser = models.CharField(max_length=200, blank=True)
    client_address = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    state = models.CharField(
        max_length=10, choices=ApprovalState.choices, default=ApprovalState.PENDING
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.device_id} {self.state}"

    @property
    def is_expired(self) -> bool:
        return self.state == ApprovalState.PENDING and self.expires_at <= timezone.now()
