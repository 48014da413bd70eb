from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.apps import DefaultConfig as OTPStaticConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as OTPTOTPConfig


class AccountsConfig(AppConfig):
    # The app's own config among the device apps' below ("accounts" in INSTALLED_APPS).
    default = True
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("Accounts")


# django-otp's device apps, named in the operator's language in the admin ("Otp_Totp" and
# "TOTP devices" otherwise). Only labels change: the names set in ready() are not the ones its
# migrations record (Meta options and field arguments stay django-otp's), so no migration
# follows from them.
_DEVICE_FIELDS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
}


def _label(model, singular, plural, fields):
    model._meta.verbose_name = singular
    model._meta.verbose_name_plural = plural
    for name, label in fields.items():
        model._meta.get_field(name).verbose_name = label


class AuthenticatorAppsConfig(OTPTOTPConfig):
    verbose_name = _("Authenticator apps")

    def ready(self):
        super().ready()
        device = self.get_model("TOTPDevice")
        _label(device, _("authenticator app"), _("authenticator apps"), _DEVICE_FIELDS)


class RecoveryCodesConfig(OTPStaticConfig):
    verbose_name = _("Recovery codes")

    def ready(self):
        super().ready()
        device, token = self.get_model("StaticDevice"), self.get_model("StaticToken")
        _label(device, _("recovery code list"), _("recovery code lists"), _DEVICE_FIELDS)
        _label(token, _("recovery code"), _("recovery codes"), {"token": _("code")})
