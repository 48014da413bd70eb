"""Password reset by email: single-use, expiring, and never a way around the second factor."""

import re
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import PasswordReset
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db
NEW_PASSWORD = "Fuji-san-3776m!"


def request_link(client, email, mailoutbox) -> str:
    client.post(reverse("accounts:password_reset"), {"email": email})
    url = re.search(r"https?://\S+/accounts/password/reset/[\w-]+/", mailoutbox[-1].body).group(0)
    return "/" + url.split("/", 3)[3]


def test_it_resets_the_password_but_still_asks_for_the_second_factor(client, customer, mailoutbox):
    path = request_link(client, customer.email.upper(), mailoutbox)
    assert "パスワードのリセット" in mailoutbox[-1].subject
    assert client.get(path, follow=True).status_code == 200
    response = client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.url == reverse("accounts:login")
    assert client.get("/").status_code == 302, "not logged in by the reset"
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)
    response = client.post(
        reverse("accounts:login"), {"email": customer.email, "password": NEW_PASSWORD}
    )
    assert response.url == reverse("accounts:two_factor")
    assert client.get("/").status_code == 302


def test_it_answers_the_same_for_an_unknown_address(client, customer, mailoutbox):
    known = client.post(reverse("accounts:password_reset"), {"email": customer.email})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})

    def without_csrf(response):
        return re.sub(r"[A-Za-z0-9]{64}", "", response.content.decode())

    assert without_csrf(known) == without_csrf(unknown)
    assert len(mailoutbox) == 1


def test_it_uses_a_link_once(client, customer, mailoutbox):
    path = request_link(client, customer.email, mailoutbox)
    client.post(path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    again = Client().post(path, {"password1": "Other-pass-123!", "password2": "Other-pass-123!"})
    assert again.status_code == 410
    customer.refresh_from_db()
    assert customer.check_password(NEW_PASSWORD)


def test_it_refuses_an_expired_or_replaced_link(client, customer, mailoutbox):
    first = request_link(client, customer.email, mailoutbox)
    second = request_link(client, customer.email, mailoutbox)
    assert client.get(first, follow=True).status_code == 410, "a newer link replaces it"
    PasswordReset.objects.update(expires_at=timezone.now())
    response = client.get(second, follow=True)
    assert response.status_code == 410
    assert 'data-problem="expired"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_it_refuses_a_weak_new_password(client, customer, mailoutbox):
    path = request_link(client, customer.email, mailoutbox)
    response = client.post(path, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    assert PasswordReset.objects.get().used_at is None


@pytest.mark.django_db(transaction=True)
def test_it_redeems_a_link_once_under_twenty_parallel_attempts(customer, mailoutbox):
    path = request_link(Client(), customer.email, mailoutbox)
    statuses = []
    barrier = threading.Barrier(20)

    def attempt(n):
        barrier.wait()
        password = f"Parallel-{n:02d}-pass!"
        response = Client().post(path, {"password1": password, "password2": password})
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302] + [410] * 19
