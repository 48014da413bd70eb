"""Sudo mode: security changes from the profile need the password entered in the last minutes."""

import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import sudo
from accounts.models import LoginThrottle
from tests.helpers import PASSWORD, RECOVERY_CODES, totp_code

pytestmark = pytest.mark.django_db
REGENERATE = reverse("accounts:recovery_codes_regenerate")
REPLACE = reverse("accounts:authenticator_replace")
SETUP = reverse("accounts:authenticator_setup")


def confirmed(client, seconds_ago=0, path=REGENERATE):
    session = client.session
    session[sudo.SESSION_KEY] = {"at": time.time() - seconds_ago, "path": path}
    session.save()
    return client


def test_it_asks_for_the_password_without_a_confirmation(customer_client):
    page = customer_client.get(REGENERATE)
    assert page.templates[0].name == "accounts/password_confirm.html"
    assert "password" in page.context["form"].fields


def test_it_asks_again_when_the_confirmation_is_older_than_the_window(customer_client, settings):
    confirmed(customer_client, seconds_ago=settings.PENDING_LOGIN_SECONDS + 1)
    page = customer_client.get(REGENERATE)
    assert page.templates[0].name == "accounts/password_confirm.html"


def test_it_lets_a_fresh_confirmation_through(customer_client):
    page = confirmed(customer_client, seconds_ago=60).get(REGENERATE)
    assert page.templates[0].name == "accounts/recovery_codes_regenerate.html"


def test_it_stamps_the_session_and_comes_back_with_a_get(customer_client):
    response = customer_client.post(REGENERATE, {"password": PASSWORD})
    assert response.status_code == 302 and response.url == REGENERATE
    held = customer_client.session[sudo.SESSION_KEY]
    assert held["path"] == REGENERATE and time.time() - held["at"] < 5
    assert StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists(), "nothing changed yet"


def test_it_never_replays_a_post_that_found_the_confirmation_stale(customer_client, settings):
    confirmed(customer_client, seconds_ago=settings.PENDING_LOGIN_SECONDS + 1)
    page = customer_client.post(REGENERATE)
    assert page.status_code == 200
    assert page.templates[0].name == "accounts/password_confirm.html"
    assert not page.context["form"].errors, "the view's own POST is no password attempt"
    assert StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()


def test_it_refuses_a_wrong_password_and_counts_it(customer_client, customer):
    page = customer_client.post(REGENERATE, {"password": "Wrong-Guess-123"})
    assert page.context["form"].errors["password"] == ["パスワードが正しくありません。"]
    assert sudo.SESSION_KEY not in customer_client.session
    assert LoginThrottle.objects.filter(key__startswith="password:account:", failures=1).exists()


def test_it_locks_the_password_page_like_the_sign_in(customer_client, settings):
    settings.THROTTLE_ACCOUNT = {"slow_after": 100, "lock_after": 3}
    for _ in range(3):
        customer_client.post(REGENERATE, {"password": "Wrong-Guess-123"})
    page = customer_client.post(REGENERATE, {"password": PASSWORD})
    assert page.context["form"].has_error("password", code="throttled")
    assert sudo.SESSION_KEY not in customer_client.session


def test_it_sends_an_anonymous_visitor_to_the_login(client):
    assert client.get(REGENERATE).url.startswith(reverse("accounts:login"))


def test_it_asks_again_on_the_replacement_setup_when_the_confirmation_lapsed(
    customer_client, settings
):
    confirmed(customer_client, seconds_ago=settings.PENDING_LOGIN_SECONDS + 1, path=REPLACE)
    page = customer_client.get(REPLACE)
    assert page.status_code == 200
    assert page.templates[0].name == "accounts/password_confirm.html"


def test_it_opens_the_replacement_setup_with_a_fresh_confirmation(customer_client):
    page = confirmed(customer_client, path=REPLACE).get(REPLACE)
    assert page.templates[0].name == "accounts/authenticator_setup.html"
    assert page.context["replacing"] is True


def test_it_spends_the_confirmation_on_the_new_authenticator(customer_client, customer):
    confirmed(customer_client, path=REPLACE).get(REPLACE)
    new = TOTPDevice.objects.get(user=customer, confirmed=False)
    response = customer_client.post(REPLACE, {"code": totp_code(new)})
    assert response.url == reverse("accounts:recovery_codes")
    assert sudo.SESSION_KEY not in customer_client.session
    again = customer_client.get(REPLACE)
    assert again.templates[0].name == "accounts/password_confirm.html"


def test_it_never_opens_the_replacement_at_the_sign_in_setup(customer_client):
    """The pending sign-in's setup page knows nothing of sudo mode: a signed-in user with a
    fresh confirmation for the replacement has no sign-in under way there."""
    response = confirmed(customer_client, path=REPLACE).get(SETUP)
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    assert sudo.SESSION_KEY in customer_client.session, "nothing spent it"


def test_it_opens_only_the_page_the_password_was_confirmed_for(customer_client):
    customer_client.post(REGENERATE, {"password": PASSWORD})
    page = customer_client.get(REPLACE)
    assert page.templates[0].name == "accounts/password_confirm.html"


def test_it_does_not_open_the_replacement_setup_with_another_pages_confirmation(customer_client):
    confirmed(customer_client, path=REGENERATE)
    response = customer_client.get(SETUP)
    assert response.status_code == 302 and response.url != SETUP


def test_it_spends_the_confirmation_on_the_change_it_was_for(customer_client):
    customer_client.post(REGENERATE, {"password": PASSWORD})
    assert customer_client.post(REGENERATE).url == reverse("accounts:recovery_codes")
    assert not StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    again = customer_client.post(REGENERATE)
    assert again.templates[0].name == "accounts/password_confirm.html"
