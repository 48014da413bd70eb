"""Mail never breaks the action that sends it: a failed delivery is kept and retried."""

import time

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import Invitation
from accounts.services import invitation_create
from hub.models import OutboundEmail

pytestmark = pytest.mark.django_db


def test_it_keeps_an_invitation_when_the_mail_server_is_down_and_retries(
    company, settings, mailoutbox
):
    settings.EMAIL_BACKEND = "tests.helpers.BrokenBackend"
    invitation = invitation_create(
        email="hanako@example.co.jp", full_name="山田 花子", company=company, language="ja"
    )
    assert Invitation.objects.filter(pk=invitation.pk).exists()
    queued = OutboundEmail.objects.get()
    assert queued.sent_at is None and queued.attempts == 1
    assert "mail server down" in queued.last_error

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    call_command("send_queued_email", verbosity=0)
    queued.refresh_from_db()
    assert queued.sent_at is not None
    assert mail.outbox[-1].subject == "ESET Services HUB – 登録を完了してください"
    call_command("send_queued_email", verbosity=0)
    assert len(mail.outbox) == 1, "sent once"


def test_it_keeps_user_text_inert_in_email(company, mailoutbox):
    invitation_create(
        email="x@example.com",
        full_name='<script>alert(1)</script>"><img src=x onerror=alert(1)>',
        company=company,
        language="en",
    )
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


@pytest.mark.django_db(transaction=True)
def test_it_delivers_after_commit_in_the_background(company, settings, mailoutbox):
    settings.EMAIL_DELIVERY = "background"
    invitation_create(email="bg@example.com", full_name="BG", company=company, language="en")
    for _ in range(50):
        if OutboundEmail.objects.filter(sent_at__isnull=False).exists():
            break
        time.sleep(0.05)
    assert OutboundEmail.objects.get().sent_at is not None
    assert mailoutbox[0].to == ["bg@example.com"]
