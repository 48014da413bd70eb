"""Chapter 2 of the guide: filing a case with the seven-step form, and what it refuses."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import ServiceSubscription
from cases.models import Case, CaseStatus
from catalog.models import OperatingSystem, Problem, Product, Service
from tests.factories import subscribe
from tests.helpers import force_sign_in, guide_example, pk

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


def test_it_files_the_guides_example_case(
    customer_client, customer, colleague, make_user, company, lite_services, mailoutbox
):
    quiet = make_user(company=company, notify_own_cases_only=True, language="en")
    colleague.language = "en"
    colleague.save()
    response = customer_client.post(NEW, guide_example())
    case = Case.objects.get()
    assert response.url == reverse("cases:detail", args=[case.number])
    assert len(case.number) == 8 and case.number.isdigit()
    assert (case.company, case.created_by, case.status) == (company, customer, "new")
    assert case.product.name == "ESET Endpoint Security"
    assert case.product_version.version == "11.0"
    assert case.operating_system.name_en == "Windows 11"
    assert case.problem.name_ja == "ウイルスが駆除できませんでした"
    assert case.priority.code == "normal"

    page = customer_client.get(response.url).content.decode()
    assert case.number in page and "駆除できないウイルスがあります" in page
    details = page.split('data-testid="case-details"', 1)[1].split("</dl>", 1)[0]
    assert "Example株式会社" in details and "佐藤 由紀" in details
    assert "ログを添付します。" in page

    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {customer.email, colleague.email}
    assert quiet.email not in by_address
    assert case.number in by_address[customer.email].subject
    assert "作成" in by_address[customer.email].subject
    assert "Created" in by_address[colleague.email].subject
    assert f"/cases/{case.number}/" in by_address[colleague.email].body


def test_it_says_complete_this_field_for_missing_required_fields(customer_client, lite_services):
    response = customer_client.post(
        NEW,
        guide_example(subject="", description="", operating_system="", product_version=""),
    )
    errors = response.context["form"].errors
    for field in ("subject", "description", "operating_system", "product_version"):
        assert errors[field] == ["このフィールドを入力してください。"], field
    customer_client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = customer_client.post(NEW, guide_example(subject=""))
    assert response.context["form"].errors["subject"] == ["Complete this field."]
    assert not Case.objects.exists()


def test_it_asks_for_valid_instance_ids_for_incident_services(customer_client, lite_services):
    mdr = pk(Service, code="mdr")
    response = customer_client.post(NEW, guide_example(service=mdr))
    errors = response.context["form"].errors
    assert "eset_protect_instance_id" in errors and "eset_inspect_instance_id" in errors
    response = customer_client.post(
        NEW,
        guide_example(
            service=mdr,
            eset_protect_instance_id="<script>",
            eset_inspect_instance_id="a b",
        ),
    )
    assert set(response.context["form"].errors) >= {
        "eset_protect_instance_id",
        "eset_inspect_instance_id",
    }
    response = customer_client.post(
        NEW,
        guide_example(
            service=mdr,
            eset_protect_instance_id="3f2a9c1e-7b4d-4c2a-9e1f-0a1b2c3d4e5f",
            eset_inspect_instance_id="EI-000123",
        ),
    )
    case = Case.objects.get()
    assert case.eset_inspect_instance_id == "EI-000123"
    assert ServiceSubscription.objects.get(service__code="mdr").sub_services_used == 1


def tampered(name):
    other_product = Product.objects.get(code="eset-endpoint-security-macos")
    return {
        "ultimate-only service": {"service": pk(Service, code="mdr-ultimate")},
        "unknown service": {"service": "999999"},
        "service not a number": {"service": "premium-support"},
        "version of another product": {"product_version": str(other_product.versions.first().pk)},
        "os of another product": {"operating_system": pk(OperatingSystem, code="android")},
        "problem of another main content": {
            "problem": pk(Problem, main_content__code="configuration", code="exclusions")
        },
        "subject of 10,000 characters": {"subject": "あ" * 10_000},
        "NUL in subject": {"subject": "bad\x00subject"},
        "bell in description": {"description": "ding\x07"},
        "right-to-left override": {"subject": "invoice\u202efdp.exe"},
        "description over the limit": {"description": "x" * 20_001},
    }[name]


@pytest.mark.parametrize(
    "name",
    [
        "ultimate-only service",
        "unknown service",
        "service not a number",
        "version of another product",
        "os of another product",
        "problem of another main content",
        "subject of 10,000 characters",
        "NUL in subject",
        "bell in description",
        "right-to-left override",
        "description over the limit",
    ],
)
def test_it_refuses_a_tampered_form_and_stores_nothing(
    customer_client, lite_services, mailoutbox, name
):
    response = customer_client.post(NEW, guide_example(**tampered(name)))
    if name == "NUL in subject":
        # Refused before any form, like NUL anywhere (tests/security/test_bad_input.py).
        assert response.status_code == 400
    else:
        assert response.status_code == 200
        assert response.context["form"].errors
    assert not Case.objects.exists()
    assert mailoutbox == []


def test_it_refuses_inactive_catalogue_entries(customer_client, lite_services):
    Problem.objects.filter(code="virus-not-removed").update(active=False)
    response = customer_client.post(NEW, guide_example())
    assert "problem" in response.context["form"].errors
    Problem.objects.filter(code="virus-not-removed").update(active=True)
    Product.objects.filter(code="eset-endpoint-security").update(active=False)
    response = customer_client.post(NEW, guide_example())
    assert "product" in response.context["form"].errors
    assert not Case.objects.exists()


@pytest.mark.parametrize("state", ["expired", "used up", "not yet valid"])
def test_it_refuses_a_subscription_that_cannot_take_cases(customer_client, company, state):
    options = {
        "expired": {"days_left": -1},
        "used up": {"included": 2, "used": 2},
        "not yet valid": {"started": -3},
    }[state]
    sub = subscribe(company, "premium-support", **options)
    response = customer_client.post(NEW, guide_example())
    assert "service" in response.context["form"].errors
    sub.refresh_from_db()
    assert sub.sub_services_used == options.get("used", 0)
    assert not Case.objects.exists()


def test_it_shows_html_in_the_subject_as_text(customer_client, lite_services, mailoutbox):
    payload = '<script>alert(1)</script>"><img src=x onerror=alert(2)>'
    response = customer_client.post(
        NEW, guide_example(subject=payload, description=payload), follow=True
    )
    content = response.content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "<img src=x" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    html = mailoutbox[0].alternatives[0][0]
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html


def test_it_makes_one_case_from_a_double_submit(customer_client, lite_services, mailoutbox):
    first = customer_client.post(NEW, guide_example())
    second = customer_client.post(NEW, guide_example())
    assert first.url == second.url
    assert Case.objects.count() == 1
    assert ServiceSubscription.objects.get(service__code="mdr").sub_services_used == 0
    assert len(mailoutbox) == 1


def test_it_consumes_one_sub_service_per_case(customer_client, company):
    sub = subscribe(company, "premium-support", included=2, used=0)
    customer_client.post(NEW, guide_example(submission_id="00000000-0000-4000-8000-000000000001"))
    customer_client.post(NEW, guide_example(submission_id="00000000-0000-4000-8000-000000000002"))
    response = customer_client.post(
        NEW, guide_example(submission_id="00000000-0000-4000-8000-000000000003")
    )
    sub.refresh_from_db()
    assert sub.sub_services_used == 2
    assert Case.objects.count() == 2
    assert "service" in response.context["form"].errors


def test_it_keeps_other_companies_cases_invisible(
    client, customer_client, lite_services, other_company_customer
):
    customer_client.post(NEW, guide_example())
    case = Case.objects.get()
    other = force_sign_in(Client(), other_company_customer)
    assert other.get(reverse("cases:detail", args=[case.number])).status_code == 404
    assert other.get(reverse("cases:detail", args=["99999999"])).status_code == 404
    assert Client().get(reverse("cases:detail", args=[case.number])).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_cases_distinctly_and_counts_sub_services_exactly(customer, company):
    sub = subscribe(company, "premium-support", included=5)
    clients = []
    for _ in range(8):
        clients.append(force_sign_in(Client(), customer))
    barrier = threading.Barrier(8)
    results = []

    def create(n, c):
        barrier.wait()
        response = c.post(NEW, guide_example(submission_id=f"00000000-0000-4000-8000-{n:012d}"))
        results.append(response.status_code)
        connection.close()

    threads = [threading.Thread(target=create, args=(n, c)) for n, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    numbers = list(Case.objects.values_list("number", flat=True))
    assert len(numbers) == 5 == len(set(numbers))
    sub.refresh_from_db()
    assert sub.sub_services_used == 5
    assert sorted(results) == [200] * 3 + [302] * 5


def test_it_only_follows_up_a_closed_case_of_the_company(customer_client, lite_services):
    customer_client.post(NEW, guide_example())
    open_case = Case.objects.get()
    response = customer_client.post(
        NEW,
        guide_example(
            submission_id="00000000-0000-4000-8000-0000000000aa", follows=open_case.number
        ),
    )
    assert "follows" in response.context["form"].errors
    open_case.move_to(CaseStatus.RESOLVED)
    open_case.save()
    customer_client.post(
        NEW,
        guide_example(
            submission_id="00000000-0000-4000-8000-0000000000bb", follows=open_case.number
        ),
    )
    assert Case.objects.get(follows=open_case).follows == open_case
