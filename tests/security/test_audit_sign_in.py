"""The audit trail of signing in and of second factors: who, when, from where, never a secret."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.models import LoginThrottle
from audit.models import AuditEvent
from companion.models import CompanionDevice
from tests.helpers import PASSWORD, RECOVERY_CODES, log_in, totp_code
from tests.phone import Phone, approval_page, pair
from tests.security.auditing import (
    LOGIN,
    VERIFY,
    assert_about,
    assert_from_visitor,
    everything_stored,
    only,
)

pytestmark = pytest.mark.django_db


def test_it_records_a_sign_in_with_the_address_browser_and_method(visitor, customer):
    log_in(visitor, customer)
    event = only(audit.Action.SIGN_IN)
    assert (event.actor, event.actor_email) == (customer, customer.email)
    assert_from_visitor(event)
    assert_about(event, customer)
    assert event.subject_label == customer.email
    assert event.details == {"method": "totpdevice"}


def test_it_records_a_wrong_password_but_never_the_password(visitor, customer):
    visitor.post(LOGIN, {"email": customer.email, "password": "Wrong-Guess-123"})
    event = only(audit.Action.SIGN_IN_FAILED)
    assert (event.actor, event.details) == (customer, {"step": "password"})
    assert_from_visitor(event)
    assert_about(event, customer)
    assert "Wrong-Guess-123" not in everything_stored()
    assert not AuditEvent.objects.filter(action=audit.Action.SIGN_IN).exists()


def test_it_records_a_failed_sign_in_to_an_unknown_address_by_the_address_typed(visitor, db):
    visitor.post(LOGIN, {"email": "nobody@example.com", "password": "Whatever-123"})
    event = only(audit.Action.SIGN_IN_FAILED)
    assert (event.actor, event.actor_email, event.subject_type) == (
        None,
        "nobody@example.com",
        None,
    )
    assert_from_visitor(event)


def test_it_records_a_wrong_code_but_never_the_code(visitor, customer):
    visitor.post(LOGIN, {"email": customer.email, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=customer)
    wrong = f"{(int(totp_code(device)) + 1) % 1_000_000:06d}"
    visitor.post(VERIFY, {"code": wrong})
    event = only(audit.Action.SIGN_IN_FAILED)
    assert (event.actor, event.details) == (customer, {"step": "second_factor"})
    assert_from_visitor(event)
    assert wrong not in everything_stored()


def test_it_records_a_lock_out_with_the_unlock_time(visitor, customer, settings):
    settings.THROTTLE_ACCOUNT = {"slow_after": 2, "lock_after": 3}
    for _ in range(2):
        visitor.post(LOGIN, {"email": customer.email, "password": "Wrong-Guess-123"})
    response = visitor.post(LOGIN, {"email": customer.email, "password": PASSWORD})
    assert response.status_code == 200, "refused even with the right password"
    event = only(audit.Action.LOCKED_OUT)
    assert event.actor == customer
    assert event.details["step"] == "password" and event.details["until"]
    assert_from_visitor(event)
    assert_about(event, customer)
    assert PASSWORD not in everything_stored()


def test_it_takes_the_address_our_proxy_saw_and_keeps_ipv6_whole(customer, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxied = Client(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9")
    proxied.post(LOGIN, {"email": customer.email, "password": "Wrong-Guess-123"})
    settings.TRUSTED_PROXY_COUNT = 0
    Client(REMOTE_ADDR="2001:db8::1234").post(
        LOGIN, {"email": customer.email, "password": "Wrong-Guess-123"}
    )
    addresses = AuditEvent.objects.order_by("id").values_list("client_ip", flat=True)
    assert list(addresses) == ["198.51.100.9", "2001:db8::1234"]
    assert LoginThrottle.objects.filter(key__endswith="2001:db8::/64").exists(), "throttle: /64"


def test_it_records_a_recovery_code_used_but_never_the_code(visitor, customer):
    visitor.post(LOGIN, {"email": customer.email, "password": PASSWORD})
    visitor.post(VERIFY, {"code": RECOVERY_CODES[0]})
    event = only(audit.Action.RECOVERY_CODE_USED)
    assert (event.actor, event.details) == (customer, {"remaining": 2})
    assert_from_visitor(event)
    assert_about(event, customer)
    assert only(audit.Action.SIGN_IN).details == {"method": "staticdevice"}
    assert RECOVERY_CODES[0] not in everything_stored()


def test_it_records_an_authenticator_added_with_its_recovery_codes(visitor, make_user, company):
    newcomer = make_user(company=company)
    visitor.post(LOGIN, {"email": newcomer.email, "password": PASSWORD})
    visitor.get(reverse("accounts:authenticator_setup"))
    device = TOTPDevice.objects.get(user=newcomer)
    code = totp_code(device)
    visitor.post(reverse("accounts:authenticator_setup"), {"code": code})
    codes = re.findall(
        r"<code>(\w+)</code>", visitor.get(reverse("accounts:recovery_codes")).content.decode()
    )
    added = only(audit.Action.FACTOR_ADDED)
    assert added.actor == newcomer
    assert added.details == {"method": "authenticator", "replaced": 0}
    assert_from_visitor(added)
    assert_about(added, newcomer)
    assert only(audit.Action.RECOVERY_CODES_CREATED).actor == newcomer
    stored = everything_stored()
    assert len(codes) == 10 and not any(c in stored for c in [code, *codes])


def test_it_records_new_recovery_codes_from_the_profile_and_a_wrong_password_there(
    visitor, customer
):
    log_in(visitor, customer)
    visitor.post(reverse("accounts:recovery_codes_regenerate"), {"password": "Wrong-Guess-123"})
    failed = only(audit.Action.SIGN_IN_FAILED)
    assert (failed.actor, failed.details) == (customer, {"step": "password_again"})
    assert_from_visitor(failed)
    assert not AuditEvent.objects.filter(action=audit.Action.RECOVERY_CODES_CREATED).exists()
    visitor.post(reverse("accounts:recovery_codes_regenerate"), {"password": PASSWORD})
    visitor.post(reverse("accounts:recovery_codes_regenerate"))  # sudo mode: then the button
    event = only(audit.Action.RECOVERY_CODES_CREATED)
    assert event.actor == customer
    assert_from_visitor(event)
    assert_about(event, customer)


def test_it_records_a_companion_paired_denied_and_removed(visitor, make_user, company):
    newcomer = make_user(email="newcomer@example.co.jp", company=company)
    phone = Phone()
    pair(visitor, phone, newcomer)
    added = only(audit.Action.FACTOR_ADDED)
    assert (added.actor, added.details) == (newcomer, {"method": "companion"})
    assert_about(added, newcomer)
    assert only(audit.Action.SIGN_IN).details == {"method": "companiondevice"}

    visitor.post(reverse("accounts:logout"))
    approval = approval_page(visitor, newcomer)
    phone.post("answer", {"approval": approval.pk, "deny": True})
    denied = only(audit.Action.SIGN_IN_FAILED)
    assert (denied.actor, denied.details) == (newcomer, {"step": "companion", "answer": "denied"})

    log_in_with_phone = approval_page(visitor, newcomer)
    phone.post("answer", {"approval": log_in_with_phone.pk, "number": log_in_with_phone.number})
    visitor.get(reverse("companion:approval_status"))
    device = CompanionDevice.objects.get(user=newcomer)
    url = reverse("companion:manage", args=[device.pk])
    visitor.post(url, {"password": PASSWORD})  # the password again (accounts.sudo)
    visitor.post(url, {"action": "remove"})
    removed = only(audit.Action.FACTOR_REMOVED)
    assert removed.actor == newcomer
    assert removed.details == {"method": "companion", "name": "HUB Authenticator"}
    assert_from_visitor(removed)
    assert_about(removed, newcomer)
