"""Forms verify, services write: a valid form has changed nothing yet; the throttle wraps every
check the same way (accounts.throttle.guarded)."""

import pytest
from django.core.exceptions import ValidationError
from django_otp.plugins.otp_static.models import StaticToken

from accounts import services, throttle
from accounts.forms import AuthenticatorSetupForm, PasswordChangeForm
from accounts.models import LoginThrottle
from hub.models import OutboundEmail
from tests.factories import create_totp_device
from tests.helpers import PASSWORD, RECOVERY_CODES, totp_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Fuji-san-3776m!"


@pytest.fixture
def request_(rf):
    return rf.post("/", REMOTE_ADDR="192.0.2.7")


def test_it_a_valid_setup_code_confirms_nothing_until_the_service_does(
    request_, customer, mailoutbox
):
    device = create_totp_device(customer, confirmed=False)
    form = AuthenticatorSetupForm(request_, customer, device, data={"code": totp_code(device)})
    assert form.is_valid()
    device.refresh_from_db()
    assert not device.confirmed
    assert StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    assert not mailoutbox and not OutboundEmail.objects.exists()

    codes = services.authenticator_confirm(user=customer, device=device)
    device.refresh_from_db()
    assert device.confirmed and len(codes) == 10
    assert len(mailoutbox) == 1


def test_it_a_setup_code_passes_the_form_once(request_, customer):
    device = create_totp_device(customer, confirmed=False)
    code = totp_code(device)
    assert AuthenticatorSetupForm(request_, customer, device, data={"code": code}).is_valid()
    again = AuthenticatorSetupForm(request_, customer, device, data={"code": code})
    assert not again.is_valid()


def test_it_a_valid_password_change_form_changes_nothing_until_the_service_does(
    request_, customer, mailoutbox
):
    data = {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    assert PasswordChangeForm(request_, customer, data=data).is_valid()
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)
    assert not mailoutbox

    services.password_change(user=customer, password=NEW_PASSWORD)
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert len(mailoutbox) == 1


def test_it_guarded_counts_a_failure_and_takes_a_success_back(request_, customer):
    assert throttle.guarded("code", str(customer.pk), request_, lambda: None) is None
    account = LoginThrottle.objects.get(key__startswith="code:account:")
    assert account.failures == 1
    assert throttle.guarded("code", str(customer.pk), request_, lambda: "device") == "device"
    account.refresh_from_db()
    assert account.failures == 0


def test_it_guarded_does_not_even_verify_while_locked(request_, customer, settings):
    settings.THROTTLE_ACCOUNT = {"slow_after": 100, "lock_after": 2}
    for _ in range(2):
        throttle.guarded("code", str(customer.pk), request_, lambda: False)
    asked = []
    with pytest.raises(ValidationError) as refused:
        throttle.guarded("code", str(customer.pk), request_, lambda: asked.append(1))
    assert refused.value.code == "throttled"
    assert not asked
