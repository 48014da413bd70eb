"""The `signed_in_client` fixture's shortcut leaves what the two real sign-in steps leave."""

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.test import Client
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from tests.helpers import log_in

pytestmark = pytest.mark.django_db
KEYS = [USER_SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, DEVICE_ID_SESSION_KEY]


def test_it_holds_what_the_password_and_the_code_leave_in_the_session(signed_in_client, customer):
    walked = Client()
    log_in(walked, customer)
    shortcut = signed_in_client(customer)
    assert [shortcut.session[k] for k in KEYS] == [walked.session[k] for k in KEYS]


def test_it_opens_the_portal_and_an_operators_admin(signed_in_client, customer, operator):
    assert signed_in_client(customer).get(reverse("accounts:profile")).status_code == 200
    assert signed_in_client(operator).get(reverse("admin:index")).status_code == 200


def test_it_keeps_the_customer_and_the_operator_clients_apart(
    customer_client, operator_client, customer, operator
):
    assert customer_client.session[USER_SESSION_KEY] == str(customer.pk)
    assert operator_client.session[USER_SESSION_KEY] == str(operator.pk)
