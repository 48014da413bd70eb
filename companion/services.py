"""HUB Authenticator: pairing by a two-word phrase, and sign-in approval with number matching.

The companion keeps a non-extractable ECDSA P-256 key in the browser (WebCrypto). Every call it
makes after enrolling is signed: METHOD, path, unix time and the body's SHA-256, one per line.
Budgets: a phrase lives 10 minutes and works once (30 bits, wrong phrases throttled like
passwords); an approval lives 2 minutes; at most 5 approvals per device in 10 minutes.

Pairing happens at the password step, so one rule guards it: a password alone never adds a
second factor to an account that has one (`password_may_pair`). It is asked again at every step
that grants something — the claim of the phrase, the app's confirmation, the sign-in that ends
the pairing — because the account can change between them.

A signature is accepted in one encoding only, the one the app sends (base64url of raw r‖s, no
padding, spare bits zero), and once: what is recorded is the signature's value, r and the
lower of s and n − s (both verify), so no re-encoding and no high-s twin passes as new.
"""

import base64
import binascii
import datetime as dt
import hashlib
import re
import secrets
import time

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts import devices
from accounts.models import User
from accounts.services import security_notice
from accounts.throttle import client_address
from companion.models import (
    ApprovalState,
    CompanionDevice,
    CompanionEnrollment,
    LoginApproval,
    UsedSignature,
)

PHRASE_LIFETIME = dt.timedelta(minutes=10)
APPROVAL_LIFETIME = dt.timedelta(minutes=2)
APPROVALS_PER_WINDOW = 5
APPROVAL_WINDOW = dt.timedelta(minutes=10)
SIGNATURE_MAX_AGE = 120  # seconds either side of the server's clock
# base64url without padding of the 64 bytes r‖s: 86 characters, the last holding 2 spare bits.
SIGNATURE_FORMAT = re.compile(r"[A-Za-z0-9_-]{86}")
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
# Pronounceable romaji syllables: easy to read off a phone and type on a Japanese keyboard.
SYLLABLES = [
    "ka", "ki", "ku", "ke", "ko", "sa", "shi", "su", "se", "so", "ta", "chi", "tsu", "te",
    "to", "na", "ni", "nu", "ne", "no", "ha", "hi", "fu", "he", "ho", "ma", "mi", "mu",
    "me", "mo", "ya", "yu",
]  # fmt: skip


class CompanionError(Exception):
    """A companion call that must fail, with a reason safe to show."""


def new_phrase() -> str:
    """Two words of three syllables each: 2 × 15 bits."""
    return " ".join("".join(secrets.choice(SYLLABLES) for _ in range(3)) for _ in range(2))


def normalize_phrase(raw: str) -> str:
    return " ".join((raw or "").lower().split())[:60]


def phrase_hash(phrase: str) -> str:
    return hashlib.sha256(normalize_phrase(phrase).encode()).hexdigest()


def load_public_key(encoded: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_der_public_key(base64.b64decode(encoded, validate=True))
    except (ValueError, binascii.Error, TypeError):
        raise CompanionError("not a public key") from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise CompanionError("the key must be ECDSA P-256")
    return key


def key_id_of(encoded: str) -> str:
    return hashlib.sha256(base64.b64decode(encoded)).hexdigest()


def enroll(*, public_key: str) -> tuple[CompanionEnrollment, str]:
    """Register a companion's public key; returns the enrollment and its one-time phrase."""
    if len(public_key or "") > 500:
        raise CompanionError("not a public key")
    load_public_key(public_key)
    key_id = key_id_of(public_key)
    if CompanionDevice.objects.filter(key_id=key_id).exists():
        raise CompanionError("this key is already paired")
    now = timezone.now()
    CompanionEnrollment.objects.filter(device__isnull=True, expires_at__lt=now).delete()
    if CompanionEnrollment.objects.filter(key_id=key_id).exists():
        raise CompanionError("this key is already waiting to be paired")
    for _attempt in range(5):  # a phrase still in use is drawn again
        phrase = new_phrase()
        try:
            with transaction.atomic():
                enrollment = CompanionEnrollment.objects.create(
                    key_id=key_id,
                    public_key=public_key,
                    phrase_hash=phrase_hash(phrase),
                    expires_at=now + PHRASE_LIFETIME,
                )
            return enrollment, phrase
        except IntegrityError:
            continue
    raise CompanionError("try again")


def message_to_sign(method: str, path: str, timestamp: str, body: bytes) -> bytes:
    return f"{method}\n{path}\n{timestamp}\n{hashlib.sha256(body).hexdigest()}".encode()


def decode_signature(signature: str) -> tuple[int, int] | None:
    """(r, s) of a signature in the app's encoding, else None: another encoding of the same
    bytes (padding, the standard alphabet, spare bits set, other characters) is refused, never
    repaired, so one signature has one spelling."""
    if not SIGNATURE_FORMAT.fullmatch(signature or ""):
        return None
    raw = base64.urlsafe_b64decode(signature + "==")
    if base64.urlsafe_b64encode(raw).decode().rstrip("=") != signature:
        return None  # spare bits set in the last character
    return int.from_bytes(raw[:32]), int.from_bytes(raw[32:])


def signature_digest(signature: str) -> str | None:
    """What 'this signature was used' records: r and the low one of s and n − s, hashed.
    ECDSA accepts both s and n − s, and WebCrypto sends either, so both are accepted and
    counted as one."""
    decoded = decode_signature(signature)
    if decoded is None:
        return None
    r, s = decoded
    low_s = min(s, P256_ORDER - s)
    return hashlib.sha256(r.to_bytes(32) + low_s.to_bytes(32)).hexdigest()


def verify_signature(*, public_key: str, message: bytes, signature: str) -> bool:
    """WebCrypto signs ECDSA as raw r‖s (64 bytes); cryptography wants DER."""
    decoded = decode_signature(signature)
    if decoded is None:
        return False
    der = utils.encode_dss_signature(*decoded)
    try:
        load_public_key(public_key).verify(der, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, CompanionError):
        return False
    return True


def signed_caller(request):
    """The enrollment or paired device whose key signed this request, else CompanionError."""
    key_id = request.headers.get("X-Companion-Key", "")[:64]
    timestamp = request.headers.get("X-Companion-Time", "")[:20]
    signature = request.headers.get("X-Companion-Signature", "")[:200]
    if not (key_id and timestamp.isascii() and timestamp.isdigit() and signature):
        raise CompanionError("unsigned request")
    if abs(time.time() - int(timestamp)) > SIGNATURE_MAX_AGE:
        raise CompanionError("stale request: check the phone's clock")
    owner = (
        CompanionDevice.objects.filter(key_id=key_id, confirmed=True).select_related("user").first()
        or CompanionEnrollment.objects.filter(key_id=key_id, device__isnull=True).first()
    )
    if owner is None:
        raise CompanionError("unknown or removed key")
    message = message_to_sign(request.method, request.path, timestamp, request.body)
    digest = signature_digest(signature)
    if digest is None or not verify_signature(
        public_key=owner.public_key, message=message, signature=signature
    ):
        raise CompanionError("bad signature")
    # Each signed request is accepted once (ECDSA signatures differ even for equal requests),
    # whichever valid form of its signature comes back.
    now = timezone.now()
    UsedSignature.objects.filter(
        created_at__lt=now - dt.timedelta(seconds=3 * SIGNATURE_MAX_AGE)
    ).delete()
    try:
        with transaction.atomic():
            UsedSignature.objects.create(digest=digest)
    except IntegrityError:
        raise CompanionError("replayed request") from None
    return owner


def claim_stamp(user: User) -> str:
    """Stands for the user's current password (and changes with it), as a claim records it."""
    return hashlib.sha256(user.get_session_auth_hash().encode()).hexdigest()


def password_may_pair(user: User | None, enrollment: CompanionEnrollment | None = None) -> bool:
    """The rule of pairing at the password step: a password alone never adds a second factor to
    an account that has one. Asked at each step that grants something, with what it grants:
    - the claim (no enrollment yet): an active account without any second factor;
    - the app's confirmation and the sign-in after it (the enrollment): also claimed by this
      user with the password the account still has; the device this pairing made, and its
      codes, are not 'another factor'.
    Counts the factors accounts.services.has_second_factor counts (accounts.devices)."""
    if user is None or not user.is_active:
        return False
    own: set[str] = set()
    if enrollment is not None:
        if enrollment.user_id != user.pk or not constant_time_compare(
            enrollment.claimed_with, claim_stamp(user)
        ):
            return False
        device = enrollment.device if enrollment.device_id else None
        if device is not None:
            own = {device.persistent_id, *(codes.persistent_id for codes in device.owned_devices())}
    return not any(factor.persistent_id not in own for factor in devices.second_factors(user))


def pairing_lookup(*, user: User, phrase: str) -> CompanionEnrollment | None:
    """The pending enrollment this phrase names, if this user may claim it. Reads only."""
    if not password_may_pair(user):
        return None
    return CompanionEnrollment.objects.pending().filter(phrase_hash=phrase_hash(phrase)).first()


def pairing_claim(*, user: User, phrase: str) -> CompanionEnrollment | None:
    """The portal side of pairing: the phrase the user typed claims that key for this user.
    None when the phrase is not (or no longer) pending, or the user may not pair."""
    if not password_may_pair(user):
        return None
    with transaction.atomic():
        enrollment = (
            CompanionEnrollment.objects.select_for_update()
            .pending()
            .filter(phrase_hash=phrase_hash(phrase))
            .first()
        )
        if enrollment is None:
            return None
        enrollment.user = user
        enrollment.used_at = timezone.now()
        enrollment.claimed_with = claim_stamp(user)
        enrollment.save(update_fields=["user", "used_at", "claimed_with"])
        return enrollment


def pairing_confirm(*, enrollment: CompanionEnrollment) -> CompanionDevice:
    """The companion side: the user saw the account name and said yes."""
    with transaction.atomic():
        enrollment = CompanionEnrollment.objects.select_for_update().get(pk=enrollment.pk)
        if enrollment.user_id is None or enrollment.device_id is not None:
            raise CompanionError("nothing to confirm")
        # The whole pairing, not only the claim, finishes within the phrase's 10 minutes.
        if enrollment.expires_at <= timezone.now():
            raise CompanionError("the pairing expired")
        # Asked again here: the account may have gained a factor, changed its password or been
        # closed since the claim. The user's row is locked so two confirmations take turns.
        user = User.objects.select_for_update().filter(pk=enrollment.user_id).first()
        if user is None or not password_may_pair(user, enrollment):
            raise CompanionError("this account can no longer be paired this way")
        # The app also shows codes of its own, as a fallback when a sign-in cannot reach it.
        codes = TOTPDevice.objects.create(user=user, name="HUB Authenticator codes", confirmed=True)
        device = CompanionDevice.objects.create(
            user=user,
            name="HUB Authenticator",
            confirmed=True,
            key_id=enrollment.key_id,
            public_key=enrollment.public_key,
            codes=codes,
        )
        enrollment.device = device
        enrollment.save(update_fields=["device"])
        audit.record(action=audit.Action.FACTOR_ADDED, actor=user, subject=user, method="companion")
        security_notice(user=user, event="authenticator_added")
        return device


def approval_request(*, device: CompanionDevice, request) -> LoginApproval:
    """Ask the companion to approve a sign-in; refused when a device is being flooded."""
    now = timezone.now()
    with transaction.atomic():
        CompanionDevice.objects.select_for_update().get(pk=device.pk)
        recent = device.approvals.filter(created_at__gt=now - APPROVAL_WINDOW).count()
        if recent >= APPROVALS_PER_WINDOW:
            raise CompanionError("too many sign-in requests for this device")
        number = 10 + secrets.randbelow(90)
        decoys: set[int] = set()
        while len(decoys) < 2:
            candidate = 10 + secrets.randbelow(90)
            if candidate != number:
                decoys.add(candidate)
        choices = [number, *decoys]
        secrets.SystemRandom().shuffle(choices)
        return LoginApproval.objects.create(
            device=device,
            number=number,
            choices=choices,
            browser=request.headers.get("User-Agent", "")[:200],
            client_address=client_address(request),
            expires_at=now + APPROVAL_LIFETIME,
        )


def approval_answer(*, device: CompanionDevice, approval_id, number, deny: bool) -> str:
    """The companion's signed answer; only a pending, unexpired request of this device counts."""
    with transaction.atomic():
        approval = (
            LoginApproval.objects.select_for_update().filter(pk=approval_id, device=device).first()
        )
        if approval is None:
            raise CompanionError("no such request")
        if approval.state != ApprovalState.PENDING or approval.is_expired:
            raise CompanionError("this request is no longer waiting")
        if deny:
            approval.state = ApprovalState.DENIED
        elif number == approval.number:
            approval.state = ApprovalState.APPROVED
        else:
            approval.state = ApprovalState.MISMATCH
        approval.answered_at = timezone.now()
        approval.save(update_fields=["state", "answered_at"])
        if approval.state != ApprovalState.APPROVED:
            audit.record(
                action=audit.Action.SIGN_IN_FAILED,
                actor=device.user,
                subject=device.user,
                step="companion",
                answer=approval.state,
            )
        CompanionDevice.objects.filter(pk=device.pk).update(last_used_at=approval.answered_at)
        return approval.state


def companion_device_rename(*, device: CompanionDevice, name: str) -> None:
    device.name = name
    device.save(update_fields=["name"])
    security_notice(user=device.user, event="authenticator_renamed")


def companion_device_remove(*, device: CompanionDevice) -> None:
    """Remove a paired app with its fallback codes; recorded, and the owner is told by email."""
    user = device.user
    with transaction.atomic():
        audit.record(
            action=audit.Action.FACTOR_REMOVED,
            subject=user,
            method="companion",
            name=device.name,
        )
        device.delete()
        security_notice(user=user, event="authenticator_removed")
