"""Invitations and registration: the licence-delivery email, its link, and the first login."""

import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.services import invitation_create, invitation_resend
from accounts.tokens import hash_token, looks_like_token, new_token

pytestmark = pytest.mark.django_db
GOOD_PASSWORD = "Kasumi-Gaseki-2025!"


def link_of(message) -> str:
    return re.search(r"https?://\S+/accounts/register/[\w-]+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


@pytest.fixture
def invite(company, operator):
    def invite(email="hanako@example.co.jp", name="山田 花子", language="ja"):
        return invitation_create(
            email=email, full_name=name, company=company, language=language, invited_by=operator
        )

    return invite


def register(client, url, follow=False, **overrides):
    data = {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
    return client.post(path_of(url), data | overrides, follow=follow)


def invited_accounts():
    return User.objects.filter(email="hanako@example.co.jp")


def test_it_emails_the_invitation_in_japanese(invite, mailoutbox):
    invite(language="ja")
    (message,) = mailoutbox
    assert message.subject == "ESET Services HUB – 登録を完了してください"
    assert message.to == ["hanako@example.co.jp"]
    assert "登録の完了" in message.body
    html = message.alternatives[0][0]
    assert ">登録の完了</a>" in html
    assert link_of(message) in html


def test_it_emails_the_invitation_in_english(invite, mailoutbox):
    invite(language="en")
    (message,) = mailoutbox
    assert message.subject == "ESET Services HUB – Complete your registration"
    assert ">Complete registration</a>" in message.alternatives[0][0]


def test_it_stores_only_a_hash_of_a_long_random_token(invite, mailoutbox):
    invitation = invite()
    token = link_of(mailoutbox[0]).rstrip("/").rsplit("/", 1)[1]
    assert len(token) >= 26  # 160 bits in URL-safe base64
    assert invitation.token_hash == hash_token(token)
    assert token not in str(Invitation.objects.values().get())
    assert (invitation.expires_at - timezone.now()).days in (6, 7)


def test_it_registers_from_the_link_and_lands_on_the_dashboard(client, invite, mailoutbox):
    invite()
    url = link_of(mailoutbox[0])
    page = client.get(path_of(url), follow=True)
    content = page.content.decode()
    assert page.status_code == 200
    assert 'value="山田 花子"' in content and "disabled" in content
    assert 'value="hanako@example.co.jp"' in content
    assert "続行" in content

    response = register(client, url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "登録が完了しました" in response.content.decode()
    user = User.objects.get(email="hanako@example.co.jp")
    assert user.full_name == "山田 花子"
    assert user.company.name == "Example株式会社"
    assert user.terms_version == "2025-03"
    assert user.terms_accepted_at is not None
    assert user.language == "ja"
    assert Invitation.objects.get().user == user


def test_it_ignores_a_tampered_name_or_email_in_the_registration_post(client, invite, mailoutbox):
    invite()
    register(client, link_of(mailoutbox[0]), email="evil@attacker.example", full_name="Evil")
    assert invited_accounts().count() == 1
    assert not User.objects.filter(email="evil@attacker.example").exists()


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-A1!", "12"),
        ("alllowercase-12!", "大文字"),
        ("NoDigitsHere-Only!", "数字"),
        ("NoSpecial12345abc", "特殊文字"),
        ("x" * 1_000_000, "4096"),
    ],
)
def test_it_refuses_a_weak_password(client, invite, mailoutbox, password, message):
    invite()
    response = register(client, link_of(mailoutbox[0]), password1=password, password2=password)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not invited_accounts().exists()
    assert Invitation.objects.get().used_at is None


def test_it_refuses_mismatched_passwords_and_a_missing_terms_box(client, invite, mailoutbox):
    invite()
    url = link_of(mailoutbox[0])
    response = register(client, url, password2=GOOD_PASSWORD + "x")
    assert "2つのパスワードが一致しません" in response.content.decode()
    response = client.post(path_of(url), {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD})
    assert "利用規約に同意してください" in response.content.decode()
    assert not invited_accounts().exists()


def test_it_answers_a_used_link_with_its_own_page(client, invite, mailoutbox):
    invite()
    url = link_of(mailoutbox[0])
    register(client, url)
    other = Client()
    response = other.get(path_of(url), follow=True)
    assert response.status_code == 410
    assert 'data-problem="used"' in response.content.decode()
    assert register(other, url).status_code == 410
    assert invited_accounts().count() == 1


def test_it_answers_an_expired_link_with_its_own_page(client, invite, mailoutbox):
    invitation = invite()
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now())
    url = link_of(mailoutbox[0])
    response = client.get(path_of(url), follow=True)
    assert response.status_code == 410
    assert 'data-problem="expired"' in response.content.decode()
    assert register(client, url).status_code == 410
    assert not invited_accounts().exists()


@pytest.mark.parametrize(
    "mangle",
    [
        lambda token: token[:-1],
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
        lambda token: "x",
        lambda token: "%00" + token,
        lambda token: token + "<script>",
        lambda token: "A" * 500,
    ],
)
def test_it_answers_a_tampered_or_truncated_link_as_unknown(client, invite, mailoutbox, mangle):
    invite()
    url = link_of(mailoutbox[0])
    prefix, token = url.rstrip("/").rsplit("/", 1)
    tampered = mangle(token)
    response = client.get(path_of(f"{prefix}/{tampered}/"), follow=True)
    if "%00" in tampered:
        assert response.status_code == 400, "a NUL byte is refused before routing"
    else:
        assert response.status_code == 410, "other tampering reaches the link check"
        assert 'data-problem="unknown"' in response.content.decode()
    assert not invited_accounts().exists()


def test_it_replaces_the_old_link_when_the_invitation_is_sent_again(client, invite, mailoutbox):
    invitation = invite()
    invitation_resend(invitation=invitation)
    old, new = link_of(mailoutbox[0]), link_of(mailoutbox[1])
    assert old != new
    assert 'data-problem="unknown"' in client.get(path_of(old), follow=True).content.decode()
    assert client.get(path_of(new), follow=True).status_code == 200
    assert Invitation.objects.count() == 1


def test_it_refuses_to_invite_an_address_that_already_has_an_account(invite, customer):
    with pytest.raises(ValidationError):
        invite(email=customer.email.upper())


def test_it_says_already_registered_for_a_link_whose_address_got_an_account(
    client, invite, mailoutbox, make_user, company
):
    invite()
    make_user(email="hanako@example.co.jp", company=company)
    response = client.get(path_of(link_of(mailoutbox[0])), follow=True)
    assert 'data-problem="registered"' in response.content.decode()


def test_it_invites_from_the_command_line(company, mailoutbox):
    call_command(
        "invite", "--email", "jiro@example.co.jp", "--name", "次郎", "--company", company.name
    )
    assert Invitation.objects.get().email == "jiro@example.co.jp"
    assert len(mailoutbox) == 1


def test_it_invites_and_resends_from_the_admin(operator_client, company, mailoutbox):
    response = operator_client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "full_name": "<b>三郎</b>",
            "email": "saburo@example.co.jp",
            "company": company.pk,
            "language": "en",
        },
    )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert mailoutbox[-1].subject == "ESET Services HUB – Complete your registration"
    changelist = reverse("admin:accounts_invitation_changelist")
    listing = operator_client.get(changelist, {"status": "pending"}).content.decode()
    assert "&lt;b&gt;三郎&lt;/b&gt;" in listing and "<b>三郎</b>" not in listing
    operator_client.post(changelist, {"action": "resend", "_selected_action": [invitation.pk]})
    assert len([m for m in mailoutbox if m.to == ["saburo@example.co.jp"]]) == 2


@pytest.mark.django_db(transaction=True)
def test_it_makes_exactly_one_account_when_twenty_people_race_on_one_link(invite, mailoutbox):
    invite()
    url = path_of(link_of(mailoutbox[0]))
    statuses = []
    barrier = threading.Barrier(20)

    def attempt():
        client = Client()
        client.get(url)
        barrier.wait()
        response = client.post(
            url, {"password1": GOOD_PASSWORD, "password2": GOOD_PASSWORD, "accept_terms": "on"}
        )
        statuses.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert User.objects.filter(email="hanako@example.co.jp").count() == 1
    assert sorted(statuses) == [302] + [410] * 19


def test_it_takes_no_token_with_a_trailing_newline():
    token, _ = new_token()
    assert looks_like_token(token)
    assert not looks_like_token(token + "\n")
