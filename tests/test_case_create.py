"""Chapter 2 of the guide: the dashboard tiles and the seven-step case form."""

import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import ServiceSubscription
from cases.models import Case
from catalog.models import (
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    Service,
)
from tests.conftest import log_in, subscribe

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


def pk(model, **lookup) -> str:
    return str(model.objects.get(**lookup).pk)


def guide_example(**overrides) -> dict:
    """The guide's own example: Lite company, ESET Premium Support, Endpoint Security 11.0."""
    endpoint = Product.objects.get(code="eset-endpoint-security")
    data = {
        "action": "create",
        "submission_id": "7b0c1f3e-5c2a-4a53-9d55-1f7d0c2c1a01",
        "service": pk(Service, code="premium-support"),
        "subject": "駆除できないウイルスがあります",
        "product_query": "ESET Endpoint Security",
        "product": str(endpoint.pk),
        "product_version": str(endpoint.versions.get(version="11.0").pk),
        "operating_system": pk(OperatingSystem, code="windows-11"),
        "main_content": pk(MainContent, code="malware"),
        "problem": pk(Problem, main_content__code="malware", code="virus-not-removed"),
        "priority": pk(Priority, code="normal"),
        "description": "検出されたウイルスが駆除できません。\nログを添付します。",
    }
    return data | overrides


def test_it_shows_one_tile_per_subscription_with_its_state(customer_client, company):
    subscribe(company, "premium-support", days_left=200)
    subscribe(company, "mdr", days_left=20)
    subscribe(company, "mdr", days_left=-5)
    subscribe(company, "premium-support", included=3, used=3)
    page = customer_client.get("/")
    content = page.content.decode()
    # In menu order of the services, then by end date.
    assert [tile["state"] for tile in page.context["tiles"]] == [
        "active",
        "used_up",
        "expired",
        "warning",
    ]
    assert content.count('data-state="') == 4
    assert "期限切れ" in content and "まもなく期限切れ" in content
    assert "サブサービスをすべて使用済み" in content
    assert "その他のESETサービスを見る" in content
    assert content.count("?service=premium-support") == 1
    assert content.count("?service=mdr") == 1, "the expired MDR tile offers no link"
    assert content.count("disabled") >= 2


def test_it_disables_case_creation_when_no_subscription_allows_it(customer_client, company):
    subscribe(company, "premium-support", days_left=-1)
    content = customer_client.get("/").content.decode()
    assert 'href="/cases/new/"' not in content
    assert "新しいケースを作成できるサービスサブスクリプションがありません" in content


def test_it_sends_operators_to_the_admin(operator_client):
    response = operator_client.get("/")
    assert response.status_code == 403
    assert reverse("admin:index") in response.content.decode()


def test_it_offers_only_the_services_of_usable_subscriptions(customer_client, company):
    subscribe(company, "premium-support")
    subscribe(company, "mdr", days_left=-1)
    form = customer_client.get(NEW).context["form"]
    assert [s.code for s in form.fields["service"].queryset] == ["premium-support"]


def test_it_never_offers_a_lite_company_an_ultimate_only_service(customer_client, company):
    # Even a subscription an operator entered by mistake does not widen the menu.
    ServiceSubscription.objects.bulk_create(
        [
            ServiceSubscription(
                company=company,
                service=Service.objects.get(code="mdr-ultimate"),
                valid_from="2020-01-01",
                valid_to="2099-01-01",
            )
        ]
    )
    subscribe(company, "mdr")
    form = customer_client.get(NEW).context["form"]
    assert [s.code for s in form.fields["service"].queryset] == ["mdr"]


def test_it_lays_out_the_fields_in_the_guides_order(customer_client, lite_services):
    content = customer_client.get(NEW + "?service=premium-support").content.decode()
    labels = [
        "サービス",
        "件名",
        "商品ID",
        "製品のバージョン",
        "OS",
        "主な内容",
        "問題",
        "優先度",
        "説明",
    ]
    positions = [content.index(f">\n                {label}") for label in labels]
    assert positions == sorted(positions)
    assert "作成" in content and "キャンセル" in content


def test_it_defaults_the_priority_to_normal(customer_client, lite_services):
    form = customer_client.get(NEW).context["form"]
    assert form["priority"].value() == pk(Priority, code="normal")


def test_it_asks_incident_services_for_instance_ids_with_the_hint(customer_client, lite_services):
    content = customer_client.get(NEW + "?service=mdr").content.decode()
    assert 'data-testid="instance-ids"' in content
    assert "ヘルプ" in content and "バージョン情報" in content
    plain = customer_client.get(NEW + "?service=premium-support").content.decode()
    assert 'data-testid="instance-ids"' not in plain


def test_it_shows_the_product_group_layout_for_healthcheck(client, make_user, make_company):
    company = make_company(name="Ultimate Co", plan="mdr-ultimate")
    subscribe(company, "healthcheck")
    user = make_user(company=company)
    from tests.conftest import with_authenticator

    with_authenticator(user)
    log_in(client, user)
    content = client.get(NEW + "?service=healthcheck").content.decode()
    assert 'data-testid="product-group-layout"' in content
    assert 'data-testid="product-layout"' not in content
    assert "すべて" in content
    assert "使用可能な製品" in content and "選択した製品" in content


def test_it_narrows_versions_systems_and_problems_and_keeps_what_was_typed(
    customer_client, lite_services
):
    data = guide_example(action="refresh", product_version="", operating_system="", problem="")
    response = customer_client.post(NEW, data)
    form = response.context["form"]
    assert [v.version for v in form.fields["product_version"].queryset] == [
        "10.0",
        "10.1",
        "11.0",
        "11.1",
    ]
    assert {o.code for o in form.fields["operating_system"].queryset} == {
        "windows-11",
        "windows-10",
    }
    assert form.fields["problem"].queryset.count() == 10
    content = response.content.decode()
    assert "駆除できないウイルスがあります" in content
    assert "ログを添付します。" in content
    assert not form.errors
    assert not Case.objects.exists()


def test_it_answers_htmx_with_the_fields_partial_only(customer_client, lite_services):
    response = customer_client.post(
        NEW, guide_example(action="refresh", problem=""), HTTP_HX_REQUEST="true"
    )
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="case-fields">')
    assert "<html" not in content


def test_it_searches_products_as_you_type(customer_client, lite_services):
    response = customer_client.post(
        NEW,
        {
            "action": "refresh",
            "service": pk(Service, code="premium-support"),
            "product_query": "endpoint sec",
        },
    )
    names = [p.name for p in response.context["form"].fields["product"].queryset]
    assert set(names) == {
        "ESET Endpoint Security",
        "ESET Endpoint Security for Android",
        "ESET Endpoint Security for macOS",
    }


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
    assert "Example株式会社" in page and "佐藤 由紀" in page
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


def test_it_works_without_javascript_by_re_rendering(customer_client, lite_services):
    refreshed = customer_client.post(
        NEW,
        {
            "action": "refresh",
            "submission_id": "7b0c1f3e-5c2a-4a53-9d55-1f7d0c2c1a01",
            "service": pk(Service, code="premium-support"),
            "subject": "件名",
            "product_query": "endpoint security",
            "main_content": pk(MainContent, code="malware"),
        },
    )
    content = refreshed.content.decode()
    assert 'class="btn btn-sm btn-outline-secondary hub-nojs' in content
    assert "ESET Endpoint Security for Android" in content
    assert "ウイルスが駆除できませんでした" in content
    assert 'value="件名"' in content


def test_it_keeps_other_companies_cases_invisible(
    client, customer_client, lite_services, other_company_customer
):
    customer_client.post(NEW, guide_example())
    case = Case.objects.get()
    other = Client()
    log_in(other, other_company_customer)
    assert other.get(reverse("cases:detail", args=[case.number])).status_code == 404
    assert other.get(reverse("cases:detail", args=["99999999"])).status_code == 404
    assert Client().get(reverse("cases:detail", args=[case.number])).status_code == 302


def test_it_runs_a_fixed_number_of_queries_whatever_the_catalogue_size(
    customer_client, lite_services, django_assert_max_num_queries
):
    def count(request):
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            request()
        return len(queries)

    def render_all():
        return (
            count(lambda: customer_client.get(NEW)),
            count(
                lambda: customer_client.post(
                    NEW, guide_example(action="refresh"), HTTP_HX_REQUEST="true"
                )
            ),
        )

    before = render_all()
    group = ProductGroup.objects.get(code="endpoint")
    malware = MainContent.objects.get(code="malware")
    endpoint = Product.objects.get(code="eset-endpoint-security")
    for n in range(60):
        product = Product.objects.create(
            code=f"extra-{n}", name_ja=f"Extra {n}", name_en=f"ESET Endpoint Extra {n}", group=group
        )
        product.operating_systems.set(OperatingSystem.objects.all()[:3])
        malware.problems.create(code=f"extra-{n}", name_ja=f"問題 {n}", name_en=f"Problem {n}")
        endpoint.versions.create(version=f"20.{n}")
    assert render_all() == before


@pytest.mark.django_db(transaction=True)
def test_it_numbers_concurrent_cases_distinctly_and_counts_sub_services_exactly(customer, company):
    sub = subscribe(company, "premium-support", included=5)
    clients = []
    for _ in range(8):
        c = Client()
        c.force_login(customer)
        session = c.session
        from django_otp import DEVICE_ID_SESSION_KEY
        from django_otp.plugins.otp_totp.models import TOTPDevice

        session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=customer).persistent_id
        session.save()
        clients.append(c)
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


@pytest.mark.parametrize(
    "field", ["service", "product", "main_content", "product_group", "products"]
)
@pytest.mark.parametrize("value", ["²", "9" * 5000, "9" * 30])
@pytest.mark.parametrize("action", ["refresh", "create"])
def test_it_answers_odd_ids_in_the_case_form_without_error(
    customer_client, lite_services, field, value, action
):
    response = customer_client.post(NEW, guide_example(action=action, **{field: value}))
    if action == "create" and field in ("product_group", "products"):
        # The guide's service has the product layout: the product-group fields are not read
        # (tests/test_case_form_refusals.py), so nothing there refuses the form unseen.
        assert response.status_code == 302 and not Case.objects.get().products.exists()
        return
    assert response.status_code == 200
    assert not Case.objects.exists()


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
    Case.objects.filter(pk=open_case.pk).update(status="resolved")
    customer_client.post(
        NEW,
        guide_example(
            submission_id="00000000-0000-4000-8000-0000000000bb", follows=open_case.number
        ),
    )
    assert Case.objects.get(follows=open_case).follows == open_case
