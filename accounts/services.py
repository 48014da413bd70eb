"""Writes of the accounts app: invitations, registration, password resets, second factors."""

import datetime as dt
import unicodedata

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts import devices, throttle
from accounts.models import Company, Invitation, PasswordReset, User, canonical_email
from accounts.tokens import hash_token, looks_like_token
from hub.emails import absolute_url, queue_email

AUTHENTICATOR_NAME = "authenticator-app"
RECOVERY_NAME = "recovery-codes"


class LinkUnavailable(Exception):
    """The link was used, expired or replaced between showing the form and submitting it."""


# Invitations -------------------------------------------------------------------------------


def invitation_create(
    *,
    email: str,
    full_name: str,
    company: Company,
    language: str,
    invited_by: User | None = None,
    is_demo: bool = False,
) -> Invitation:
    """Invite a contact; a pending invitation for the same address gets a fresh link instead."""
    email = canonical_email(email)
    if User.objects.filter(email=email).exists():
        raise ValidationError({"email": _("A user with this email address already exists.")})
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().unused().filter(email=email).first()
        ) or Invitation(email=email)
        invitation.full_name = full_name
        invitation.company = company
        invitation.language = language
        invitation.invited_by = invited_by
        invitation.is_demo = is_demo
        return _send_invitation(invitation)


def invitation_resend(*, invitation: Invitation) -> Invitation:
    """A new link replaces the old one, which stops working at once."""
    with transaction.atomic():
        current = Invitation.objects.select_for_update().unused().filter(pk=invitation.pk).first()
        if current is None:
            raise ValidationError(_("This invitation was already used to register."))
        return _send_invitation(current)


def _send_invitation(invitation: Invitation) -> Invitation:
    raw = invitation.renew(dt.timedelta(days=settings.INVITATION_TTL_DAYS))
    invitation.sent_at = timezone.now()
    invitation.save()
    audit.record(action=audit.Action.INVITATION_SENT, subject=invitation)
    # Not stored: only the caller that sent it (and the recipient) ever knows the link.
    invitation.link = absolute_url(reverse("accounts:register", args=[raw]))
    queue_email(
        to=invitation.email,
        template="invitation",
        context={
            "name": invitation.full_name,
            "company": invitation.company.name,
            "url": invitation.link,
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
    )
    return invitation


def invitation_by_token(raw: str) -> Invitation | None:
    if not looks_like_token(raw):
        return None
    return Invitation.objects.select_related("company").filter(token_hash=hash_token(raw)).first()


def invitation_accept(*, invitation: Invitation, password: str, language: str) -> User:
    """Create the account of an invitation; of two people racing on one link, exactly one wins."""
    user = User(
        email=canonical_email(invitation.email),
        full_name=invitation.full_name,
        company=invitation.company,
        language=language,
        terms_version=settings.TERMS_VERSION,
        is_demo=invitation.is_demo,
    )
    # Hashed before the transaction: on SQLite it holds the write lock from its first line, and
    # every other writer of a class (20 trainees at once) would wait for the hash too.
    user.set_password(password)
    with transaction.atomic():
        if not invitation.claim():
            raise LinkUnavailable
        try:
            with transaction.atomic():
                user.terms_accepted_at = timezone.now()
                user.save()
        except IntegrityError:
            raise LinkUnavailable from None
        invitation.user = user
        invitation.save(update_fields=["user"])
        audit.record(action=audit.Action.INVITATION_USED, actor=user, subject=invitation)
        audit.record(
            action=audit.Action.PASSWORD_CHANGED, actor=user, subject=user, via="registration"
        )
    return user


# Password reset ----------------------------------------------------------------------------


def password_reset_request(*, email: str, request) -> None:
    """Email a reset link if the address has an account; answer the same way if not.
    Requests are throttled per address and per client like sign-in attempts."""
    if throttle.begin_attempt(throttle.keys_for("reset", email, request)):
        return
    user = User.objects.filter(email=canonical_email(email)).first()
    if user is None or not user.is_active:
        return
    with transaction.atomic():
        user.password_resets.unused().update(used_at=timezone.now())
        reset = PasswordReset(user=user)
        raw = reset.renew(dt.timedelta(minutes=settings.PASSWORD_RESET_TTL_MINUTES))
        reset.save()
        queue_email(
            to=user.email,
            template="password_reset",
            context={
                "name": user.full_name,
                "url": absolute_url(reverse("accounts:password_reset_confirm", args=[raw])),
                "expires_at": reset.expires_at,
            },
            language=user.language,
            time_zone=user.zone,
        )


def password_reset_by_token(raw: str) -> PasswordReset | None:
    if not looks_like_token(raw):
        return None
    return PasswordReset.objects.select_related("user").filter(token_hash=hash_token(raw)).first()


def password_reset_complete(*, reset: PasswordReset, password: str) -> User:
    user = reset.user
    user.set_password(password)  # hashed before the write lock is taken (invitation_accept)
    with transaction.atomic():
        if not reset.claim():
            raise LinkUnavailable
        user.save(update_fields=["password"])
        audit.record(action=audit.Action.PASSWORD_CHANGED, actor=user, subject=user, via="reset")
        security_notice(user=user, event="password_changed")
    return user


def password_change(*, user: User, password: str) -> None:
    """The signed-in user's new password, recorded and announced by email."""
    user.set_password(password)  # hashed before the write lock is taken (invitation_accept)
    with transaction.atomic():
        user.save(update_fields=["password"])
        audit.record(action=audit.Action.PASSWORD_CHANGED, subject=user, via="profile")
        security_notice(user=user, event="password_changed")


# Second factor -----------------------------------------------------------------------------


def normalize_code(raw: str) -> str:
    """Accept what people type: spaces, hyphens, full-width digits, any letter case."""
    text = unicodedata.normalize("NFKC", raw or "")
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").lower()


def is_totp_code(code: str) -> bool:
    return len(code) == 6 and code.isascii() and code.isdigit()


def is_recovery_code(code: str) -> bool:
    return len(code) == 8 and code.isascii() and code.isalnum()


def confirmed_authenticator(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()


def has_second_factor(user: User) -> bool:
    """A confirmed device of any installed type (django-otp's registry); recovery codes alone
    are not one."""
    return any(devices.second_factors(user))


def second_factor_verify(*, user: User, code: str):
    """The device that accepts this code, or None. Each code verifies once, even in parallel:
    the device row is locked while it checks and records the code's time step."""
    devices: QuerySet[TOTPDevice] | QuerySet[StaticDevice]
    if is_totp_code(code):
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
    elif is_recovery_code(code):
        devices = StaticDevice.objects.filter(user=user, confirmed=True)
    else:
        return None
    for device_id in devices.values_list("pk", flat=True):
        with transaction.atomic():
            device = devices.model.objects.select_for_update().get(pk=device_id)
            if device.verify_token(code):
                return device
    return None


def authenticator_start(*, user: User, device_id: int | None) -> TOTPDevice:
    """The unconfirmed device this session is setting up. A key shown to one session is never
    offered to another: starting anew discards every other unconfirmed device of the user."""
    device = (
        TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
        if device_id is not None
        else None
    )
    if device is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_NAME, confirmed=False)
    return device


def authenticator_verify(*, user: User, device: TOTPDevice, code: str) -> bool:
    """Does the app being set up show this code? django-otp's verify_token is the check; the
    row is locked while it records the code's time step, so a code passes once, even in
    parallel."""
    if not is_totp_code(code):
        return False
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        return locked is not None and locked.verify_token(code)


def authenticator_confirm(*, user: User, device: TOTPDevice) -> list[str] | None:
    """Confirm a device whose code the form verified; replaces any older authenticator and
    returns fresh recovery codes, or None when the device is confirmed already."""
    with transaction.atomic():
        locked = (
            TOTPDevice.objects.select_for_update()
            .filter(pk=device.pk, user=user, confirmed=False)
            .first()
        )
        if locked is None:
            return None
        locked.confirmed = True
        locked.save(update_fields=["confirmed"])
        # Replaces the previous app; codes another device owns (an app's fallback) stay.
        replaced = (
            TOTPDevice.objects.filter(user=user)
            .exclude(pk=device.pk)
            .exclude(pk__in=devices.owned_device_ids(user, TOTPDevice))
            .delete()[0]
        )
        codes = _new_recovery_codes(user)
        audit.record(
            action=audit.Action.FACTOR_ADDED,
            actor=user,
            subject=user,
            method="authenticator",
            replaced=replaced,
        )
        security_notice(user=user, event="authenticator_added")
    return codes


def recovery_codes_regenerate(*, user: User, notify: bool = True) -> list[str]:
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        if notify:
            security_notice(user=user, event="recovery_codes_regenerated")
    return codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes: set[str] = set()
    while len(codes) < settings.RECOVERY_CODE_COUNT:
        codes.add(StaticToken.random_token())
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit.record(action=audit.Action.RECOVERY_CODES_CREATED, actor=user, subject=user)
    return sorted(codes)


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# Notices -----------------------------------------------------------------------------------

SECURITY_EVENTS = {
    "authenticator_added": _("A new verification method was added to your account"),
    "recovery_codes_regenerated": _("New recovery codes were created for your account"),
    "password_changed": _("Your password was changed"),
    "authenticator_removed": _("An authenticator was removed from your account"),
    "authenticator_renamed": _("An authenticator of your account was renamed"),
}


def security_notice(*, user: User, event: str) -> None:
    queue_email(
        to=user.email,
        template="security_notice",
        context={
            "name": user.full_name,
            "event": SECURITY_EVENTS[event],
            "when": timezone.now(),
            "url": absolute_url(reverse("accounts:profile")),
        },
        language=user.language,
        time_zone=user.zone,
    )
