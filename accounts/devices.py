"""What the accounts pages ask of a second-factor device, whichever app defines it.

Devices come from django-otp's registry (`devices_for_user`, `device_classes`), so a new device
type is an installed app with a `Device` subclass and needs no change here. A device model may
offer, each optional:

- `setup_choice` (a `SetupChoice`, on the class): an entry on the sign-in's "choose a method"
  page, for accounts that have no second factor yet;
- `sign_in_prompt_url()`: a page the code step sends the person to first (an approval in an
  app); the code form stays one link away;
- `manage_url()` and `kind_label`: a row of the profile's security list;
- `counts_as_second_factor` (default True): recovery codes are a way back in, not a factor;
- `owned_devices()`: devices that live and die with this one, which replacing the
  authenticator app leaves alone.

django-otp's own TOTP and static devices get their answers from DEFAULTS below.
"""

import dataclasses
import datetime as dt
from collections.abc import Iterator

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django_otp import device_classes, devices_for_user
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User


@dataclasses.dataclass(frozen=True)
class SetupChoice:
    """One way to add a second factor, as the method page lists it (lowest position first)."""

    label: str | Promise
    help_text: str | Promise
    url_name: str
    test_id: str
    position: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclasses.dataclass(frozen=True)
class DeviceRow:
    """A device as the profile lists it."""

    name: str
    kind: str
    added: dt.datetime | None
    manage_url: str


# Answers for django-otp's own device types, which cannot carry them as attributes.
DEFAULTS: dict[type[Device], dict] = {
    TOTPDevice: {
        "setup_choice": SetupChoice(
            label=_("Use verification codes from an authenticator app"),
            help_text=_(
                "Google Authenticator, Microsoft Authenticator or any app that supports TOTP."
            ),
            url_name="accounts:authenticator_setup",
            test_id="method-authenticator",
            position=20,
        ),
    },
    StaticDevice: {"counts_as_second_factor": False},
}


def _ask(device_or_class, name: str, default=None):
    model = device_or_class if isinstance(device_or_class, type) else type(device_or_class)
    if hasattr(device_or_class, name):
        return getattr(device_or_class, name)
    return DEFAULTS.get(model, {}).get(name, default)


def second_factors(user: User) -> Iterator[Device]:
    """The user's confirmed devices that are a second factor (recovery codes alone are not),
    one device type after another: `any()` stops at the first type that has one."""
    return (
        device
        for device in devices_for_user(user, confirmed=True)
        if _ask(device, "counts_as_second_factor", True)
    )


def setup_choices() -> list[SetupChoice]:
    choices = [_ask(model, "setup_choice") for model in device_classes()]
    return sorted((c for c in choices if c is not None), key=lambda choice: choice.position)


def sign_in_prompt_url(user: User) -> str | None:
    """Where the code step sends this user first, if one of their devices asks to."""
    for device in second_factors(user):
        if prompt := _ask(device, "sign_in_prompt_url"):
            return prompt()
    return None


def device_rows(user: User) -> list[DeviceRow]:
    """The confirmed devices that have a page of their own to rename or remove them."""
    return [
        DeviceRow(
            name=device.name,
            kind=str(_ask(device, "kind_label", device._meta.verbose_name)),
            added=getattr(device, "created_at", None),
            manage_url=manage(),
        )
        for device in devices_for_user(user, confirmed=True)
        if (manage := _ask(device, "manage_url"))
    ]


def owned_device_ids(user: User, model: type[Device]) -> set[int]:
    """Ids of `model` devices that another device of this user owns (removed with it)."""
    owned = set()
    for device in devices_for_user(user, confirmed=None):
        for child in (_ask(device, "owned_devices") or (lambda: []))():
            if isinstance(child, model):
                owned.add(child.pk)
    return owned
