"""Trainer mode: demo data, classroom invitations, outbox, on-screen authenticator, tour."""

import csv
import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, Invitation, ServiceSubscription, User
from cases.models import Attachment, Case, Message
from hub.models import OutboundEmail
from tests.conftest import PASSWORD, log_in, subprocess_env, totp_code
from trainer import seed

pytestmark = pytest.mark.django_db
DEMO_URLS = [
    "/demo/outbox/",
    "/demo/outbox/1/",
    "/demo/authenticator/",
    "/demo/authenticator/code/",
]


@pytest.fixture
def demo_mode(settings, catalogue):
    settings.DEMO_MODE = True
    settings.OUTBOX_KEEP_BODIES = True
    settings.SITE_URL = "http://testserver"


def snapshot():
    return {
        "users": sorted(
            User.objects.filter(email__endswith=".example").values_list(
                "email", "full_name", "company__name", "is_staff", "language"
            )
        ),
        "subscriptions": sorted(
            (s.company.name, s.service.code, s.state().value)
            for s in ServiceSubscription.objects.select_related("company", "service")
        ),
        "cases": sorted(
            Case.objects.values_list("company__name", "subject", "status", "stage__code")
        ),
        "messages": sorted(Message.objects.values_list("case__subject", "body")),
        "attachments": sorted(Attachment.objects.values_list("case__subject", "name", "sha256")),
        "invitations": sorted(Invitation.objects.values_list("email", "used_at")),
        "devices": TOTPDevice.objects.filter(confirmed=True).count(),
    }


def test_it_has_no_trainer_pages_or_commands_when_demo_mode_is_off(client, catalogue):
    for url in DEMO_URLS:
        assert client.get(url).status_code == 404, url
    assert client.post("/demo/tour/").status_code == 404
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("demo", "--reset")
    page = client.get(reverse("accounts:login")).content.decode()
    assert "demo-ribbon" not in page and 'data-testid="tour"' not in page


def test_it_refuses_to_start_in_demo_mode_without_debug_unless_told(catalogue):
    import subprocess
    import sys

    from tests.test_settings import ROOT

    def check(**env):
        return subprocess.run(
            [sys.executable, "manage.py", "check"],
            cwd=ROOT,
            env=subprocess_env(**env),
            capture_output=True,
            text=True,
            timeout=60,
        )

    refused = check(DEMO_MODE="1", DEBUG="0")
    assert refused.returncode == 2 and "DEMO_ALLOW_PRODUCTION" in refused.stderr
    assert check(DEMO_MODE="1", DEBUG="0", DEMO_ALLOW_PRODUCTION="1").returncode == 0


def test_it_resets_the_demo_data_to_the_same_state_every_time(demo_mode, client):
    call_command("demo", "--reset", verbosity=0)
    first = snapshot()
    # A class happens: a trainee registers and files a case; then the trainer resets.
    Case.objects.filter(subject="駆除できないウイルスがあります").update(status="resolved")
    User.objects.filter(email="ken.tanaka@sample-shoji.example").update(full_name="changed")
    call_command("demo", "--reset", verbosity=0)
    assert snapshot() == first


def test_it_seeds_every_tile_state_status_stage_and_onboarding_stage(demo_mode):
    call_command("demo", "--reset", verbosity=0)
    states = {s.state().value for s in ServiceSubscription.objects.all()}
    assert states >= {"active", "used_up", "warning", "expired"}
    assert set(Case.objects.values_list("status", flat=True)) == {
        "new",
        "waiting_eset",
        "waiting_customer",
        "resolved",
        "invalid",
    }
    assert Case.objects.exclude(stage=None).exists()
    assert Company.objects.filter(plan__code="mdr-lite").exists()
    assert Company.objects.filter(plan__code="mdr-ultimate").exists()
    assert Invitation.objects.filter(used_at=None).exists(), "invited, not registered"
    without = User.objects.filter(company__isnull=False, totpdevice=None)
    assert without.exists(), "registered without two-factor"
    assert User.objects.filter(is_staff=True, email__endswith=".example").count() >= 1
    languages = set(Message.objects.values_list("author__language", flat=True))
    assert languages == {"ja", "en"}
    assert Attachment.objects.count() >= 2


def test_it_leaves_real_accounts_alone(demo_mode, make_user, company):
    real = make_user(email="kaori@customer.co.jp", company=company)
    call_command("demo", "--reset", verbosity=0)
    assert User.objects.filter(pk=real.pk).exists()


def test_it_invites_a_class_of_trainees_as_csv(demo_mode, capsys):
    call_command("demo", "--trainees", "20", "--csv")
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 20
    assert len({row["url"] for row in rows}) == 20
    assert all("/accounts/register/" in row["url"] for row in rows)
    assert Invitation.objects.filter(email__endswith="@training.example").count() == 20


def test_it_shows_only_trainer_mode_mail_in_the_outbox(demo_mode, client, settings):
    OutboundEmail.objects.create(
        to="real@customer.jp", subject="real", body_text="x", language="ja"
    )
    call_command("demo", "--trainees", "1", verbosity=0)
    listing = client.get("/demo/outbox/").content.decode()
    assert "real@customer.jp" not in listing
    assert "trainee01@training.example" in listing
    email = OutboundEmail.objects.get(to="trainee01@training.example")
    page = client.get(f"/demo/outbox/{email.pk}/").content.decode()
    assert re.search(r'<a href="http://testserver/accounts/register/[\w-]+/"', page)
    real = OutboundEmail.objects.get(to="real@customer.jp")
    assert client.get(f"/demo/outbox/{real.pk}/").status_code == 404


def test_it_shows_the_current_code_of_the_device_being_signed_in(demo_mode, client, customer):
    client.post(reverse("accounts:login"), {"email": customer.email, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=customer)
    panel = client.get("/demo/authenticator/code/").content.decode()
    shown = re.search(r'data-testid="on-screen-code"[^>]*>(\d{3}) (\d{3})<', panel)
    assert "".join(shown.groups()) == totp_code(device)
    assert "seconds left" in panel or "秒" in panel
    # Nothing is bypassed: the portal verifies the code as it would a phone's.
    response = client.post(reverse("accounts:two_factor"), {"code": "".join(shown.groups())})
    assert response.url == "/"


def test_it_shows_nobody_a_code_before_the_password(demo_mode, client, customer):
    panel = client.get("/demo/authenticator/code/").content.decode()
    assert 'data-testid="on-screen-code"' not in panel


def test_it_ticks_the_tour_as_the_trainee_goes(demo_mode, customer_client, customer):
    page = customer_client.get("/").content.decode()
    assert 'data-step="two_factor" data-done="true"' in page
    assert 'data-step="chatter" data-done="false"' in page
    customer_client.post("/demo/tour/", {"next": "/"})
    assert 'data-step="' not in customer_client.get("/").content.decode()


def test_it_shows_the_demo_ribbon_in_demo_mode(demo_mode, client):
    assert 'data-testid="demo-ribbon"' in client.get(reverse("accounts:login")).content.decode()


def test_it_keeps_trainees_apart(demo_mode):
    call_command("demo", "--reset", verbosity=0)
    yuki = User.objects.get(email="yuki.sato@sample-shoji.example")
    misaki = User.objects.get(email="misaki.takahashi@demo-kogyo.example")
    theirs = Case.objects.filter(company=misaki.company).first()
    client = Client()
    log_in(client, yuki, password=seed.DEMO_PASSWORD)
    assert client.get(reverse("cases:detail", args=[theirs.number])).status_code == 404


def test_it_keeps_each_trainee_in_a_company_of_their_own(demo_mode):
    call_command("demo", "--trainees", "2", verbosity=0)
    first, second = Invitation.objects.filter(email__endswith="@training.example").order_by("email")
    assert first.company != second.company
    call_command("demo", "--reset", verbosity=0)
    assert not Company.objects.filter(name__startswith=seed.TRAINING_COMPANY).exists()
