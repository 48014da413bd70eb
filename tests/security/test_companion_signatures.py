"""HUB Authenticator hardening (issue #11, defect 4): a signed request is accepted once whatever
spelling of its signature comes back: padding, the standard alphabet, spare bits or other
characters are refused outright, and the high-s twin (n − s) of an accepted signature counts as
the same signature."""

import base64
import json
import time

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from companion import services as companion
from companion.models import UsedSignature
from tests.phone import Phone, approval_page, pair

pytestmark = pytest.mark.django_db
PAIR = reverse("companion:pair")
WAIT = reverse("companion:pair_wait")
LOGIN = reverse("accounts:login")
STATE = "/companion/api/state"
# The order of the P-256 group (FIPS 186-4, D.1.2.3).
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


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
    pair(Client(), phone, newcomer)
    return phone


@pytest.mark.parametrize("spelling", SPELLINGS)
def test_it_an_accepted_request_is_not_accepted_again_under_another_spelling(paired, spelling):
    headers, raw = signed_state_headers(paired, want=needs_both_alphabets)
    variant = SPELLINGS[spelling](raw)
    assert variant != headers["HTTP_X_COMPANION_SIGNATURE"]
    assert send(paired, headers, headers["HTTP_X_COMPANION_SIGNATURE"]).status_code == 200
    refused = send(paired, headers, variant)
    assert refused.status_code == 403
    assert refused.json()["error"] in {"bad signature", "replayed request"}


def test_it_other_spellings_first_then_the_original_once(paired):
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


def test_it_the_high_s_twin_first_uses_up_the_original(paired):
    headers, raw = signed_state_headers(paired)
    assert send(paired, headers, b64url(high_s(raw))).status_code == 200, "a valid signature"
    replay = send(paired, headers, headers["HTTP_X_COMPANION_SIGNATURE"])
    assert replay.status_code == 403 and replay.json()["error"] == "replayed request"


def test_it_a_replayed_answer_under_another_spelling_changes_nothing(client, newcomer, paired):
    approval = approval_page(client, newcomer)
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


def test_it_the_group_order_is_p256s():
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


def test_it_the_signature_digest_is_the_same_for_s_and_n_minus_s():
    raw = bytes(range(64))
    assert companion.signature_digest(b64url(raw)) == companion.signature_digest(
        b64url(high_s(raw))
    )
    assert companion.signature_digest(b64url(raw)) != companion.signature_digest(
        b64url(bytes(range(1, 65)))
    )
    assert companion.signature_digest(b64url(raw) + "=") is None


@given(st.binary(min_size=64, max_size=64))
def test_it_every_signature_has_exactly_one_accepted_spelling(raw):
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
def test_it_whatever_is_accepted_is_its_own_canonical_spelling(text):
    decoded = companion.decode_signature(text)
    if decoded is not None:
        assert b64url(decoded[0].to_bytes(32) + decoded[1].to_bytes(32)) == text


def test_it_a_fresh_signature_from_the_app_still_works(paired):
    for _ in range(3):
        assert paired.state().status_code == 200
    stale = paired.sign("GET", STATE, at=time.time() - 600)
    assert paired.client.get(STATE, **stale).status_code == 403
