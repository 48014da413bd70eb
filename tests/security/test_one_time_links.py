"""One-time links opened in a browser: the token leaves the address on the first GET, and each
link keeps a slot of its own, so two links in one browser are never mixed up."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.services import invitation_create
from tests.helpers import PASSWORD

pytestmark = pytest.mark.django_db
NEW = "Kasumi-Gaseki-2025!"


def path_in(message, kind) -> str:
    return re.search(rf"https?://[^/\s]+(/accounts/{kind}/[\w-]+/)", message.body).group(1)


def test_it_moves_the_token_out_of_the_address_on_the_first_get(client, company, mailoutbox):
    invitation_create(email="a@example.co.jp", full_name="A", company=company, language="en")
    link = path_in(mailoutbox[-1], "register")
    response = client.get(link)
    assert response.status_code == 302
    assert "set-password-" in response.url
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in response.url
    page = client.get(response.url).content.decode()
    assert token not in page and "a@example.co.jp" in page


def test_it_registers_the_invitation_whose_form_was_shown(client, company, mailoutbox):
    """The victim opens their invitation; a page of the attacker's makes the same browser open
    the attacker's invitation. The victim's form still registers the victim's invitation."""
    invitation_create(email="victim@example.co.jp", full_name="V", company=company, language="en")
    victims = path_in(mailoutbox[-1], "register")
    invitation_create(email="mallory@example.co.jp", full_name="M", company=company, language="en")
    attackers = path_in(mailoutbox[-1], "register")

    form_page = client.get(victims).url
    client.get(attackers)
    response = client.post(
        form_page, {"password1": NEW, "password2": NEW, "accept_terms": "on"}, follow=True
    )
    assert response.status_code == 200
    assert User.objects.filter(email="victim@example.co.jp").exists()
    assert not User.objects.filter(email="mallory@example.co.jp").exists()


def test_it_resets_the_password_of_the_link_whose_form_was_shown(
    client, customer, colleague, mailoutbox
):
    client.post(reverse("accounts:password_reset"), {"email": customer.email})
    mine = path_in(mailoutbox[-1], "password/reset")
    client.post(reverse("accounts:password_reset"), {"email": colleague.email})
    theirs = path_in(mailoutbox[-1], "password/reset")

    form_page = client.get(mine).url
    client.get(theirs)
    client.post(form_page, {"password1": NEW, "password2": NEW})
    customer.refresh_from_db()
    colleague.refresh_from_db()
    assert customer.check_password(NEW)
    assert colleague.check_password(PASSWORD)


def test_it_forgets_opened_links_when_someone_signs_in_on_the_browser(
    client, customer, colleague, mailoutbox
):
    client.post(reverse("accounts:password_reset"), {"email": customer.email})
    form_page = client.get(path_in(mailoutbox[-1], "password/reset")).url
    client.post(reverse("accounts:login"), {"email": colleague.email, "password": PASSWORD})
    response = client.post(form_page, {"password1": NEW, "password2": NEW})
    assert response.status_code == 410
    customer.refresh_from_db()
    assert customer.check_password(PASSWORD)


def test_it_answers_a_made_up_slot_as_an_unknown_link(client):
    response = client.get(reverse("accounts:register", args=["set-password-abcdef"]))
    assert response.status_code == 410
    assert 'data-problem="unknown"' in response.content.decode()
