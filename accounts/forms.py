from typing import TYPE_CHECKING

from django import forms
from django.conf import settings
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

import audit
from accounts import services, throttle, time_zones
from accounts.models import Invitation, User
from hub import forms as hub_forms

PASSWORD_MAX_LENGTH = 4096
CODE_MAX_LENGTH = 32


def password_field(label, autocomplete="new-password"):
    return forms.CharField(
        label=label,
        strip=False,
        max_length=PASSWORD_MAX_LENGTH,
        widget=forms.PasswordInput(attrs={"autocomplete": autocomplete}),
    )


class LoginForm(hub_forms.Form):
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = password_field(_("Password"), autocomplete="current-password")

    def __init__(self, request, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email, password = self.cleaned_data.get("email"), self.cleaned_data.get("password")
        if not email or not password:
            return self.cleaned_data
        self.user = throttle.guarded(
            "password",
            email,
            self.request,
            lambda: authenticate(self.request, email=email, password=password),
        )
        if self.user is None:
            person = throttle.attempted_by("password", email)
            audit.record(
                action=audit.Action.SIGN_IN_FAILED,
                actor=person,
                actor_email=email,
                subject=person,
                step="password",
            )
            raise ValidationError(
                _("Enter a correct email address and password."), code="invalid_login"
            )
        return self.cleaned_data


class CodeField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Verification code"))
        kwargs.setdefault("max_length", CODE_MAX_LENGTH)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if len(value) > CODE_MAX_LENGTH:
            return value  # too long: the length check refuses it before any normalising
        return services.normalize_code(value)


class SecondFactorForm(hub_forms.Form):
    """The 6-digit code of the authenticator app, or one of the recovery codes."""

    code = CodeField(
        help_text=_("The 6-digit code from your authenticator app, or a recovery code.")
    )

    def __init__(self, request, user, *args, **kwargs):
        self.request, self.user, self.device = request, user, None
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not (services.is_totp_code(code) or services.is_recovery_code(code)):
            raise ValidationError(
                _("Enter the 6 digits shown in your app, or an 8-character recovery code."),
                code="format",
            )
        self.device = throttle.guarded(
            "code",
            str(self.user.pk),
            self.request,
            lambda: services.second_factor_verify(user=self.user, code=code),
        )
        if self.device is None:
            audit.record(
                action=audit.Action.SIGN_IN_FAILED,
                actor=self.user,
                subject=self.user,
                step="second_factor",
            )
            raise ValidationError(
                _("This code is not valid. Codes change every 30 seconds and work once."),
                code="invalid",
            )
        return code


class AuthenticatorSetupForm(hub_forms.Form):
    """The current code of the app being set up: checked here, confirmed by the view through
    services.authenticator_confirm."""

    code = CodeField(help_text=_("Enter the 6-digit code your app shows now."))

    def __init__(self, request, user, device, *args, **kwargs):
        self.request, self.user, self.device = request, user, device
        super().__init__(*args, **kwargs)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if not services.is_totp_code(code):
            raise ValidationError(_("Enter the 6 digits shown in your app."), code="format")
        accepted = throttle.guarded(
            "code",
            str(self.user.pk),
            self.request,
            lambda: services.authenticator_verify(user=self.user, device=self.device, code=code),
        )
        if not accepted:
            raise ValidationError(
                _("This code is not valid. Check that your phone's clock is right and try again."),
                code="invalid",
            )
        return code


if TYPE_CHECKING:
    # What the mixin is mixed into, so that its use of the form's API type-checks.
    _FormBase = forms.Form
else:
    _FormBase = object


class NewPasswordMixin(_FormBase):
    """Two password fields checked against each other and every password validator."""

    def check_new_password(self, user):
        password1 = self.cleaned_data.get("password1")
        password2 = self.cleaned_data.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("The two passwords do not match."))
        elif password1:
            try:
                password_validation.validate_password(password1, user)
            except ValidationError as error:
                self.add_error("password1", error)


class RegistrationForm(NewPasswordMixin, hub_forms.Form):
    full_name = forms.CharField(label=_("Name"), disabled=True, required=False)
    email = forms.EmailField(label=_("Email"), disabled=True, required=False)
    password1 = password_field(_("Password"))
    password2 = password_field(_("Password confirmation"))
    accept_terms = forms.BooleanField(
        label=_("I accept the terms of use"),
        error_messages={"required": _("Accept the terms of use to continue.")},
    )

    def __init__(self, invitation: Invitation, *args, **kwargs):
        self.invitation = invitation
        kwargs["initial"] = {"full_name": invitation.full_name, "email": invitation.email}
        super().__init__(*args, **kwargs)

    def clean(self):
        self.check_new_password(
            User(email=self.invitation.email, full_name=self.invitation.full_name)
        )
        return self.cleaned_data


class PasswordResetRequestForm(hub_forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)


class NewPasswordForm(NewPasswordMixin, hub_forms.Form):
    password1 = password_field(_("New password"))
    password2 = password_field(_("New password confirmation"))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean(self):
        self.check_new_password(self.user)
        return self.cleaned_data


class PasswordChangeForm(NewPasswordForm):
    current_password = password_field(_("Current password"), autocomplete="current-password")
    field_order = ["current_password", "password1", "password2"]

    def __init__(self, request, user, *args, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_current_password(self):
        return password_again(self.request, self.user, self.cleaned_data["current_password"])


class PasswordConfirmForm(hub_forms.Form):
    """Security changes ask for the password again."""

    password = password_field(_("Password"), autocomplete="current-password")

    def __init__(self, request, user, *args, **kwargs):
        self.request, self.user = request, user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        return password_again(self.request, self.user, self.cleaned_data["password"])


def password_again(request, user, password):
    """The signed-in user's password, asked again before a security change; throttled like
    the sign-in."""
    if not throttle.guarded("password", user.email, request, lambda: user.check_password(password)):
        audit.record(
            action=audit.Action.SIGN_IN_FAILED, actor=user, subject=user, step="password_again"
        )
        raise ValidationError(_("Your password was entered incorrectly."), code="wrong")
    return password


class ProfileForm(hub_forms.ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=time_zones.time_zone_choices)
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)

    class Meta:
        model = User
        fields = ["time_zone", "language", "notify_own_cases_only"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A zone stored under an old name (Asia/Calcutta) is shown selected as the one it
        # stands for, never as whatever comes first in the list.
        self.initial["time_zone"] = time_zones.canonical(self.initial.get("time_zone") or "")
