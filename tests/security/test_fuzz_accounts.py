"""Fuzzing sign-in, the second factor, registration, password reset and the profile.

What is sent and what must hold: tests/security/fuzzing.py.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import PasswordReset, User
from accounts.tokens import new_token
from tests.factories import create_invitation
from tests.helpers import PASSWORD, totp_code
from tests.security.fuzzing import (
    budget,
    counts,
    example,
    post,
    q,
    served,
    texts,
)

pytestmark = pytest.mark.django_db


@budget(60)
@given(email=texts, password=texts, next_url=texts)
def test_it_signs_in_only_with_the_right_password(client, customer, email, password, next_url):
    with example():
        before = counts()
        response = served(
            post(
                client,
                f"/accounts/login/?next={q(next_url)}",
                {"email": email, "password": password},
            )
        )
        assert counts() == before
        if response.status_code == 302:
            assert email.strip().lower() == customer.email and password == PASSWORD


@budget(40)
@given(code=st.one_of(texts, st.integers(0, 10**7).map(str)))
def test_it_checks_the_second_factor_code_without_failing(client, customer, code):
    with example():
        served(post(client, "/accounts/login/", {"email": customer.email, "password": PASSWORD}))
        device = customer.totpdevice_set.get(confirmed=True)
        response = served(post(client, "/accounts/login/verify/", {"code": code}))
        if response.status_code == 302:
            digits = re.sub(r"\s", "", code)
            assert digits == totp_code(device) or digits in ("abcd2345", "efgh6723", "ijkl2345")


@pytest.fixture
def invitation(company, operator, mailoutbox):
    return create_invitation(
        company, email="new.person@example.co.jp", full_name="新人", language="ja"
    )


@budget(40)
@given(password1=texts, password2=texts, terms=st.sampled_from(["on", "", "\x00", "1"]))
def test_it_registers_only_with_a_valid_form(client, invitation, password1, password2, terms):
    token = invitation.link.rstrip("/").rsplit("/", 1)[-1]
    with example():
        before = counts()
        response = served(
            post(
                client,
                f"/accounts/register/{token}/",
                {"password1": password1, "password2": password2, "accept_terms": terms},
            )
        )
        if response.status_code == 302:
            assert counts()[User] == before[User] + 1 and password1 == password2
        else:
            assert counts()[User] == before[User]


@budget(40)
@given(email=texts, password1=texts, password2=texts)
def test_it_resets_passwords_without_failing(client, customer, email, password1, password2):
    raw, token_hash = new_token()
    reset = PasswordReset.objects.create(
        user=customer, token_hash=token_hash, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    with example():
        before = counts()
        served(post(client, "/accounts/password/reset/", {"email": email}))
        assert counts()[User] == before[User]
        response = served(
            post(
                client,
                f"/accounts/password/reset/{raw}/",
                {"password1": password1, "password2": password2},
            )
        )
        reset.refresh_from_db()
        assert (response.status_code == 302) == reset.is_used
        if reset.is_used:
            assert password1 == password2


@budget(20)
@given(
    fields=st.dictionaries(
        st.sampled_from(["time_zone", "language", "notify_own_cases_only", "full_name"]),
        st.sampled_from(["Asia/Tokyo", "en", "ja", "on", "Europe/Bratislava"]) | texts,
    )
)
def test_it_saves_only_a_valid_profile(customer_client, customer, fields):
    with example():
        served(post(customer_client, "/accounts/profile/", fields))
        customer.refresh_from_db()
        assert customer.language in ("ja", "en")
        assert customer.zone is not None
