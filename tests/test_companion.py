"""HUB Authenticator: pairing by phrase, number matching, signatures, replay and throttling,
all with real ECDSA P-256 keys signing as the browser's WebCrypto does."""

import base64
import datetime as dt
import json
import time

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from companion import services as companion
from companion.models import CompanionDevice, CompanionEnrollment, LoginApproval
from tests.helpers import PASSWORD
from tests.phone import Phone, approval_page, pair, password_step

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor")


@pytest.fixture
def newcomer(make_user, company):
    return make_user(email="newcomer@example.co.jp", full_name="新人", company=company)


def test_it_pairs_by_the_phrase_and_confirms_on_both_sides(client, newcomer, mailoutbox):
    phone = Phone()
    response = pair(client, phone, newcomer)
    assert response.url == reverse("accounts:recovery_codes")
    device = CompanionDevice.objects.get(user=newcomer)
    assert device.confirmed and device.key_id == phone.key_id
    assert client.get("/").status_code == 200
    assert any("確認方法が追加されました" in m.subject for m in mailoutbox)


def test_it_uses_a_phrase_once_and_only_for_ten_minutes(client, newcomer, make_user, company):
    phone = Phone()
    phrase = phone.enroll()
    password_step(client, newcomer)
    client.post(reverse("companion:pair"), {"phrase": phrase})
    other = Client()
    intruder = make_user(company=company)
    password_step(other, intruder)
    again = other.post(reverse("companion:pair"), {"phrase": phrase})
    assert again.status_code == 200 and "この語句は無効です" in again.content.decode()

    late = Phone()
    late_phrase = late.enroll()
    CompanionEnrollment.objects.filter(key_id=late.key_id).update(expires_at=timezone.now())
    third = Client()
    password_step(third, make_user(company=company))
    assert third.post(reverse("companion:pair"), {"phrase": late_phrase}).status_code == 200


def test_it_throttles_guessed_phrases(client, newcomer):
    password_step(client, newcomer)
    for _ in range(5):
        client.post(reverse("companion:pair"), {"phrase": "kasumi tomaru"})
    phone = Phone()
    phrase = phone.enroll()
    response = client.post(reverse("companion:pair"), {"phrase": phrase})
    assert "失敗した試行が多すぎます" in response.content.decode()


@pytest.fixture
def paired(newcomer):
    phone = Phone()
    pair(Client(), phone, newcomer)
    return phone


def test_it_logs_in_when_the_app_picks_the_matching_number(client, newcomer, paired):
    approval = approval_page(client, newcomer)
    pending = paired.state().json()["approvals"]
    assert [a["id"] for a in pending] == [approval.pk]
    assert approval.number in pending[0]["choices"] and len(pending[0]["choices"]) == 3
    assert paired.post("answer", {"approval": approval.pk, "number": approval.number}).json() == {
        "state": "approved"
    }
    response = client.get(reverse("companion:approval_status"))
    assert response.url == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("answer", ["wrong number", "deny", "expired"])
def test_it_logs_nothing_in_after_a_wrong_number_a_denial_or_an_expiry(
    client, newcomer, paired, answer
):
    approval = approval_page(client, newcomer)
    if answer == "wrong number":
        wrong = next(n for n in approval.choices if n != approval.number)
        assert paired.post("answer", {"approval": approval.pk, "number": wrong}).json() == {
            "state": "mismatch"
        }
    elif answer == "deny":
        paired.post("answer", {"approval": approval.pk, "deny": True})
    else:
        LoginApproval.objects.filter(pk=approval.pk).update(
            expires_at=timezone.now() - dt.timedelta(seconds=1)
        )
        assert (
            paired.post("answer", {"approval": approval.pk, "number": approval.number}).status_code
            == 409
        )
    response = client.get(reverse("companion:approval_status"))
    assert response.url == LOGIN
    assert client.get("/").status_code == 302
    assert client.get(reverse("companion:approval_status")).url == LOGIN


def test_it_refuses_a_replayed_approval(client, newcomer, paired):
    approval = approval_page(client, newcomer)
    body = json.dumps({"approval": approval.pk, "number": approval.number}).encode()
    headers = paired.sign("POST", "/companion/api/answer", body)
    first = paired.client.post(
        "/companion/api/answer", body, content_type="application/json", **headers
    )
    replay = paired.client.post(
        "/companion/api/answer", body, content_type="application/json", **headers
    )
    assert first.status_code == 200 and replay.status_code == 409


def test_it_refuses_forged_unknown_stale_and_removed_keys(client, newcomer, paired):
    approval = approval_page(client, newcomer)
    forger = ec.generate_private_key(ec.SECP256R1())
    forged = paired.post("answer", {"approval": approval.pk, "number": approval.number}, key=forger)
    assert forged.status_code == 409 and "bad signature" in forged.json()["error"]
    stale = paired.post(
        "answer", {"approval": approval.pk, "number": approval.number}, at=time.time() - 600
    )
    assert stale.status_code == 409
    stranger = Phone()
    stranger.key_id = "0" * 64
    assert stranger.state().status_code == 403
    assert client.get(reverse("companion:approval_status")).status_code == 204, "still waiting"
    CompanionDevice.objects.filter(key_id=paired.key_id).delete()
    removed = paired.post("answer", {"approval": approval.pk, "number": approval.number})
    assert removed.status_code == 409 and "unknown or removed key" in removed.json()["error"]
    assert client.get("/").status_code == 302


def test_it_refuses_an_approval_of_another_users_request(
    client, newcomer, paired, make_user, company
):
    other_user = make_user(company=company)
    other_phone = Phone()
    pair(Client(), other_phone, other_user)
    approval = approval_page(client, newcomer)
    response = other_phone.post("answer", {"approval": approval.pk, "number": approval.number})
    assert response.status_code == 409
    assert client.get(reverse("companion:approval_status")).status_code == 204


def test_it_limits_how_many_requests_reach_one_device(newcomer, paired):
    for _ in range(5):
        approval_page(Client(), newcomer)
    flooded = Client()
    password_step(flooded, newcomer)
    response = flooded.get(VERIFY, follow=True)
    assert "コードを入力してください" in response.content.decode()
    assert LoginApproval.objects.count() == 5
    assert len(paired.state().json()["approvals"]) == 5


def test_it_verifies_signatures_with_real_keys():
    phone = Phone()
    message = b"GET\n/companion/api/state\n1\nabc"
    r, s = utils.decode_dss_signature(phone.key.sign(message, ec.ECDSA(hashes.SHA256())))
    raw = base64.urlsafe_b64encode(r.to_bytes(32) + s.to_bytes(32)).decode().rstrip("=")
    assert companion.verify_signature(public_key=phone.public_key, message=message, signature=raw)
    assert not companion.verify_signature(
        public_key=phone.public_key, message=message + b"x", signature=raw
    )
    assert not companion.verify_signature(
        public_key=phone.public_key, message=message, signature="AAAA"
    )
    with pytest.raises(companion.CompanionError):
        companion.load_public_key(base64.b64encode(b"not a key").decode())


def test_it_refuses_a_key_that_is_not_p256(client):
    other = (
        ec.generate_private_key(ec.SECP384R1())
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    response = client.post(
        "/companion/api/enroll",
        json.dumps({"public_key": base64.b64encode(other).decode()}),
        content_type="application/json",
    )
    assert response.status_code == 400


def test_it_offers_a_code_instead_and_the_companion_shows_the_totp_fallback(
    client, newcomer, paired
):
    password_step(client, newcomer)
    assert "確認コード" in client.get(VERIFY + "?code=1").content.decode()


def test_it_removes_a_device_with_the_password_and_an_email(client, newcomer, paired, mailoutbox):
    device = CompanionDevice.objects.get(user=newcomer)
    approval = approval_page(client, newcomer)
    paired.post("answer", {"approval": approval.pk, "number": approval.number})
    client.get(reverse("companion:approval_status"))
    url = reverse("companion:manage", args=[device.pk])
    assert client.post(url, {"password": "wrong"}).status_code == 200, "the password page again"
    assert client.post(url, {"action": "rename", "name": "x"}).status_code == 200
    device.refresh_from_db()
    assert device.name == "HUB Authenticator", "nothing changes before the password"
    assert client.post(url, {"password": PASSWORD}).url == url
    client.post(url, {"action": "rename", "name": "私のスマホ"})
    device.refresh_from_db()
    assert device.name == "私のスマホ"
    client.post(url, {"action": "remove"})
    assert CompanionDevice.objects.filter(pk=device.pk).exists(), "the rename spent the password"
    assert client.post(url, {"password": PASSWORD}).url == url
    client.post(url, {"action": "remove"})
    assert not CompanionDevice.objects.filter(pk=device.pk).exists()
    assert any("削除されました" in m.subject for m in mailoutbox)


def test_it_never_pairs_a_phone_to_an_account_that_has_a_factor_with_the_password_alone(
    client, customer
):
    attacker = Phone()
    phrase = attacker.enroll()
    password_step(client, customer)
    response = client.post(reverse("companion:pair"), {"phrase": phrase})
    assert response.url == VERIFY
    assert attacker.state().json()["state"] == "waiting"
    assert companion.pairing_claim(user=customer, phrase=phrase) is None
    assert client.get("/").status_code == 302
    assert not CompanionDevice.objects.filter(user=customer).exists()
    assert TOTPDevice.objects.filter(user=customer).count() == 1


def test_it_gives_the_app_only_its_own_codes(client, make_user, company):
    user = make_user(company=company)
    phone = Phone()
    pair(Client(), phone, user)
    device = CompanionDevice.objects.get(user=user)
    assert phone.state().json()["totp_key"] == device.codes.key
    assert TOTPDevice.objects.filter(user=user).count() == 1


def test_it_stops_a_removed_apps_codes_from_working(client, newcomer, paired):
    key = paired.state().json()["totp_key"]
    CompanionDevice.objects.get(user=newcomer).delete()
    password_step(client, newcomer)
    response = client.post(VERIFY, {"code": f"{totp(bytes.fromhex(key)):06d}"})
    assert response.url == reverse("accounts:two_factor_method")
    assert client.get("/").status_code == 302


def test_it_accepts_each_signed_request_once(paired):
    headers = paired.sign("GET", "/companion/api/state")
    assert paired.client.get("/companion/api/state", **headers).status_code == 200
    replay = paired.client.get("/companion/api/state", **headers)
    assert replay.status_code == 403 and "replayed" in replay.json()["error"]


def test_it_refuses_to_confirm_a_phrase_after_its_ten_minutes(client, newcomer):
    phone = Phone()
    phrase = phone.enroll()
    password_step(client, newcomer)
    client.post(reverse("companion:pair"), {"phrase": phrase})
    CompanionEnrollment.objects.update(expires_at=timezone.now())
    assert phone.post("confirm", {}).status_code == 409
    assert not CompanionDevice.objects.exists()
