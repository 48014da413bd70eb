"""HUB Authenticator hardening (issue #11, defects 3 and 4).

3. The pairing rule — a password alone never adds a second factor to an account that has one —
   is asked at every step that grants something: the claim of the phrase, the app's
   confirmation and the sign-in that ends the pairing, not only at the claim.
4. A signed request is accepted once whatever spelling of its signature comes back: padding,
   the standard alphabet, spare bits or other characters are refused outright, and the high-s
   twin (n − s) of an accepted signature counts as the same signature.
"""

import base64
import json
import threading
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.contrib.auth import SESSION_KEY
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import given
from hypothesis import strategies as st

from accounts import companion, pending, services
from accounts.models import CompanionDevice, CompanionEnrollment, UsedSignature
from tests.test_companion import Phone, password_step

pytestmark = pytest.mark.django_db
PAIR = reverse("accounts:companion_pair")
WAIT = reverse("accounts:companion_pair_wait")
LOGIN = reverse("accounts:login")
STATE = "/companion/api/state"
# The order of the P-256 group (FIPS 186-4, D.1.2.3).
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@pytest.fixture
def newcomer(make_user, company):
    return make_user(email="pairing@example.co.jp", full_name="新人 二郎", company=company)


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
    TOTPDevice.objects.create(user=user, name="authenticator-app", confirmed=True)


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
def test_a_change_after_the_claim_is_refused_at_confirm_and_at_the_wait_page(
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
def test_a_change_after_the_confirmation_is_refused_at_the_wait_page(client, newcomer, change):
    phone = Phone()
    claim(client, phone, newcomer)
    assert phone.post("confirm", {}).json()["state"] == "paired"
    CHANGES[change](newcomer)

    response = client.get(WAIT, HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == LOGIN
    assert_not_logged_in(client)
    assert not StaticDevice.objects.filter(user=newcomer).exists(), "no recovery codes made"
    assert client.get(WAIT).url == LOGIN, "and the half sign-in is over"


def test_the_wait_page_refuses_when_the_paired_device_was_removed(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    phone.post("confirm", {})
    CompanionDevice.objects.get(key_id=phone.key_id).delete()
    assert client.get(WAIT).url == LOGIN
    assert_not_logged_in(client)


def test_the_wait_page_still_signs_in_after_an_untouched_pairing(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    assert client.get(WAIT, HTTP_HX_REQUEST="true").status_code == 204, "still waiting"
    assert phone.post("confirm", {}).json()["state"] == "paired"
    response = client.get(WAIT)
    assert response.url == reverse("accounts:recovery_codes")
    assert client.session[SESSION_KEY] == str(newcomer.pk)
    assert client.get("/").status_code == 200


def test_a_second_phone_claimed_in_parallel_cannot_confirm_after_the_first(newcomer):
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


def test_a_claim_with_an_unrecorded_password_is_not_confirmed(client, newcomer):
    """A claim made before the claim recorded its password (or tampered with) fails closed."""
    phone = Phone()
    enrollment = claim(client, phone, newcomer)
    CompanionEnrollment.objects.filter(pk=enrollment.pk).update(claimed_with="")
    assert phone.post("confirm", {}).status_code == 409
    assert not CompanionDevice.objects.exists()


@pytest.mark.parametrize(
    "factors", [(), ("totp",), ("unconfirmed totp",), ("companion",), ("static",)]
)
def test_the_rule_counts_the_factors_the_sign_in_counts(newcomer, factors):
    if "totp" in factors:
        TOTPDevice.objects.create(user=newcomer, name="app", confirmed=True)
    if "unconfirmed totp" in factors:
        TOTPDevice.objects.create(user=newcomer, name="app", confirmed=False)
    if "companion" in factors:
        CompanionDevice.objects.create(
            user=newcomer, name="phone", confirmed=True, key_id="k" * 64, public_key="x"
        )
    if "static" in factors:
        StaticDevice.objects.create(user=newcomer, name="codes", confirmed=True)
    assert companion.password_may_pair(newcomer) == (not services.has_second_factor(newcomer))


def test_the_rule_does_not_count_the_pairings_own_device_and_codes(client, newcomer):
    phone = Phone()
    claim(client, phone, newcomer)
    phone.post("confirm", {})
    enrollment = CompanionEnrollment.objects.get(key_id=phone.key_id)
    assert services.has_second_factor(newcomer)
    assert not companion.password_may_pair(newcomer), "a new claim is refused"
    assert companion.password_may_pair(newcomer, enrollment), "this pairing may finish"
    assert not companion.password_may_pair(None, enrollment)


@pytest.mark.django_db(transaction=True)
def test_two_confirmations_at_once_pair_one_phone(newcomer):
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


# 4. One signature, one spelling, accepted once ----------------------------------------------


def signed_state_headers(phone, *, want=lambda raw: True):
    """Headers of a signed GET of the state, re-signed until `want(raw r‖s)` holds."""
    for _ in range(200):
        headers = phone.sign("GET", STATE)
        raw = raw_of(headers)
        if want(raw):
            return headers, raw
    raise AssertionError("no such signature drawn")


def raw_of(headers) -> bytes:
    text = headers["HTTP_X_COMPANION_SIGNATURE"]
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def high_s(raw: bytes) -> bytes:
    r, s = int.from_bytes(raw[:32]), int.from_bytes(raw[32:])
    return r.to_bytes(32) + (N - s).to_bytes(32)


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def flip_spare_bit(text: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return text[:-1] + alphabet[alphabet.index(text[-1]) ^ 1]


def der(raw: bytes) -> bytes:
    return utils.encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))


# Each one decodes, with a lenient decoder, to the same signature (or its high-s twin).
SPELLINGS = {
    "padding added": lambda raw: b64url(raw) + "==",
    "one padding character": lambda raw: b64url(raw) + "=",
    "standard alphabet": lambda raw: base64.b64encode(raw).decode().rstrip("="),
    "standard alphabet, padded": lambda raw: base64.b64encode(raw).decode(),
    "spare bits set": lambda raw: flip_spare_bit(b64url(raw)),
    "a stray character": lambda raw: b64url(raw)[:40] + "." + b64url(raw)[40:],
    "a line break": lambda raw: b64url(raw)[:40] + "\n" + b64url(raw)[40:],
    "DER instead of r‖s": lambda raw: b64url(der(raw)),
    "high s": lambda raw: b64url(high_s(raw)),
}


def needs_both_alphabets(raw):
    return any(c in b64url(raw) for c in "-_")


def send(phone, headers, signature):
    return phone.client.get(STATE, **(headers | {"HTTP_X_COMPANION_SIGNATURE": signature}))


@pytest.fixture
def paired(newcomer):
    phone = Phone()
    claim(Client(), phone, newcomer)
    assert phone.post("confirm", {}).json()["state"] == "paired"
    return phone


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_an_accepted_request_is_not_accepted_again_under_another_spelling(paired, spelling):
    headers, raw = signed_state_headers(paired, want=needs_both_alphabets)
    variant = SPELLINGS[spelling](raw)
    assert variant != headers["HTTP_X_COMPANION_SIGNATURE"]
    assert send(paired, headers, headers["HTTP_X_COMPANION_SIGNATURE"]).status_code == 200
    refused = send(paired, headers, variant)
    assert refused.status_code == 403
    assert refused.json()["error"] in {"bad signature", "replayed request"}


def test_other_spellings_first_then_the_original_once(paired):
    """Non-canonical spellings are refused outright, so they do not use up the original; the
    high-s twin is a valid spelling: whichever comes first is accepted, the other is a replay."""
    headers, raw = signed_state_headers(paired, want=needs_both_alphabets)
    original = headers["HTTP_X_COMPANION_SIGNATURE"]
    for name, spell in SPELLINGS.items():
        if name != "high s":
            response = send(paired, headers, spell(raw))
            assert response.status_code == 403 and response.json()["error"] == "bad signature"
    assert not UsedSignature.objects.filter(digest=companion.signature_digest(original)).exists()
    assert send(paired, headers, original).status_code == 200
    assert send(paired, headers, original).json()["error"] == "replayed request"
    assert send(paired, headers, b64url(high_s(raw))).json()["error"] == "replayed request"


def test_the_high_s_twin_first_uses_up_the_original(paired):
    headers, raw = signed_state_headers(paired)
    assert send(paired, headers, b64url(high_s(raw))).status_code == 200, "a valid signature"
    replay = send(paired, headers, headers["HTTP_X_COMPANION_SIGNATURE"])
    assert replay.status_code == 403 and replay.json()["error"] == "replayed request"


def test_a_replayed_answer_under_another_spelling_changes_nothing(client, newcomer, paired):
    password_step(client, newcomer)
    approval = client.get(reverse("accounts:two_factor")).context["approval"]
    wrong = next(n for n in approval.choices if n != approval.number)
    body = json.dumps({"approval": approval.pk, "number": wrong}).encode()
    headers = paired.sign("POST", "/companion/api/answer", body)
    raw = raw_of(headers)

    def answer(signature):
        return paired.client.post(
            "/companion/api/answer",
            body,
            content_type="application/json",
            **(headers | {"HTTP_X_COMPANION_SIGNATURE": signature}),
        )

    assert answer(b64url(raw) + "==").status_code == 409
    approval.refresh_from_db()
    assert approval.state == "pending", "a refused spelling answers nothing"
    assert answer(b64url(high_s(raw))).json() == {"state": "mismatch"}
    assert answer(b64url(raw)).json()["error"] == "replayed request"


def test_the_group_order_is_p256s():
    """n − s of a real signature verifies: the constant the server normalises with is right."""
    assert companion.P256_ORDER == N == ec.SECP256R1().group_order
    key = ec.generate_private_key(ec.SECP256R1())
    message = b"GET\n/companion/api/state\n1\nabc"
    r, s = utils.decode_dss_signature(key.sign(message, ec.ECDSA(hashes.SHA256())))
    key.public_key().verify(
        utils.encode_dss_signature(r, N - s), message, ec.ECDSA(hashes.SHA256())
    )
    with pytest.raises(InvalidSignature):
        key.public_key().verify(
            utils.encode_dss_signature(r, N - s + 1), message, ec.ECDSA(hashes.SHA256())
        )


def test_the_signature_digest_is_the_same_for_s_and_n_minus_s():
    raw = bytes(range(64))
    assert companion.signature_digest(b64url(raw)) == companion.signature_digest(
        b64url(high_s(raw))
    )
    assert companion.signature_digest(b64url(raw)) != companion.signature_digest(
        b64url(bytes(range(1, 65)))
    )
    assert companion.signature_digest(b64url(raw) + "=") is None


@given(st.binary(min_size=64, max_size=64))
def test_every_signature_has_exactly_one_accepted_spelling(raw):
    text = b64url(raw)
    assert companion.decode_signature(text) == (
        int.from_bytes(raw[:32]),
        int.from_bytes(raw[32:]),
    )
    for spell in SPELLINGS.values():
        variant = spell(raw)
        if variant != text:
            decoded = companion.decode_signature(variant)
            assert (
                decoded is None
                or b64url(decoded[0].to_bytes(32) + decoded[1].to_bytes(32)) == variant
            )


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=. \n"))
def test_whatever_is_accepted_is_its_own_canonical_spelling(text):
    decoded = companion.decode_signature(text)
    if decoded is not None:
        assert b64url(decoded[0].to_bytes(32) + decoded[1].to_bytes(32)) == text


def test_a_fresh_signature_from_the_app_still_works(paired):
    for _ in range(3):
        assert paired.state().status_code == 200
    stale = paired.sign("GET", STATE, at=time.time() - 600)
    assert paired.client.get(STATE, **stale).status_code == 403
