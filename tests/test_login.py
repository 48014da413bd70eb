"""Login with the second factor: setup on the second login, codes, recovery codes, throttling."""

import base64
import datetime as dt
import re
import threading
import time

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import pending
from accounts.models import LoginThrottle
from tests.helpers import PASSWORD, RECOVERY_CODES, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:two_factor")


def let_the_device_throttle_pass(device):
    """django-otp waits 1 s, 2 s, 4 s … after each wrong code; a person is slower than a test."""
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_timestamp=timezone.now() - dt.timedelta(hours=1)
    )


def rewind_throttles(seconds):
    for row in LoginThrottle.objects.exclude(last_failure_at=None):
        row.last_failure_at -= dt.timedelta(seconds=seconds)
        row.save()


def password_step(client, user, password=PASSWORD, **extra):
    return client.post(LOGIN, {"email": user.email, "password": password, **extra})


@pytest.fixture
def newcomer(make_user, company):
    """Registered (first login done by the invitation), no second factor yet."""
    return make_user(email="newcomer@example.co.jp", full_name="新人", company=company)


def test_it_asks_a_user_without_a_device_to_set_up_two_factor_on_the_next_login(
    client, newcomer, mailoutbox
):
    response = password_step(client, newcomer)
    assert response.url == VERIFY
    response = client.get(VERIFY)
    assert response.url == reverse("accounts:two_factor_method")
    method = client.get(response.url).content.decode()
    assert "Authenticatorアプリケーションからの確認コードを使用" in method

    setup = client.get(reverse("accounts:authenticator_setup"))
    content = setup.content.decode()
    assert "<svg" in content and "<img" not in content
    key = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', content).group(1)
    device = TOTPDevice.objects.get(user=newcomer)
    assert not device.confirmed
    assert base64.b32decode(key.replace(" ", "")) == device.bin_key

    assert client.get("/").status_code == 302, "nothing else is reachable yet"

    wrong = client.post(reverse("accounts:authenticator_setup"), {"code": "000000"})
    assert "このコードは無効です" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed

    let_the_device_throttle_pass(device)
    response = client.post(reverse("accounts:authenticator_setup"), {"code": totp_code(device)})
    assert response.url == reverse("accounts:recovery_codes")
    device.refresh_from_db()
    assert device.confirmed
    codes_page = client.get(response.url).content.decode()
    codes = re.findall(r"<li class=\"col\"><code>(\w+)</code></li>", codes_page)
    assert len(codes) == 10 and len(set(codes)) == 10
    download = client.get(reverse("accounts:recovery_codes_download"))
    assert download["Content-Disposition"].startswith("attachment")
    assert all(code in download.content.decode() for code in codes)

    assert client.post(reverse("accounts:recovery_codes")).url == "/"
    assert client.get(reverse("accounts:recovery_codes")).url == reverse("accounts:profile")
    assert client.get("/").status_code == 200
    (notice,) = [m for m in mailoutbox if "確認方法が追加されました" in m.subject]
    assert notice.to == [newcomer.email]


def test_it_asks_for_the_code_on_every_later_login(client, customer):
    response = password_step(client, customer)
    assert response.url == VERIFY
    page = client.get(VERIFY).content.decode()
    assert "確認コード" in page
    assert client.get("/").status_code == 302
    device = TOTPDevice.objects.get(user=customer)
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.url == "/"
    assert client.get("/").status_code == 200


@pytest.mark.parametrize("shape", [" {} ", "{0[0]}{0[1]}{0[2]} {0[3]}{0[4]}{0[5]}", "full-width"])
def test_it_accepts_the_code_as_people_type_it(client, customer, shape):
    device = TOTPDevice.objects.get(user=customer)
    code = totp_code(device)
    if shape == "full-width":
        typed = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    else:
        typed = shape.format(code)
    password_step(client, customer)
    assert client.post(VERIFY, {"code": typed}).url == "/"


@pytest.mark.parametrize("typed", ["", "12345", "1234567", "abcdef", "12345６７", "x" * 5000])
def test_it_refuses_malformed_codes_with_a_clear_error(client, customer, typed):
    password_step(client, customer)
    response = client.post(VERIFY, {"code": typed})
    assert response.status_code == 200
    assert "errorlist" in response.content.decode() or "invalid-feedback" in (
        response.content.decode()
    )
    assert client.get("/").status_code == 302


def test_it_refuses_a_code_used_once_already(client, customer):
    device = TOTPDevice.objects.get(user=customer)
    code = totp_code(device)
    password_step(client, customer)
    assert client.post(VERIFY, {"code": code}).url == "/"
    other = Client()
    password_step(other, customer)
    response = other.post(VERIFY, {"code": code})
    assert response.status_code == 200
    assert "一度だけ使用できます" in response.content.decode()


def test_it_accepts_one_step_of_drift_but_not_two(client, customer):
    device = TOTPDevice.objects.get(user=customer)
    password_step(client, customer)
    assert client.post(VERIFY, {"code": totp_code(device, steps=-2)}).status_code == 200
    let_the_device_throttle_pass(device)
    assert client.post(VERIFY, {"code": totp_code(device, steps=-1)}).url == "/"


def test_it_spends_a_recovery_code_on_use(client, customer):
    password_step(client, customer)
    response = client.post(VERIFY, {"code": RECOVERY_CODES[0].upper()})
    assert response.url == "/"
    assert not StaticToken.objects.filter(token=RECOVERY_CODES[0]).exists()
    other = Client()
    password_step(other, customer)
    assert other.post(VERIFY, {"code": RECOVERY_CODES[0]}).status_code == 200


def test_it_forgets_a_half_finished_login_after_ten_minutes(client, customer):
    password_step(client, customer)
    session = client.session
    session[pending.SESSION_KEY]["started"] = time.time() - 601
    session.save()
    device = TOTPDevice.objects.get(user=customer)
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert response.url == LOGIN
    assert client.get("/").status_code == 302


@pytest.mark.parametrize(
    "path",
    ["/", "/accounts/profile/", "/admin/", "/accounts/two-factor/recovery-codes/download/"],
)
def test_it_lets_a_half_logged_in_session_reach_nothing(client, customer, operator, path):
    password_step(client, operator)
    response = client.get(path)
    assert response.status_code == 302
    assert response.url.startswith(LOGIN) or response.url.startswith("/admin/login/")


def test_it_rotates_the_session_key_at_login(client, customer):
    client.get(LOGIN)
    password_step(client, customer)
    before = client.session.session_key
    device = TOTPDevice.objects.get(user=customer)
    client.post(VERIFY, {"code": totp_code(device)})
    assert client.session.session_key != before


@pytest.mark.parametrize(
    "target", ["//evil.example", "https:evil.example", "\\\\evil.example", "https://evil.example/"]
)
def test_it_never_follows_next_off_site(client, customer, target):
    password_step(client, customer, next=target)
    device = TOTPDevice.objects.get(user=customer)
    assert client.post(VERIFY, {"code": totp_code(device)}).url == "/"


def test_it_follows_next_on_site(client, customer):
    password_step(client, customer, next="/accounts/profile/")
    device = TOTPDevice.objects.get(user=customer)
    assert client.post(VERIFY, {"code": totp_code(device)}).url == "/accounts/profile/"


def test_it_logs_in_by_email_whatever_its_case(client, customer):
    response = client.post(LOGIN, {"email": customer.email.upper(), "password": PASSWORD})
    assert response.url == VERIFY


def test_it_refuses_a_wrong_password_with_a_translated_error(client, customer):
    response = password_step(client, customer, password="wrong")
    assert "正しいメールアドレスとパスワードを入力してください。" in response.content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": LOGIN})
    response = password_step(client, customer, password="wrong")
    assert "Enter a correct email address and password." in response.content.decode()


@pytest.mark.parametrize("password", ["x" * 1_000_000, "パスワード🔑\u202e\u0000"])
def test_it_refuses_huge_and_exotic_passwords_without_error(client, customer, password):
    response = password_step(client, customer, password=password)
    # NUL is refused before any form (tests/security/test_bad_input.py).
    assert response.status_code == (400 if "\x00" in password else 200)
    assert client.get("/").status_code == 302


def test_it_slows_down_then_locks_wrong_passwords_per_account(client, customer):
    for _ in range(5):
        assert (
            "正しいメールアドレスとパスワード"
            in password_step(client, customer, password="wrong").content.decode()
        )
    response = password_step(client, customer)  # even the right password waits now
    assert "失敗した試行が多すぎます" in response.content.decode()
    assert re.search(r"\d{1,2}:\d{2}", response.content.decode()), "shows the unlock time"
    # Past each growing delay (at most 5 minutes), the 10th failure locks for 30 minutes.
    for _ in range(5):
        rewind_throttles(301)
        password_step(client, customer, password="wrong")
    account = LoginThrottle.objects.get(key__startswith="password:account:")
    assert account.failures == 10
    rewind_throttles(301)
    response = password_step(Client(REMOTE_ADDR="10.9.9.9"), customer)
    assert "失敗した試行が多すぎます" in response.content.decode(), "locked from any address"
    rewind_throttles(1500)
    assert password_step(Client(REMOTE_ADDR="10.9.9.9"), customer).url == VERIFY


def test_it_slows_down_a_client_address_guessing_many_accounts(client, make_user, company):
    users = [make_user(company=company) for _ in range(21)]
    for user in users[:20]:
        password_step(client, user, password="wrong")
    response = password_step(client, users[20])
    assert "失敗した試行が多すぎます" in response.content.decode()
    other_address = Client(REMOTE_ADDR="192.0.2.1")
    assert password_step(other_address, users[20]).url == VERIFY


def test_it_throttles_wrong_codes_before_a_hundred_an_hour(client, customer):
    password_step(client, customer)
    for _ in range(5):
        client.post(VERIFY, {"code": "000000"})
    device = TOTPDevice.objects.get(user=customer)
    response = client.post(VERIFY, {"code": totp_code(device)})
    assert "失敗した試行が多すぎます" in response.content.decode()
    assert client.get("/").status_code == 302


def test_it_keeps_a_customer_out_of_the_admin(customer_client):
    response = customer_client.get("/admin/")
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    changelist = customer_client.get(reverse("admin:accounts_user_changelist"))
    assert changelist.status_code == 302
    assert changelist.url.startswith(reverse("admin:login"))


def test_it_refuses_the_admin_to_an_operator_without_the_second_factor(client, operator):
    client.force_login(operator)  # a session that never passed the second factor
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url or "/admin/login/" in response.url


def test_it_lets_an_operator_with_the_second_factor_into_the_admin(operator_client):
    assert operator_client.get("/admin/").status_code == 200
    assert operator_client.get(reverse("admin:accounts_company_changelist")).status_code == 200


def test_it_sends_the_admin_login_to_the_portal_login(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


def test_it_ends_an_unverified_session_once_the_user_has_a_device(client, customer):
    client.force_login(customer)  # e.g. the session opened by registration
    response = client.get("/")
    assert response.url == LOGIN
    assert client.get("/").status_code == 302


def test_it_logs_out_by_post_only(customer_client):
    assert customer_client.get(reverse("accounts:logout")).status_code == 405
    assert customer_client.get("/").status_code == 200, "a GET leaves the session alone"
    customer_client.post(reverse("accounts:logout"))
    response = customer_client.get("/")
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


@pytest.mark.django_db(transaction=True)
def test_it_accepts_a_code_once_even_under_twenty_parallel_submissions(customer):
    device = TOTPDevice.objects.get(user=customer)
    clients = []
    for _ in range(20):
        c = Client()
        password_step(c, customer)
        clients.append(c)
    # The password steps above counted against the address; a success takes one back each.
    code = totp_code(device)
    results = []
    barrier = threading.Barrier(20)

    def submit(c):
        barrier.wait()
        response = c.post(VERIFY, {"code": code})
        results.append(response.status_code == 302 and response.url == "/")
        connection.close()

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count(True) == 1
