"""The case templates: the Details tab loops over the rows of cases.details.case_detail_rows,
which are the rows the page always showed, in the same order; and the templates compare with
the choices passed to them, never with values typed into them."""

import re
from pathlib import Path

import pytest
from django.utils import formats, translation
from django.utils.translation import gettext

import hub
from accounts.models import TileState
from cases.details import case_detail_rows
from cases.models import CaseStatus
from cases.views import CaseTab
from catalog.models import FormLayout, OperatingSystem, Product, ProductGroup
from tests.factories import subscribe
from tests.helpers import detail

PRODUCT_ROWS = [
    "Company name",
    "Contact name",
    "Service",
    "ESET PROTECT instance ID",
    "ESET Inspect instance ID",
    "Product ID",
    "Product version",
    "OS",
    "Main content",
    "Problem",
    "Priority",
    "Response target",
    "Follows case",
    "Created",
    "Description",
]
PRODUCT_GROUP_ROWS = [
    "Company name",
    "Contact name",
    "Service",
    "Product group",
    "Selected products",
    "Main content",
    "Problem",
    "Priority",
    "Response target",
    "Created",
    "Description",
]


def shown_rows(response) -> dict[str, str]:
    """Label → value markup of the Details tab, in page order."""
    content = response.content.decode()
    table = content.split('class="row hub-details"', 1)[1].split("</dl>", 1)[0]
    return dict(re.findall(r"<dt [^>]*>(.*?)</dt><dd [^>]*>(.*?)</dd>", table, re.S))


def in_language(user, labels) -> list[str]:
    with translation.override(user.language):
        return [gettext(label) for label in labels]


def product_case(make_case, customer, **fields):
    product = Product.objects.get(code="eset-endpoint-security")
    return make_case(
        customer,
        product=product,
        product_version=product.versions.get(version="11.0"),
        operating_system=OperatingSystem.objects.get(code="windows-11"),
        **fields,
    )


@pytest.mark.django_db
def test_it_shows_every_row_of_a_product_case(customer_client, customer, make_case):
    closed = product_case(make_case, customer, status=CaseStatus.RESOLVED)
    case = product_case(
        make_case,
        customer,
        eset_protect_instance_id="3f2a9c1e-7b4d",
        eset_inspect_instance_id="EI-000123",
        follows=closed,
        description="See https://example.com/log\nthen <b>reply</b>",
    )
    rows = shown_rows(customer_client.get(detail(case)))
    assert list(rows) == in_language(customer, PRODUCT_ROWS)
    values = list(rows.values())
    assert values[3] == "<code>3f2a9c1e-7b4d</code>"
    with translation.override(customer.language):
        assert values[5:8] == [case.product.name, "11.0", case.operating_system.name]
    assert f'<a href="{detail(closed)}">{closed.number}</a>' == values[12]
    assert values[14] == (
        'See <a href="https://example.com/log" rel="nofollow">https://example.com/log</a>'
        "<br>then &lt;b&gt;reply&lt;/b&gt;"
    )


@pytest.mark.django_db
def test_it_leaves_out_the_rows_a_case_does_not_have(customer_client, customer, make_case):
    case = product_case(make_case, customer)
    rows = shown_rows(customer_client.get(detail(case)))
    left_out = {"ESET PROTECT instance ID", "ESET Inspect instance ID", "Follows case"}
    expected = [label for label in PRODUCT_ROWS if label not in left_out]
    assert list(rows) == in_language(customer, expected)


@pytest.mark.django_db
def test_it_shows_every_row_of_a_product_group_case(customer_client, customer, make_case):
    group = ProductGroup.objects.filter(active=True, products__active=True).first()
    products = list(group.products.filter(active=True)[:2])
    case = make_case(customer, service="healthcheck", product_group=group)
    case.products.set(products)
    rows = shown_rows(customer_client.get(detail(case)))
    assert list(rows) == in_language(customer, PRODUCT_GROUP_ROWS)
    values = list(rows.values())
    with translation.override(customer.language):
        assert values[3] == group.name
        in_menu_order = Product.objects.filter(pk__in=[p.pk for p in products])
        assert values[4] == ", ".join(p.name for p in in_menu_order)


@pytest.mark.django_db
def test_it_says_all_for_a_case_of_every_product_group(customer, make_case):
    case = make_case(customer, service="healthcheck")
    with translation.override("en"):
        rows = {row.label: row.value for row in case_detail_rows(case, response_minutes=None)}
    assert rows["Product group"] == "All"
    assert rows["Selected products"] == ""
    assert "Response target" not in rows


@pytest.mark.django_db
def test_it_shows_the_details_only_on_the_details_tab(customer_client, customer, make_case):
    case = product_case(make_case, customer)
    assert "details" in customer_client.get(detail(case)).context
    assert "details" not in customer_client.get(detail(case, tab="chatter")).context


def test_it_compares_no_choice_value_by_hand_in_the_case_templates():
    """Templates compare with the choices passed in their context (`statuses`, `tile_states`,
    `CaseTab`) or ask the form, never with a value typed into the template."""
    values = {*CaseStatus.values, *TileState.values, *FormLayout.values, *CaseTab.values}
    folder = Path(hub.__file__).parent / "templates" / "cases"
    for template in folder.glob("*.html"):
        compared = re.findall(r"""[!=]=\s*["']([a-z_]+)["']""", template.read_text("utf-8"))
        assert not set(compared) & values, template.name


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subscription", "why"),
    [
        (
            {"days_left": -1},
            "This subscription has expired. Contact your ESET partner to renew it.",
        ),
        ({"included": 2, "used": 2}, "All sub-services of this subscription are used."),
        ({"started": -3}, "Cases can be created from %(date)s."),
    ],
)
def test_it_says_why_a_tile_cannot_take_cases(
    customer_client, customer, company, subscription, why
):
    tile = subscribe(company, "premium-support", **subscription)
    content = customer_client.get("/").content.decode()
    with translation.override(customer.language):
        expected = gettext(why) % {"date": formats.date_format(tile.valid_from, "DATE_FORMAT")}
    assert expected in content
