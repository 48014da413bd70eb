"""One spelling of an address for storage, lookup and throttling: look-alike letters neither
find an account under another budget nor dodge its lock (run on SQLite and PostgreSQL)."""

import pytest
from django.urls import reverse

from accounts.models import User, canonical_email
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db

LONG_S = "\u017f"  # ſ, which PostgreSQL's UPPER folds onto S
DOTLESS_I = "\u0131"  # ı, which PostgreSQL's UPPER folds onto I
KELVIN = "\u212a"  # K, the Kelvin sign


@pytest.fixture
def sam(make_user, company):
    return make_user(email="kiss.sis@example.com", company=company)


def log_in(client, email, password):
    return client.post(reverse("accounts:login"), {"email": email, "password": password})


def test_it_stores_one_spelling(make_user, company):
    user = make_user(email=f"  {KELVIN}I{LONG_S}{LONG_S}@Example.COM ", company=company)
    assert user.email == "kiss@example.com"
    assert canonical_email("ＫＩＳＳ@example.com") == "kiss@example.com"


def test_it_counts_look_alike_spellings_against_the_same_account(client, settings, sam):
    """Before the fix, each spelling had a budget of its own on PostgreSQL while finding the
    same account, so the lock never came."""
    settings.THROTTLE_ACCOUNT = {"slow_after": 3, "lock_after": 4}
    settings.THROTTLE_ADDRESS = {"slow_after": 1000, "lock_after": 1000}
    spellings = [
        f"{KELVIN}iss.sis@example.com",
        f"kis{LONG_S}.sis@example.com",
        f"kiss.si{LONG_S}@example.com",
        f"{KELVIN}i{LONG_S}s.sis@example.com",
    ]
    for spelling in spellings:
        response = log_in(client, spelling, "wrong-password-1A!")
        assert response.status_code == 200
    response = log_in(client, sam.email, PASSWORD)
    assert response.status_code == 200, "the right password got through a locked account"
    assert "pending_login" not in client.session


@pytest.mark.parametrize("letter", [DOTLESS_I, "\u0130"])  # ı and İ
def test_it_finds_no_account_under_a_spelling_that_is_not_its_own(client, sam, letter):
    response = log_in(client, f"k{letter}ss.sis@example.com", PASSWORD)
    assert response.status_code == 200
    assert "pending_login" not in client.session


def test_it_finds_the_account_under_its_canonical_spelling(client, sam):
    response = log_in(client, f"{KELVIN}ISS.SIS@EXAMPLE.COM", PASSWORD)
    assert response.status_code == 302
    assert User.objects.get(email="kiss.sis@example.com") == sam
