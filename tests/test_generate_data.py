"""`manage.py generate_data`: the benchmark's data, at a small size."""

import hashlib
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, ServiceSubscription, User
from cases import uploads
from cases.generated import BENCH_CUSTOMER, generated_companies, generated_users
from cases.models import CLOSED_STATUSES, Attachment, Case, CaseStatus, Message
from cases.text import message_html
from tests.factories import create_attachment, create_case, create_message
from tests.helpers import totp_code

pytestmark = pytest.mark.django_db

SMALL = {
    "companies": 3,
    "cases": 50,
    "big_company_cases": 20,
    "long_case_messages": 20,
    "long_case_attachments": 3,
    "now": "2025-06-01T00:00:00",
}


@pytest.fixture(autouse=True)
def _bench_server(settings):
    # As `make bench` runs it; without DEBUG or BENCH_VIEWS the command refuses (tested below).
    settings.BENCH_VIEWS = True


def generate(tmp_path, *flags, **options) -> dict:
    """Run the command at the small size, as from the shell; returns the handles it wrote."""
    handles = tmp_path / "handles.json"
    args = [f"--{name.replace('_', '-')}={value}" for name, value in (SMALL | options).items()]
    call_command("generate_data", *args, *flags, f"--handles={handles}", stdout=io.StringIO())
    return json.loads(handles.read_text())


def generated_cases():
    return Case.objects.filter(company__in=generated_companies())


def digest() -> str:
    """Every generated row as data, without ids (and so case numbers) or password hashes (a
    hash has a random salt)."""
    cases = generated_cases().order_by("submission_id")
    rows = [
        list(
            generated_companies().order_by("name").values_list("name", "plan__code", "created_at")
        ),
        list(
            ServiceSubscription.objects.filter(company__in=generated_companies())
            .order_by("company__name", "service__code")
            .values_list(
                "company__name",
                "service__code",
                "valid_from",
                "valid_to",
                "sub_services_included",
                "sub_services_used",
            )
        ),
        list(
            generated_users()
            .order_by("email")
            .values_list("email", "full_name", "language", "company__name", "is_staff")
        ),
        list(
            cases.values_list(
                "submission_id",
                "company__name",
                "created_by__email",
                "service__code",
                "subject",
                "description",
                "description_html",
                "status",
                "priority__code",
                "product__code",
                "product_version__version",
                "operating_system__code",
                "product_group__code",
                "main_content__code",
                "problem__code",
                "stage__code",
                "assigned_to__email",
                "eset_protect_instance_id",
                "created_at",
                "updated_at",
                "status_changed_at",
                "closed_at",
            )
        ),
        list(
            cases.values_list("submission_id", "products__code").order_by(
                "submission_id", "products__code"
            )
        ),
        list(
            Message.objects.filter(case__in=cases)
            .order_by("post_id")
            .values_list(
                "post_id",
                "case__submission_id",
                "author__email",
                "by_operator",
                "is_internal",
                "body",
                "body_html",
                "created_at",
            )
        ),
        list(
            Attachment.objects.filter(case__in=cases)
            .order_by("stored_name")
            .values_list(
                "stored_name", "case__submission_id", "uploaded_by__email", "name", "sha256"
            )
        ),
    ]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def test_it_makes_the_sizes_asked_for_and_writes_the_handles(tmp_path):
    handles = generate(tmp_path)

    long_case = Case.objects.get(pk=handles["long_case"]["pk"])
    short_case = Case.objects.get(pk=handles["short_case"]["pk"])
    big = Company.objects.get(pk=handles["big_company"]["pk"])
    customer = User.objects.get(email=handles["customer"]["email"])
    operator = User.objects.get(email=handles["operator"]["email"])
    assert handles == {
        "seed": 1,
        "customer": {
            "email": BENCH_CUSTOMER,
            "password": handles["customer"]["password"],
            "totp_key": TOTPDevice.objects.get(user=customer, confirmed=True).key,
        },
        "operator": {
            "email": operator.email,
            "password": handles["customer"]["password"],
            "totp_key": TOTPDevice.objects.get(user=operator, confirmed=True).key,
        },
        "long_case": {
            "number": long_case.number,
            "pk": long_case.pk,
            "messages": 20,
            "attachments": 3,
        },
        "short_case": {"number": short_case.number, "pk": short_case.pk, "messages": 5},
        "big_company": {"pk": big.pk, "cases": 20},
        "totals": {
            "companies": 3,
            "users": 3 * 3 + 10,
            "cases": 50,
            "messages": Message.objects.count(),
            "attachments": Attachment.objects.count(),
        },
    }
    assert generated_companies().count() == 3
    assert generated_users().count() == 19
    assert generated_cases().count() == 50
    assert big.cases.count() == 20
    assert customer.company == big
    assert operator.is_staff and operator.is_superuser and operator.company is None
    assert long_case.messages.count() == 20 and long_case.attachments.count() == 3
    assert long_case.messages.filter(by_operator=True).exists()
    assert long_case.messages.filter(by_operator=False).exists()
    assert short_case.messages.count() == 5
    assert long_case.company == short_case.company == big


def test_it_fills_what_the_portal_would_have_filled(tmp_path):
    generate(tmp_path)

    for case in generated_cases():
        assert case.number == Case.number_for(case.pk)
        assert case.description_html == message_html(case.description)
        assert (case.closed_at is not None) == (case.status in CLOSED_STATUSES)
        assert case.created_at <= case.status_changed_at <= case.updated_at
        assert case.subscription.company_id == case.company_id
        assert case.subscription.service_id == case.service_id
    for message in Message.objects.all():
        assert message.body_html == message_html(message.body)
        assert message.by_operator == message.author.is_staff
    assert not Message.objects.filter(case__status=CaseStatus.NEW, is_internal=False).exists()
    for attachment in Attachment.objects.all():
        content = uploads.path_of(attachment.stored_name).read_bytes()
        assert len(content) == attachment.size
        assert hashlib.sha256(content).hexdigest() == attachment.sha256
        assert uploads.sniff(content[:4096], attachment.name) == attachment.kind


def test_it_numbers_cases_on_a_database_that_returns_no_ids(tmp_path, monkeypatch):
    # SQLite before 3.35 cannot return the ids of a bulk insert.
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)

    handles = generate(tmp_path)

    assert generated_cases().count() == 50
    for case in generated_cases():
        assert case.number == Case.number_for(case.pk)
    long_case = Case.objects.get(number=handles["long_case"]["number"])
    assert long_case.messages.count() == 20
    assert handles["customer"]["email"] == long_case.created_by.email


def sign_in(account: dict) -> Client:
    """Both sign-in steps with what the handles give, the code computed from the key in them
    as the bench computes it (not read from the database)."""
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"email": account["email"], "password": account["password"]}
    )
    assert response.status_code == 302
    code = totp_code(TOTPDevice(key=account["totp_key"]))
    response = client.post(reverse("accounts:two_factor"), {"code": code})
    assert response.status_code == 302
    return client


def test_it_lets_the_bench_customer_sign_in_and_open_the_long_case(tmp_path):
    handles = generate(tmp_path)
    client = sign_in(handles["customer"])

    response = client.get(reverse("cases:detail", args=[handles["long_case"]["number"]]))

    assert response.status_code == 200
    assert Case.objects.get(pk=handles["long_case"]["pk"]).subject in response.content.decode()


def test_it_lets_the_bench_operator_sign_in_and_open_the_long_case_in_the_admin(tmp_path):
    handles = generate(tmp_path)
    client = sign_in(handles["operator"])

    response = client.get(reverse("admin:cases_case_change", args=[handles["long_case"]["pk"]]))

    assert response.status_code == 200
    assert handles["long_case"]["number"] in response.content.decode()


def test_it_refuses_a_second_run_without_reset(tmp_path):
    generate(tmp_path)

    with pytest.raises(CommandError, match="--reset"):
        generate(tmp_path)
    assert generated_cases().count() == 50


def test_it_resets_generated_data_and_nothing_else(
    tmp_path, customer, django_capture_on_commit_callbacks
):
    real_case = create_case(customer)
    create_message(real_case, customer, "本物のメッセージ")
    real_file = create_attachment(real_case, customer)
    generate(tmp_path)
    first_files = set(Attachment.objects.exclude(pk=real_file.pk).values_list("stored_name"))

    with django_capture_on_commit_callbacks(execute=True):
        generate(tmp_path, "--reset", seed=2)

    assert generated_cases().count() == 50
    assert generated_companies().count() == 3
    assert generated_users().count() == 19
    assert Case.objects.filter(pk=real_case.pk).exists()
    assert real_case.messages.get().body == "本物のメッセージ"
    assert uploads.path_of(real_file.stored_name).exists()
    assert User.objects.filter(pk=customer.pk).exists()
    new_files = set(Attachment.objects.values_list("stored_name"))
    assert not any(uploads.path_of(name).exists() for (name,) in first_files - new_files)


def test_it_makes_the_same_rows_from_the_same_seed(tmp_path, django_capture_on_commit_callbacks):
    generate(tmp_path)
    first = digest()

    with django_capture_on_commit_callbacks(execute=True):
        generate(tmp_path, "--reset")
    assert digest() == first
    # The same names again: the reset's clean-up after commit left the new files alone.
    for (name,) in Attachment.objects.values_list("stored_name"):
        assert uploads.path_of(name).exists()

    generate(tmp_path, "--reset", seed=2)
    assert digest() != first


def test_it_refuses_a_password_the_portal_would_refuse(tmp_path):
    with pytest.raises(CommandError, match="--password"):
        generate(tmp_path, password="short")
    assert not generated_companies().exists()


def test_it_refuses_sizes_that_cannot_be_made(tmp_path):
    with pytest.raises(CommandError, match="--cases"):
        generate(tmp_path, cases=10, big_company_cases=20)
