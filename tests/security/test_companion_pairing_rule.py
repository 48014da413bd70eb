"""HUB Authenticator hardening (issue #11, defect 3): the pairing rule — a password alone never
adds a second factor to an account that has one — is asked at every step that grants something:
the claim of the phrase, the app's confirmation and the sign-in that ends the pairing, not only
at the claim."""

import threading

import pytest
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import pending, services
from companion import services as companion
from companion.models import CompanionDevice, CompanionEnrollment
from tests.factories import create_totp_device
from tests.phone import Phone, password_step

pytestmark = pytest.mark.django_db
PAIR = reverse("companion:pair")
WAIT = reverse("companion:pair_wait")
LOGIN = reverse("accounts:login")
STATE = "/companion/api/state"
# The order of the P-256 group (FIPS 186-4, D.1.2.3).
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def claim(client, phone, user):
    """Password step and phrase claimed, legitimately: the account has no factor yet."""
    phrase = phone.enroll()
    password_step(client, user)
    response = client.post(PAIR, {"phrase": phrase})
    assert response.url == WAIT
    assert phone.state().json()["state"] == "confirm"
    return CompanionEnrollment.objects.get(key_id=phone.key_id)


def assert_not_logged_in(client):
    assert SESSION_KEY not in client.session
    assert client.get("/").status_code == 302


# 3. The pairing rule at every step ----------------------------------------------------------


def gain_an_authenticator(user):
    create_totp_device(user)


def gain_another_companion(user):
    other = Phone()
    claim(Client(), other, user)
    assert other.post("confirm", {}).json()["state"] == "paired"


def change_the_password(user):
    user.set_password("Another-Horse-7-Battery")
    user.save()


def close_the_account(user):
    user.is_active = False
    user.save()


CHANGES = {
    "gains an authenticator app": gain_an_authenticator,
    "gains another companion": gain_another_companion,
    "changes its password": change_the_password,
    "is closed": close_the_account,
}


@pytest.mark.parametrize("change", CHANGES)
def test_it_a_change_after_the_claim_is_refused_at_confirm_and_at_the_wait_page(
    client, newcomer, change
):
    phone = Phone()
    enrollment = claim(client, phone, newcomer)
    devices_before = set(CompanionDevice.objects.values_list("pk", flat=True))
    codes_before = set(TOTPDevice.objects.values_list("pk", flat=True))
    CHANGES[change](newcomer)
    codes_before |= set(TOTPDevice.objects.values_list("pk", flat=True))
    devices_before |= set(CompanionDevice.objects.values_list("pk", flat=True))

    refused = phone.post("confirm", {})
    assert refused.status_code == 409
    assert "no longer be paired" in refused.json()["error"]
    enrollment.refresh_from_db()
    assert enrollment.device_id is None
    assert not CompanionDevice.objects.filter(key_id=phone.key_id).exists()
    assert set(CompanionDevice.objects.values_list("pk", flat=True)) == devices_before
    assert set(TOTPDevice.objects.values_list("pk", flat=True)) == codes_before

    response = client.get(WAIT)
    assert response.url == LOGIN
    assert pending.SESSION_KEY not in client.session
    assert_not_logged_in(client)
    assert not StaticDevice.objects.filter(user=newcomer).exists(), "no recovery codes made"


@pytest.mark.parametrize("change", ["gains an authenticator app", "changes its password"])
def test_it_a_change_after_the_confirmation_is_refused_at_the_wait_page(client, newcomer, change):
    phone = Phone()
    claim(client, phone, newcomer)
    assert phone.post("confirm", {}).json()["state"] == "paired"
    CHANGES[change](newcomer)

    response = client.get(WAIT, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == LOGIN
    assert_not_logged_in(client)
    assert not StaticDevice.objects.filter(user=newcomer).exists(), "no recovery codes made"
    assert client.get(WAIT).url == LOGIN, "and the half sign-in is over"


def test_it_the_wait_page_refuses_when_the_paired_device_was_removed(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    phone.post("confirm", {})
    CompanionDevice.objects.get(key_id=phone.key_id).delete()
    assert client.get(WAIT).url == LOGIN
    assert_not_logged_in(client)


def test_it_the_wait_page_still_signs_in_after_an_untouched_pairing(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    assert client.get(WAIT, HTTP_HX_REQUEST="true").status_code == 204, "still waiting"
    assert phone.post("confirm", {}).json()["state"] == "paired"
    response = client.get(WAIT)
    assert response.url == reverse("accounts:recovery_codes")
    assert client.session[SESSION_KEY] == str(newcomer.pk)
    assert client.get("/").status_code == 200


def test_it_a_second_phone_claimed_in_parallel_cannot_confirm_after_the_first(newcomer):
    first, second = Phone(), Phone()
    first_client, second_client = Client(), Client()
    claim(first_client, first, newcomer)
    claim(second_client, second, newcomer)  # both allowed: no factor yet
    assert first.post("confirm", {}).json()["state"] == "paired"
    assert second.post("confirm", {}).status_code == 409
    assert list(CompanionDevice.objects.filter(user=newcomer).values_list("key_id", flat=True)) == [
        first.key_id
    ]
    assert second_client.get(WAIT).url == LOGIN
    assert_not_logged_in(second_client)
    assert first_client.get(WAIT).url == reverse("accounts:recovery_codes")


def test_it_a_claim_with_an_unrecorded_password_is_not_confirmed(client, newcomer):
    """A claim made before the claim recorded its password (or tampered with) fails closed."""
    phone = Phone()
    enrollment = claim(client, phone, newcomer)
    CompanionEnrollment.objects.filter(pk=enrollment.pk).update(claimed_with="")
    assert phone.post("confirm", {}).status_code == 409
    assert not CompanionDevice.objects.exists()


@pytest.mark.parametrize(
    "factors", [(), ("totp",), ("unconfirmed totp",), ("companion",), ("static",)]
)
def test_it_the_rule_counts_the_factors_the_sign_in_counts(newcomer, factors):
    if "totp" in factors:
        create_totp_device(newcomer, name="app")
    if "unconfirmed totp" in factors:
        create_totp_device(newcomer, name="app", confirmed=False)
    if "companion" in factors:
        CompanionDevice.objects.create(
            user=newcomer, name="phone", confirmed=True, key_id="k" * 64, public_key="x"
        )
    if "static" in factors:
        StaticDevice.objects.create(user=newcomer, name="codes", confirmed=True)
    assert companion.password_may_pair(newcomer) == (not services.has_second_factor(newcomer))


def test_it_the_rule_does_not_count_the_pairings_own_device_and_codes(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    phone.post("confirm", {})
    enrollment = CompanionEnrollment.objects.get(key_id=phone.key_id)
    assert services.has_second_factor(newcomer)
    assert not companion.password_may_pair(newcomer), "a new claim is refused"
    assert companion.password_may_pair(newcomer, enrollment), "this pairing may finish"
    assert not companion.password_may_pair(None, enrollment)


@pytest.mark.django_db(transaction=True)
def test_it_two_confirmations_at_once_pair_one_phone(newcomer):
    """Both claims were allowed; the confirmations race, and the rule still holds."""
    phones = [Phone(), Phone()]
    for phone in phones:
        claim(Client(), phone, newcomer)
    barrier = threading.Barrier(len(phones))
    statuses = []

    def confirm(phone):
        try:
            barrier.wait()
            statuses.append(phone.post("confirm", {}).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=confirm, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(statuses) == [200, 409]
    assert CompanionDevice.objects.filter(user=newcomer).count() == 1
    assert TOTPDevice.objects.filter(user=newcomer).count() == 1
