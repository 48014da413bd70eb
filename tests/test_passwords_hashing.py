"""Passwords: Argon2id at OWASP's parameters, older hashes upgraded once, and one hash per step.

A hash is the slowest thing a request does (tens of milliseconds on purpose): a class of 20
signing in at once pays each one 20 times over, so every flow hashes exactly once, and never
inside a transaction (on SQLite a transaction holds the write lock from its first line, and every
other writer would wait for the hash too).
"""

import re

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    MD5PasswordHasher,
    get_hasher,
    identify_hasher,
)
from django.db import connection
from django.urls import reverse
from django.utils.crypto import constant_time_compare

import hub.settings
from accounts.models import User
from tests.factories import create_invitation
from tests.helpers import PASSWORD, totp_code

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Fuji-san-3776m!"
OWASP_PREFIX = "argon2$argon2id$v=19$m=19456,t=2,p=1$"


class CountingHasher(MD5PasswordHasher):
    """MD5 (fast), recording each hash and how many transactions were open around it."""

    algorithm = "counting_md5"
    calls: list[tuple[str, int]] = []

    def encode(self, password, salt, *, counted=True):
        if counted:
            self.calls.append(("encode", len(connection.atomic_blocks)))
        return super().encode(password, salt)

    def verify(self, password, encoded):
        # MD5's own verify encodes again and compares: one hash, counted once.
        self.calls.append(("verify", len(connection.atomic_blocks)))
        decoded = self.decode(encoded)
        return constant_time_compare(encoded, self.encode(password, decoded["salt"], counted=False))


@pytest.fixture
def hashes(settings):
    """The hashes made from here on, as ("encode" | "verify", transactions opened by the code
    under test)."""
    settings.PASSWORD_HASHERS = ["tests.test_passwords_hashing.CountingHasher"]
    CountingHasher.calls = []
    outside = len(connection.atomic_blocks)  # the test's own transaction(s)

    def made():
        return [(kind, depth - outside) for kind, depth in CountingHasher.calls]

    return made


@pytest.fixture
def counted_customer(customer, hashes):
    """The customer, their password stored by the counting hasher (not counted)."""
    customer.set_password(PASSWORD)
    customer.save(update_fields=["password"])
    CountingHasher.calls = []
    return customer


def password_step(client, email, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


# -- the hasher -----------------------------------------------------------------------------


@pytest.fixture
def production_hashers(settings):
    # tests/conftest.py swaps in MD5 for speed: these tests are about the real list.
    settings.PASSWORD_HASHERS = hub.settings.PASSWORD_HASHERS


def test_it_stores_new_passwords_with_argon2id_at_owasp_parameters(production_hashers):
    user = User(email="a@example.com")
    user.set_password(PASSWORD)
    assert user.password.startswith(OWASP_PREFIX)
    assert not get_hasher().must_update(user.password), "a fresh hash is never stored again"
    assert user.check_password(PASSWORD)


def test_it_upgrades_django_default_argon2_parameters(production_hashers):
    defaults = Argon2PasswordHasher()
    assert get_hasher().must_update(defaults.encode(PASSWORD, defaults.salt()))


def test_it_upgrades_a_pbkdf2_password_at_the_next_sign_in_and_only_then(
    production_hashers, client, customer
):
    pbkdf2 = get_hasher("pbkdf2_sha256")
    User.objects.filter(pk=customer.pk).update(password=pbkdf2.encode(PASSWORD, pbkdf2.salt()))

    assert password_step(client, customer.email).url == reverse("accounts:two_factor")
    customer.refresh_from_db()
    assert customer.password.startswith(OWASP_PREFIX)
    upgraded = customer.password

    assert password_step(client, customer.email).status_code == 302
    customer.refresh_from_db()
    assert customer.password == upgraded, "stored once, not at every sign-in"


def test_it_upgrades_nothing_on_a_wrong_password(production_hashers, client, customer):
    pbkdf2 = get_hasher("pbkdf2_sha256")
    stored = pbkdf2.encode(PASSWORD, pbkdf2.salt())
    User.objects.filter(pk=customer.pk).update(password=stored)

    assert password_step(client, customer.email, "Wrong-Passw0rd!").status_code == 200
    customer.refresh_from_db()
    assert customer.password == stored
    assert identify_hasher(customer.password).algorithm == "pbkdf2_sha256"


# -- one hash per step, outside any transaction ---------------------------------------------


def test_it_hashes_once_to_register(client, company, mailoutbox, hashes):
    create_invitation(company, email="hanako@example.co.jp")
    url = re.search(r"https?://\S+/accounts/register/[\w-]+/", mailoutbox[0].body).group(0)
    data = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "accept_terms": "on"}
    response = client.post("/" + url.split("/", 3)[3], data)
    assert response.status_code == 302 and response.url == "/"
    assert hashes() == [("encode", 0)]


def test_it_checks_once_at_the_password_step(client, counted_customer, hashes):
    assert password_step(client, counted_customer.email).status_code == 302
    assert hashes() == [("verify", 0)]


def test_it_checks_once_for_a_wrong_password(client, counted_customer, hashes):
    assert password_step(client, counted_customer.email, "Wrong-Passw0rd!").status_code == 200
    assert hashes() == [("verify", 0)]


def test_it_hashes_once_for_an_unknown_address(client, counted_customer, hashes):
    # Django hashes the password anyway, so that an unknown address takes as long as a known one.
    assert password_step(client, "nobody@example.com").status_code == 200
    assert hashes() == [("encode", 0)]


def test_it_hashes_nothing_at_the_second_factor(client, counted_customer, hashes):
    password_step(client, counted_customer.email)
    CountingHasher.calls = []
    device = counted_customer.totpdevice_set.get()
    response = client.post(reverse("accounts:two_factor"), {"code": totp_code(device)})
    assert response.status_code == 302 and response.url == "/"
    assert hashes() == []


def test_it_hashes_once_to_reset_the_password(client, counted_customer, mailoutbox, hashes):
    client.post(reverse("accounts:password_reset"), {"email": counted_customer.email})
    url = re.search(r"https?://\S+/accounts/password/reset/[\w-]+/", mailoutbox[-1].body)
    path = "/" + url.group(0).split("/", 3)[3]
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:login")
    assert hashes() == [("encode", 0)]
    counted_customer.refresh_from_db()
    assert counted_customer.check_password(NEW_PASSWORD)


def test_it_checks_the_current_password_and_hashes_the_new_one_once(
    signed_in_client, counted_customer, hashes
):
    client = signed_in_client(counted_customer)
    data = {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    response = client.post(reverse("accounts:password_change"), data)
    assert response.status_code == 302
    assert hashes() == [("verify", 0), ("encode", 0)]
    assert client.get(reverse("accounts:profile")).status_code == 200, "still signed in"


def test_it_checks_once_to_confirm_the_password(signed_in_client, counted_customer, hashes):
    client = signed_in_client(counted_customer)
    url = reverse("accounts:recovery_codes_regenerate")
    assert client.post(url, {"password": "Wrong-Passw0rd!"}).status_code == 200
    assert client.post(url, {"password": PASSWORD}).url == url
    assert hashes() == [("verify", 0), ("verify", 0)]
