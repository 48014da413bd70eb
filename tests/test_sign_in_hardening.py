"""Sign-in edge cases found in review: each would otherwise weaken the second factor."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Invitation, LoginThrottle
from accounts.services import invitation_resend
from hub.models import OutboundEmail
from tests.factories import create_invitation
from tests.helpers import PASSWORD, log_in, totp_code

pytestmark = pytest.mark.django_db
LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor")
SETUP = reverse("accounts:authenticator_setup")


def password_step(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": user.email, "password": password, **extra})


def test_it_forgets_one_time_links_in_sent_mail_and_hides_bodies_from_the_admin(
    company, operator_client
):
    create_invitation(company, email="a@example.com")
    email = OutboundEmail.objects.get(to="a@example.com")
    assert email.sent_at is not None
    assert email.body_text == "" and email.body_html == ""
    page = operator_client.get(reverse("admin:hub_outboundemail_change", args=[email.pk]))
    assert page.status_code == 200
    assert "/accounts/register/" not in page.content.decode()


def test_it_keeps_bodies_when_the_outbox_is_meant_to_show_them(company, settings):
    settings.OUTBOX_KEEP_BODIES = True
    create_invitation(company, email="b@example.com")
    assert "/accounts/register/" in OutboundEmail.objects.get(to="b@example.com").body_text


def test_it_refuses_a_code_two_steps_old_even_after_a_late_login(client, customer):
    device = TOTPDevice.objects.get(user=customer)
    password_step(client, customer)
    assert client.post(VERIFY, {"code": totp_code(device, steps=-1)}).url == "/"
    device.refresh_from_db()
    assert device.drift == 0, "accepting an old code does not widen the window"


def test_it_never_shows_one_setup_key_to_two_sessions(make_user, company):
    user = make_user(company=company)
    attacker, owner = Client(), Client()
    password_step(attacker, user)
    attacker.get(SETUP)
    seen_by_attacker = TOTPDevice.objects.get(user=user).bin_key
    password_step(owner, user)
    owner.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    assert device.bin_key != seen_by_attacker
    owner.post(SETUP, {"code": totp_code(device)})
    device.refresh_from_db()
    assert device.confirmed


def test_it_answers_a_customer_in_the_admin_with_403_not_a_redirect_loop(customer_client):
    response = customer_client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 2


@pytest.mark.parametrize("target", ["foo", "home", "accounts:profile", "javascript:alert(1)"])
def test_it_goes_home_for_a_next_that_is_not_a_path(client, customer, target):
    password_step(client, customer, next=target)
    device = TOTPDevice.objects.get(user=customer)
    assert client.post(VERIFY, {"code": totp_code(device)}).url == "/"
    assert client.get(f"{LOGIN}?next={target}").url == "/"


def test_it_ends_a_half_finished_login_when_the_password_changes(client, customer):
    password_step(client, customer)
    customer.set_password("Another-Password-42!")
    customer.save()
    device = TOTPDevice.objects.get(user=customer)
    assert client.post(VERIFY, {"code": totp_code(device)}).url == LOGIN


def test_it_refuses_an_enormous_code_before_normalising_it(client, customer):
    password_step(client, customer)
    response = client.post(VERIFY, {"code": "\ufdfa" * 100_000})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()["code"]
    assert [error.code for error in errors] == ["max_length"]
    assert "_auth_user_id" not in client.session


def test_it_throttles_password_reset_requests(client, customer, mailoutbox):
    for _ in range(30):
        client.post(reverse("accounts:password_reset"), {"email": customer.email})
    assert 1 <= len(mailoutbox) <= 10


def test_it_never_revives_a_used_invitation_from_a_stale_resend(company, client, mailoutbox):
    stale = create_invitation(company, email="c@example.com")
    Invitation.objects.filter(pk=stale.pk).update(used_at=stale.created_at)
    with pytest.raises(ValidationError):
        invitation_resend(invitation=stale)
    assert Invitation.objects.get(pk=stale.pk).used_at is not None


def test_it_ends_the_registration_session_with_the_browser(company, client, mailoutbox):
    create_invitation(company, email="d@example.com")
    url = re.search(r"/accounts/register/[\w-]+/", mailoutbox[0].body).group(0)
    password = "Kasumi-Gaseki-2025!"
    client.post(url, {"password1": password, "password2": password, "accept_terms": "on"})
    assert client.get("/").status_code == 200
    assert client.session.get_expire_at_browser_close()


def test_it_counts_clients_behind_our_proxy_by_their_forwarded_address(settings, customer):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(25):
        Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").post(
            LOGIN, {"email": f"nobody{n}@example.com", "password": "wrong"}
        )
    proxy_user = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert password_step(proxy_user, customer).url == VERIFY, "others' failures do not count"
    assert not LoginThrottle.objects.filter(key="password:address:10.0.0.1").exists()


def test_it_counts_an_ipv6_client_per_64_block(customer):
    for n in range(20):
        Client(REMOTE_ADDR=f"2001:db8:1:2::{n:x}").post(
            LOGIN, {"email": f"nobody{n}@example.com", "password": "wrong"}
        )
    same_block = Client(REMOTE_ADDR="2001:db8:1:2:ffff::1")
    assert "失敗した試行が多すぎます" in password_step(same_block, customer).content.decode()
    other_block = Client(REMOTE_ADDR="2001:db8:1:3::1")
    assert password_step(other_block, customer).url == VERIFY


def test_it_still_logs_in_normally(client, customer):
    log_in(client, customer)
    assert client.get("/").status_code == 200
