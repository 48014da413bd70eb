"""My profile: time zone, language, notifications, password, recovery codes, authenticator."""

import re

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.helpers import PASSWORD, RECOVERY_CODES, totp_code

pytestmark = pytest.mark.django_db
PROFILE = reverse("accounts:profile")
NEW_PASSWORD = "Fuji-san-3776m!"


def test_it_saves_time_zone_language_and_notification_choice(customer_client, customer):
    response = customer_client.post(
        PROFILE,
        {"time_zone": "Europe/Bratislava", "language": "en", "notify_own_cases_only": "on"},
    )
    assert response.url == PROFILE
    customer.refresh_from_db()
    assert (customer.time_zone, customer.language) == ("Europe/Bratislava", "en")
    assert customer.notify_own_cases_only
    page = customer_client.get(PROFILE)
    assert '<html lang="en">' in page.content.decode()
    assert page.context["TIME_ZONE"] == "Europe/Bratislava"


def test_it_refuses_an_unknown_time_zone_and_language(customer_client, customer):
    response = customer_client.post(
        PROFILE, {"time_zone": "Mars/Olympus", "language": "xx", "notify_own_cases_only": ""}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"time_zone", "language"}
    customer.refresh_from_db()
    assert customer.time_zone == "Asia/Tokyo"


def test_it_remembers_the_language_switch_on_the_profile(customer_client, customer):
    customer_client.post(reverse("set_language"), {"language": "en", "next": PROFILE})
    customer.refresh_from_db()
    assert customer.language == "en"


def test_it_shows_the_company_name_of_the_user_only(customer_client, other_company):
    content = customer_client.get(PROFILE).content.decode()
    assert "Example株式会社" in content
    assert other_company.name not in content


def test_it_changes_the_password_only_with_the_current_one(customer_client, customer, mailoutbox):
    url = reverse("accounts:password_change")
    wrong = customer_client.post(
        url, {"current_password": "nope", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert "パスワードが正しくありません" in wrong.content.decode()
    weak = customer_client.post(
        url, {"current_password": PASSWORD, "password1": "weak", "password2": "weak"}
    )
    assert weak.status_code == 200
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)

    response = customer_client.post(
        url, {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.url == PROFILE
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    assert customer_client.get(PROFILE).status_code == 200, "stays signed in"
    assert mailoutbox[-1].subject.endswith("パスワードが変更されました")


def test_it_regenerates_recovery_codes_with_the_password(customer_client, customer, mailoutbox):
    url = reverse("accounts:recovery_codes_regenerate")
    assert customer_client.post(url, {"password": "wrong"}).status_code == 200
    assert StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    assert customer_client.post(url, {"password": PASSWORD}).url == url, "back, as a GET"
    assert StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    response = customer_client.post(url)
    assert response.url == reverse("accounts:recovery_codes")
    page = customer_client.get(response.url).content.decode()
    codes = re.findall(r"<li class=\"col\"><code>(\w+)</code></li>", page)
    assert len(codes) == 10
    assert not StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    assert StaticToken.objects.filter(device__user=customer).count() == 10
    assert "リカバリーコードが作成されました" in mailoutbox[-1].subject


def test_it_replaces_the_authenticator_after_the_password(
    customer_client, customer, mailoutbox, client
):
    old = TOTPDevice.objects.get(user=customer)
    url = reverse("accounts:authenticator_replace")
    assert customer_client.get(reverse("accounts:authenticator_setup")).url == reverse(
        "accounts:login"
    ), "no setup page without the password"
    assert customer_client.post(url, {"password": PASSWORD}).url == url
    page = customer_client.get(url)
    assert page.templates[0].name == "accounts/authenticator_setup.html"
    assert page.context["replacing"] is True
    new = TOTPDevice.objects.get(user=customer, confirmed=False)
    response = customer_client.post(url, {"code": totp_code(new)})
    assert response.url == reverse("accounts:recovery_codes")
    assert customer_client.get(response.url).status_code == 200, "the new codes follow"
    assert list(TOTPDevice.objects.filter(user=customer)) == [new]
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    assert "確認方法が追加されました" in mailoutbox[-1].subject


def test_it_requires_login_for_the_profile(client):
    assert client.get(PROFILE).url.startswith(reverse("accounts:login"))


def test_it_lets_a_registered_user_set_up_two_factor_from_the_profile(client, make_user, company):
    user = make_user(company=company)
    client.force_login(user)  # the session registration opens
    page = client.get(PROFILE).content.decode()
    assert "未設定" in page
    client.post(reverse("accounts:authenticator_replace"), {"password": PASSWORD})
    client.get(reverse("accounts:authenticator_replace"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:authenticator_replace"), {"code": totp_code(device)})
    assert response.url == reverse("accounts:recovery_codes")
    assert client.get(PROFILE).status_code == 200, "the session is now verified"
    client.logout()
    response = client.post(reverse("accounts:login"), {"email": user.email, "password": PASSWORD})
    assert response.url == reverse("accounts:two_factor"), "from now on the code is asked"
