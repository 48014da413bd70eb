"""One-time links share one state machine: pending until used or out of time (hub/one_time.py)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, PasswordReset
from hub.one_time import LinkStatus
from tests.factories import create_invitation

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def links(company, customer):
    """One invitation and one password reset in each state."""
    now = timezone.now()
    made = {}
    for status, expires_at, used_at in (
        (LinkStatus.PENDING, now + HOUR, None),
        (LinkStatus.USED, now - HOUR, now - 2 * HOUR),
        (LinkStatus.EXPIRED, now - HOUR, None),
    ):
        invitation = create_invitation(company, email=f"{status}@example.com")
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=expires_at, used_at=used_at)
        reset = PasswordReset(user=customer)
        reset.renew(HOUR)
        reset.expires_at, reset.used_at = expires_at, used_at
        reset.save()
        made[status] = (Invitation.objects.get(pk=invitation.pk), reset)
    return made


@pytest.mark.parametrize("model", [Invitation, PasswordReset])
def test_it_finds_each_state_with_its_queryset_method(links, model):
    rows = model.objects
    assert [link.status() for link in rows.pending()] == [LinkStatus.PENDING]
    assert [link.status() for link in rows.used()] == [LinkStatus.USED]
    assert [link.status() for link in rows.expired()] == [LinkStatus.EXPIRED]
    assert {link.status() for link in rows.unused()} == {LinkStatus.PENDING, LinkStatus.EXPIRED}


def test_it_answers_the_status_at_a_given_time(links):
    invitation, reset = links[LinkStatus.PENDING]
    later = timezone.now() + 2 * HOUR
    assert invitation.status(later) == reset.status(later) == LinkStatus.EXPIRED
    assert list(Invitation.objects.expired(later)) != list(Invitation.objects.expired())
    used, _ = links[LinkStatus.USED]
    assert used.status(later) == LinkStatus.USED, "used stays used once its time is up"


def test_it_claims_a_pending_link_once_and_never_an_expired_one(links):
    pending, _ = links[LinkStatus.PENDING]
    assert pending.claim() is True
    assert pending.claim() is False
    assert Invitation.objects.get(pk=pending.pk).status() == LinkStatus.USED
    expired, _ = links[LinkStatus.EXPIRED]
    assert expired.claim() is False
    assert Invitation.objects.get(pk=expired.pk).status() == LinkStatus.EXPIRED


@pytest.mark.parametrize("status", LinkStatus.values)
def test_it_the_admin_filter_lists_the_invitations_of_one_status(links, operator_client, status):
    page = operator_client.get(reverse("admin:accounts_invitation_changelist"), {"status": status})
    assert list(page.context["cl"].queryset) == [links[status][0]]


def test_it_the_admin_calls_a_used_invitation_registered(links, operator_client):
    page = operator_client.get(reverse("admin:accounts_invitation_changelist"))
    choices = dict(page.context["cl"].filter_specs[0].lookup_choices)
    assert choices[LinkStatus.USED] == "登録済み"
    used = operator_client.get(
        reverse("admin:accounts_invitation_changelist"), {"status": LinkStatus.USED}
    )
    assert '<td class="field-status_label">登録済み</td>' in used.content.decode()


def test_it_lets_no_link_win_once_its_secret_was_renewed(company):
    presented = create_invitation(company)
    resent = Invitation.objects.get(pk=presented.pk)
    resent.renew(HOUR)
    resent.save()
    assert presented.claim() is False, "the old link was replaced between look-up and claim"
    assert resent.claim() is True
