"""Trainer mode: demo data, classroom invitations, outbox, on-screen authenticator, tour."""

import csv
import datetime as dt
import io
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, Invitation, LoginThrottle, ServiceSubscription, User
from accounts.services import invitation_accept, invitation_create
from accounts.throttle import account_key
from cases.models import Attachment, Case, CaseStatus, Message
from cases.progress import DONE, status_steps
from cases.services import message_post
from hub.models import OutboundEmail
from tests.factories import (
    create_case,
    create_company,
    create_message,
    create_outbound_email,
    create_user,
    subscribe,
    with_authenticator,
)
from tests.helpers import (
    PASSWORD,
    classroom_url,
    log_in,
    needs_checkout,
    subprocess_env,
    totp_code,
)
from trainer import seed

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
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


@pytest.fixture
def demo_customer(make_user, company):
    """A demo account (the demo set is the .example domain), signed in nowhere yet."""
    user = make_user(
        email="aoi.kato@sample-shoji.example", full_name="加藤 葵", company=company, is_demo=True
    )
    with_authenticator(user)
    return user


@pytest.fixture
def classroom_client(demo_mode, client):
    """A browser that opened the trainer's classroom link."""
    response = client.get(classroom_url())
    assert response.status_code == 302
    return client


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


@needs_checkout("manage.py's start-up checks")
def test_it_refuses_to_start_in_demo_mode_without_debug_unless_told(catalogue):
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
    trained = Case.objects.get(subject="駆除できないウイルスがあります")
    trained.move_to(CaseStatus.RESOLVED)
    trained.save()
    User.objects.filter(email="ken.tanaka@sample-shoji.example").update(full_name="changed")
    call_command("demo", "--reset", verbosity=0)
    assert snapshot() == first


def test_it_seeds_status_bars_that_tell_what_the_threads_tell(demo_mode):
    # A customer's post left the case waiting for ESET, an operator's waiting for the customer;
    # the status it ends in was set by hand. Nothing else was ever reached.
    call_command("demo", "--reset", verbosity=0)
    for case in Case.objects.all():
        posts = Message.objects.filter(case=case, is_internal=False)
        told = {"waiting_customer" if post.by_operator else "waiting_eset" for post in posts}
        assert set(case.statuses_reached) == {"new", case.status} | told, case.subject
    resolved = Case.objects.get(status=CaseStatus.RESOLVED, messages__by_operator=True)
    bar = {step.key: step.state for step in status_steps(resolved.statuses_reached, "resolved")}
    assert bar["waiting_customer"] == DONE


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


def test_it_shows_only_trainer_mode_mail_of_demo_accounts_in_the_outbox(classroom_client, settings):
    client = classroom_client
    create_outbound_email("real@customer.jp", subject="real")
    call_command("demo", "--trainees", "1", verbosity=0)
    listing = client.get("/demo/outbox/").content.decode()
    assert "real@customer.jp" not in listing
    assert "trainee01@training.example" in listing
    email = OutboundEmail.objects.get(to="trainee01@training.example")
    page = client.get(f"/demo/outbox/{email.pk}/").content.decode()
    assert re.search(r'<a href="http://testserver/accounts/register/[\w-]+/"', page)
    real = OutboundEmail.objects.get(to="real@customer.jp")
    assert client.get(f"/demo/outbox/{real.pk}/").status_code == 404


def test_it_never_shows_a_real_accounts_mail_sent_in_trainer_mode(
    classroom_client, customer, operator
):
    """A real user (invited into a demo company, or an operator) asks for a password reset
    while trainer mode is on: the link must not reach the outbox."""
    client = classroom_client
    for person in (customer, operator):
        client.post(reverse("accounts:password_reset"), {"email": person.email})
    sent = OutboundEmail.objects.filter(to__in=[customer.email, operator.email], demo=True)
    assert sent.count() == 2
    listing = client.get("/demo/outbox/").content.decode()
    assert customer.email not in listing and operator.email not in listing
    for email in sent:
        assert client.get(f"/demo/outbox/{email.pk}/").status_code == 404


def test_it_shows_nothing_to_a_visitor_who_did_not_join_the_classroom(
    demo_mode, client, demo_customer
):
    call_command("demo", "--trainees", "1", verbosity=0)
    email = OutboundEmail.objects.get(to="trainee01@training.example")
    for url in ["/demo/outbox/", f"/demo/outbox/{email.pk}/", *DEMO_URLS[2:]]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("trainer:join", args=["0" * 20])).status_code == 404
    assert client.get("/demo/outbox/").status_code == 404
    # The code step does not point at codes this visitor cannot see.
    client.post(reverse("accounts:login"), {"email": demo_customer.email, "password": PASSWORD})
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'name="code"' in page
    assert reverse("trainer:authenticator_code") not in page


def test_it_forgets_the_classroom_when_demo_mode_ends(classroom_client, settings):
    settings.DEMO_MODE = False
    assert classroom_client.get("/demo/outbox/").status_code == 404


def test_it_shows_the_current_code_of_the_demo_device_being_signed_in(
    classroom_client, demo_customer
):
    client = classroom_client
    client.post(reverse("accounts:login"), {"email": demo_customer.email, "password": PASSWORD})
    device = TOTPDevice.objects.get(user=demo_customer)
    panel = client.get("/demo/authenticator/code/").content.decode()
    shown = re.search(r'data-testid="on-screen-code"[^>]*>(\d{3}) (\d{3})<', panel)
    assert "".join(shown.groups()) == totp_code(device)
    assert "seconds left" in panel or "秒" in panel
    # Nothing is bypassed: the portal verifies the code as it would a phone's.
    response = client.post(reverse("accounts:two_factor"), {"code": "".join(shown.groups())})
    assert response.url == "/"


@pytest.mark.parametrize("who", ["customer", "operator"])
def test_it_never_shows_the_code_of_a_real_account(classroom_client, request, who):
    person = request.getfixturevalue(who)
    client = classroom_client
    response = client.post(reverse("accounts:login"), {"email": person.email, "password": PASSWORD})
    assert response.status_code == 302
    device = TOTPDevice.objects.get(user=person)
    for url in ("/demo/authenticator/code/", "/demo/authenticator/"):
        page = client.get(url).content.decode()
        assert 'data-testid="on-screen-code"' not in page
        assert totp_code(device) not in page.replace(" ", "")


def test_it_shows_nobody_a_code_before_the_password(classroom_client):
    panel = classroom_client.get("/demo/authenticator/code/").content.decode()
    assert 'data-testid="on-screen-code"' not in panel


@pytest.mark.parametrize(
    ("language", "listing"),
    [("ja", r"項目を入力する: (.*)など$"), ("en", r"service: (.*) and the rest$")],
)
def test_it_names_in_the_tour_only_fields_that_every_case_form_layout_shows(
    demo_mode, customer_client, customer, company, language, listing
):
    # The sidebar is not redrawn when the service changes: its words hold for both layouts.
    customer.language = language
    customer.save()
    subscribe(company, "premium-support")
    subscribe(company, "healthcheck")
    for service in ("premium-support", "healthcheck"):
        response = customer_client.get(f"/cases/new/?service={service}")
        page = response.content.decode()
        step = re.search(r'<li data-step="case_form"[^>]*>(.*?)</li>', page, re.S).group(1)
        said = " ".join(re.sub(r"<[^>]+>", " ", step).split())
        named = re.search(listing, said).group(1).replace("、", ", ").split(", ")
        labels = [
            str(bound.label)
            for bound in response.context["form"].visible_fields()
            if not bound.field.disabled
        ]
        assert len(named) >= 3
        for word in named:
            assert any(word.casefold() in label.casefold() for label in labels), (service, word)


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


def test_it_resets_around_a_real_account_invited_into_a_demo_company(demo_mode, capsys):
    """The ordinary classroom case: the trainer invites a real person into a demo company, they
    register and file a case, and an operator of the demo answers a real company's case."""
    call_command("demo", "--reset", verbosity=0)
    lite = Company.objects.get(name=seed.DEMO_COMPANIES[0])
    invitation = invitation_create(
        email="taro@real-customer.jp", full_name="Taro", company=lite, language="ja"
    )
    taro = invitation_accept(invitation=invitation, password=PASSWORD, language="ja")
    assert not taro.is_demo
    with_authenticator(taro)
    theirs = Case.objects.filter(company=lite).first()
    create_message(theirs, taro, "real words")
    real_company = create_company("Real Co", plan=lite.plan)
    real_user = create_user(email="hana@real-co.jp", full_name="Hana", company=real_company)
    real_case = Case.objects.filter(company=lite).first()
    real_case.company, real_case.created_by = real_company, real_user
    real_case.subscription = subscribe(real_company, real_case.service.code)
    real_case.save(update_fields=["company", "created_by", "subscription"])
    demo_operator = User.objects.get(email="support@eset.example")
    message_post(case=real_case, author=demo_operator, body="an answer", post_id=uuid.uuid4())
    capsys.readouterr()

    call_command("demo", "--reset")

    out = capsys.readouterr().out
    (line,) = [row for row in out.splitlines() if row.startswith("Left in place")]
    assert "taro@real-customer.jp" in line and "support@eset.example" in line
    taro.refresh_from_db()
    assert taro.company.name == seed.DEMO_COMPANIES[0]
    assert TOTPDevice.objects.filter(user=taro).exists()
    assert not Case.objects.filter(company=taro.company).exists()
    assert real_case.messages.filter(author__email="support@eset.example").exists()
    # The demo itself is whole again: one of each demo account, a fresh demo company.
    assert User.objects.filter(email="support@eset.example").count() == 1
    assert Company.objects.filter(name=seed.DEMO_COMPANIES[0]).count() == 2
    assert User.objects.get(email="yuki.sato@sample-shoji.example").company != taro.company
    call_command("demo", "--reset", verbosity=0)


def test_it_prints_the_classroom_link_that_opens_the_outbox(demo_mode, client, capsys):
    call_command("welcome", "--url", "http://testserver/")
    out = capsys.readouterr().out
    link = re.search(r"http://testserver(/demo/join/\w+/)", out).group(1)
    assert client.get("/demo/outbox/").status_code == 404
    assert client.get(link).status_code == 302
    assert client.get("/demo/outbox/").status_code == 200


def a_case_like(case, *, company, created_by):
    """A copy of a demo case in another company (the demo's catalogue choices, a real owner)."""
    return create_case(
        created_by,
        subscription=subscribe(company, case.service.code),
        subject="a real customer's case",
        main_content=case.main_content,
        problem=case.problem,
        priority=case.priority.code,
        description="real",
    )


def test_it_never_removes_what_a_real_account_made_or_owns(demo_mode, capsys):
    call_command("demo", "--reset", verbosity=0)
    lite = Company.objects.get(name=seed.DEMO_COMPANIES[0], is_demo=True)
    demo_case = Case.objects.filter(company=lite).first()
    # A real person in a demo company, with a case of their own and mail on its way.
    taro = create_user(email="taro@real-customer.jp", full_name="Taro", company=lite)
    taros_case = a_case_like(demo_case, company=lite, created_by=taro)
    queued = create_outbound_email(taro.email, subject="pending", demo=True)
    LoginThrottle.objects.create(key=account_key("password", taro.email).name, failures=7)
    # A real company that took in a demo contact, and another named like a demo company.
    real = create_company("Real Co", plan=lite.plan)
    hana = create_user(email="hana@real-co.jp", full_name="Hana", company=real)
    User.objects.filter(email="john.smith@sample-shoji.example").update(company=real)
    real_case = a_case_like(demo_case, company=real, created_by=hana)
    namesake = create_company(seed.DEMO_COMPANIES[1], plan=lite.plan)
    namesake_subscription = subscribe(namesake, "premium-support")
    pending = Invitation.objects.create(
        email="new@real-customer.jp",
        full_name="New",
        company=lite,
        token_hash="x" * 64,
        expires_at=demo_case.created_at + dt.timedelta(days=365),
    )
    capsys.readouterr()

    call_command("demo", "--reset")

    assert Case.objects.filter(pk__in=[taros_case.pk, real_case.pk]).count() == 2
    assert OutboundEmail.objects.filter(pk=queued.pk).exists()
    assert LoginThrottle.objects.filter(failures=7).exists()
    assert ServiceSubscription.objects.filter(pk=namesake_subscription.pk).exists()
    assert Invitation.objects.filter(pk=pending.pk).exists()
    assert User.objects.filter(pk__in=[taro.pk, hana.pk]).count() == 2
    assert not Case.objects.filter(pk=demo_case.pk).exists()
    out = capsys.readouterr().out
    assert "taro@real-customer.jp" in out and "new@real-customer.jp" in out
