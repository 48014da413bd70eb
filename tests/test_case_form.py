"""The seven-step case form before it is sent: the choices it offers, its layouts, htmx and
no-JavaScript refreshes, and its query budget."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import ServiceSubscription
from cases.models import Case
from catalog.cache import forget
from catalog.models import MainContent, OperatingSystem, Priority, Product, ProductGroup, Service
from tests.factories import subscribe, with_authenticator
from tests.helpers import force_sign_in, guide_example, pk

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")


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
    positions = [
        re.search(rf"<label\s[^>]*>\s*{re.escape(label)}[\s<]", content).start() for label in labels
    ]
    assert positions == sorted(positions)
    # The buttons themselves: "作成" alone is also in the page's heading.
    assert re.search(r'<button [^>]*value="create"[^>]*>作成</button>', content)
    assert re.search(r"<a [^>]*>キャンセル</a>", content)


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
    with_authenticator(user)
    force_sign_in(client, user)
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
    assert content.lstrip().startswith('<div id="case-fields"')
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


def test_it_runs_a_fixed_number_of_queries_whatever_the_catalogue_size(
    customer_client, lite_services, django_assert_max_num_queries
):
    def count(request):
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

    # A transaction that changed the catalogue reads it afresh on every request
    # (catalog/cache.py), as this test's does below: count both sizes that way.
    forget()
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
