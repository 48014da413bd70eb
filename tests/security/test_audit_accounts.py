"""The audit trail of passwords, invitations, registration and account changes in the admin."""

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts.models import Invitation, User
from accounts.services import invitation_create
from audit.models import AuditEvent
from tests.helpers import PASSWORD, log_in
from tests.security.auditing import (
    NEW_PASSWORD,
    assert_about,
    assert_from_visitor,
    everything_stored,
    only,
)

pytestmark = pytest.mark.django_db


def test_it_records_a_password_changed_in_the_profile_but_never_the_password(visitor, customer):
    log_in(visitor, customer)
    visitor.post(
        reverse("accounts:password_change"),
        {"current_password": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    event = only(audit.Action.PASSWORD_CHANGED)
    assert (event.actor, event.details) == (customer, {"via": "profile"})
    assert_from_visitor(event)
    assert_about(event, customer)
    assert NEW_PASSWORD not in everything_stored() and PASSWORD not in everything_stored()


def test_it_records_a_password_reset(visitor, customer, mailoutbox):
    visitor.post(reverse("accounts:password_reset"), {"email": customer.email})
    link = re.search(r"/accounts/password/reset/[\w-]+/", mailoutbox[-1].body).group(0)
    visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    event = only(audit.Action.PASSWORD_CHANGED)
    assert (event.actor, event.details) == (customer, {"via": "reset"})
    assert_from_visitor(event)
    stored = everything_stored()
    assert NEW_PASSWORD not in stored and link.split("/")[-2] not in stored


def test_it_records_an_invitation_sent_and_resent_in_the_admin_by_the_operator(
    operator_client, operator, company
):
    operator_client.post(
        reverse("admin:accounts_invitation_add"),
        {
            "full_name": "三郎",
            "email": "saburo@example.co.jp",
            "company": company.pk,
            "language": "en",
        },
    )
    invitation = Invitation.objects.get()
    operator_client.post(
        reverse("admin:accounts_invitation_changelist"),
        {"action": "resend", "_selected_action": [invitation.pk]},
    )
    sent = AuditEvent.objects.filter(action=audit.Action.INVITATION_SENT)
    assert sent.count() == 2
    for event in sent:
        assert (event.actor, event.subject_label) == (operator, "saburo@example.co.jp")
        assert event.client_ip == "127.0.0.1"
        assert_about(event, invitation)


def test_it_records_an_invitation_from_the_command_line_without_an_actor(company):
    call_command(
        "invite", "--email", "jiro@example.co.jp", "--name", "次郎", "--company", company.name
    )
    event = only(audit.Action.INVITATION_SENT)
    assert (event.actor, event.client_ip, event.subject_label) == (None, None, "jiro@example.co.jp")


def test_it_records_registration_as_the_invitation_used_and_a_password_set(
    visitor, company, mailoutbox
):
    invitation = invitation_create(
        email="hanako@example.co.jp", full_name="山田 花子", company=company, language="ja"
    )
    link = re.search(r"/accounts/register/[\w-]+/", mailoutbox[-1].body).group(0)
    visitor.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "accept_terms": "on"})
    user = User.objects.get(email="hanako@example.co.jp")
    used = only(audit.Action.INVITATION_USED)
    assert used.actor == user
    assert_from_visitor(used)
    assert_about(used, invitation)
    password = only(audit.Action.PASSWORD_CHANGED)
    assert (password.actor, password.details) == (user, {"via": "registration"})
    stored = everything_stored()
    assert NEW_PASSWORD not in stored and link.split("/")[-2] not in stored


def test_it_records_a_trainer_reset(settings, catalogue):
    settings.DEMO_MODE = True
    call_command("demo", "--reset", verbosity=0)
    event = only(audit.Action.TRAINER_RESET)
    assert (event.actor, event.client_ip) == (None, None)


def test_it_records_an_operator_setting_a_password_in_the_admin(visitor, operator, customer):
    log_in(visitor, operator)
    response = visitor.post(
        f"/admin/accounts/user/{customer.pk}/password/",
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    event = only(audit.Action.PASSWORD_CHANGED)
    assert event.actor == operator and event.details["by"] == "admin"
    assert_about(event, customer)
    assert_from_visitor(event)
    assert NEW_PASSWORD not in everything_stored()


def test_it_records_access_rights_changed_in_the_admin(operator_client, operator, make_user):
    user = make_user(email="new.operator@eset.example", full_name="New")
    data = {
        "email": user.email,
        "full_name": user.full_name,
        "language": "ja",
        "time_zone": "Asia/Tokyo",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }
    response = operator_client.post(f"/admin/accounts/user/{user.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = only(audit.Action.PERMISSIONS_CHANGED)
    assert event.actor == operator and event.details["fields"] == ["is_staff"]
    assert_about(event, user)


def test_it_records_second_factors_removed_in_the_admin(operator_client, operator, customer):
    device = TOTPDevice.objects.get(user=customer)
    response = operator_client.post(
        f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    event = only(audit.Action.FACTOR_REMOVED)
    assert event.actor == operator and event.details["by"] == "admin"
    assert_about(event, customer)
