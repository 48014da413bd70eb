"""The product-group layout in Chromium: with htmx, a ticked product moves to "Selected
products" and another group narrows the available ones, without a reload."""

import pytest
from playwright.sync_api import expect

from cases.models import Case
from catalog.models import ProductGroup
from tests.factories import subscribe
from tests.helpers import signed_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_moves_ticked_products_and_narrows_by_group(
    new_page, live_server, other_company_customer, other_company
):
    subscribe(other_company, "healthcheck")
    other_company_customer.language = "en"
    other_company_customer.save()
    groups = list(ProductGroup.objects.filter(active=True, products__active=True).distinct())
    first, second = groups[0], groups[1]
    product = first.products.filter(active=True).order_by("position", "id").first()
    page = signed_in_page(new_page, other_company_customer, "en-GB")
    page.goto(f"{live_server.url}/cases/new/")
    page.locator("#id_service").select_option(label="HealthCheck")
    available = page.get_by_test_id("available-products")
    selected = page.get_by_test_id("selected-products")
    expect(available.get_by_label(product.name_en, exact=True)).to_be_attached()

    page.locator("#id_subject").fill("Health check")
    available.get_by_label(product.name_en, exact=True).check()
    expect(selected.get_by_label(product.name_en, exact=True)).to_be_checked()
    expect(available.get_by_label(product.name_en, exact=True)).to_have_count(0)

    page.locator("#id_product_group").select_option(label=second.name_en)
    other = second.products.filter(active=True).order_by("position", "id").first()
    expect(available.get_by_label(other.name_en, exact=True)).to_be_attached()
    expect(selected.get_by_label(product.name_en, exact=True)).to_be_checked()
    expect(page.locator("#id_subject")).to_have_value("Health check")
    assert not Case.objects.exists()
    assert page.problems == []
