"""The case form's lists: narrowed by one selector, `case_form_choices`, which the form uses as
it is; the form, the views and the filters read the catalogue only through its selectors."""

import ast
from pathlib import Path

import pytest
from django.db import models
from django.http import QueryDict
from django.utils import timezone

import cases
import catalog.models
from cases.forms import CaseForm
from cases.selectors import case_form_choices
from catalog.models import MainContent, Product, ProductGroup, Service
from tests.factories import subscribe
from tests.helpers import guide_example, pk

NARROWED = (
    "service",
    "product",
    "product_version",
    "operating_system",
    "product_group",
    "products",
    "main_content",
    "problem",
    "priority",
)


def choices_for(company, **data):
    return case_form_choices(company, timezone.localdate(), data)


def codes(queryset) -> list[str]:
    return [entry.code for entry in queryset]


@pytest.mark.django_db
def test_it_offers_the_services_of_usable_subscriptions_in_menu_order(company, lite_services):
    subscribe(company, "premium-support", days_left=-1)  # expired: adds nothing
    choices = choices_for(company)
    assert codes(choices.querysets["service"]) == ["premium-support", "mdr"]


@pytest.mark.django_db
def test_it_never_chooses_a_service_outside_the_contract(company, lite_services):
    choices = choices_for(company, service=pk(Service, code="mdr-ultimate"))
    assert choices.service is None


@pytest.mark.django_db
def test_it_narrows_versions_and_systems_to_the_chosen_product(company, lite_services):
    data = guide_example()
    choices = case_form_choices(company, timezone.localdate(), data)
    assert choices.product == Product.objects.get(code="eset-endpoint-security")
    versions = [v.version for v in choices.querysets["product_version"]]
    assert versions == ["10.0", "10.1", "11.0", "11.1"]
    assert set(codes(choices.querysets["operating_system"])) == {"windows-11", "windows-10"}


@pytest.mark.django_db
def test_it_offers_no_versions_systems_or_problems_before_their_parent(company, lite_services):
    choices = choices_for(company)
    for name in ("product_version", "operating_system", "problem"):
        assert not choices.querysets[name].exists(), name


@pytest.mark.django_db
def test_it_narrows_problems_to_the_chosen_main_content(company, lite_services):
    malware = MainContent.objects.get(code="malware")
    choices = choices_for(company, main_content=str(malware.pk))
    problems = list(choices.querysets["problem"])
    assert len(problems) == 10
    assert {problem.main_content_id for problem in problems} == {malware.pk}


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["١", "１", " {pk}", "{pk} ", "-{pk}", "9" * 30])
def test_it_reads_a_parent_only_in_ascii_digits(company, lite_services, value):
    product = Product.objects.get(code="eset-endpoint-security")
    choices = choices_for(company, product=value.format(pk=product.pk))
    assert choices.product is None
    assert not choices.querysets["product_version"].exists()


@pytest.mark.django_db
def test_it_searches_products_and_keeps_the_chosen_one(company, lite_services):
    chosen = Product.objects.get(code="eset-endpoint-security-macos")
    choices = choices_for(company, product_query="endpoint sec", product=str(chosen.pk))
    names = {p.name for p in choices.querysets["product"]}
    assert names == {
        "ESET Endpoint Security",
        "ESET Endpoint Security for Android",
        "ESET Endpoint Security for macOS",
    }
    choices = choices_for(company, product_query="no such product", product=str(chosen.pk))
    assert list(choices.querysets["product"]) == [chosen]


@pytest.mark.django_db
def test_it_searches_for_nothing_with_control_characters(company, lite_services):
    first_twenty = list(choices_for(company).querysets["product"])
    assert len(first_twenty) == 20
    assert list(choices_for(company, product_query="endpoint\x00").querysets["product"]) == (
        first_twenty
    )


@pytest.mark.django_db
def test_it_keeps_ticked_products_when_the_group_changes(company, lite_services):
    groups = ProductGroup.objects.filter(active=True, products__active=True).distinct()
    first, second = groups[0], groups[1]
    ticked = first.products.filter(active=True).first()
    query = QueryDict(mutable=True)
    query["product_group"] = str(second.pk)
    query.setlist("products", [str(ticked.pk)])
    choices = case_form_choices(company, timezone.localdate(), query)
    products = list(choices.querysets["products"])
    assert ticked in products
    assert {p.group_id for p in products} == {first.pk, second.pk}


@pytest.mark.django_db
def test_it_gives_the_form_its_lists_unchanged(company, lite_services):
    data = guide_example(action="refresh")
    form = CaseForm(
        initial=data, company=company, today=timezone.localdate(), refresh_url="/cases/new/"
    )
    choices = case_form_choices(company, timezone.localdate(), data)
    for name in NARROWED:
        assert list(form.fields[name].queryset) == list(choices.querysets[name]), name
    assert form.choices.service == choices.service


@pytest.mark.django_db
def test_it_narrows_in_one_query_per_chosen_parent(
    company, lite_services, django_assert_num_queries
):
    group = ProductGroup.objects.filter(active=True).first()
    data = guide_example(product_group=str(group.pk))
    case_form_choices(company, timezone.localdate(), data)  # reads the catalogue's copy
    # service, product, main content, product group; the product search reads the copy
    with django_assert_num_queries(4):
        case_form_choices(company, timezone.localdate(), data)


# -- the catalogue is read through catalog/selectors.py only -------------------------------

CATALOGUE_MODELS = {
    name
    for name, value in vars(catalog.models).items()
    if isinstance(value, type) and issubclass(value, models.Model)
}
CASES_DIR = Path(cases.__file__).parent


def imported_from_catalog_models(tree: ast.Module) -> set[str]:
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "catalog.models"
        for alias in node.names
    }


def managers_used(tree: ast.Module) -> set[str]:
    """Names X of every `X.objects` in the module."""
    return {
        node.value.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
    }


@pytest.mark.parametrize("module", ["forms.py", "views.py", "filters.py"])
def test_it_reads_the_catalogue_only_through_its_selectors(module):
    tree = ast.parse((CASES_DIR / module).read_text(encoding="utf-8"))
    assert not imported_from_catalog_models(tree) & CATALOGUE_MODELS
    assert not managers_used(tree) & CATALOGUE_MODELS


def test_it_narrows_choices_through_the_catalogue_selectors_too():
    tree = ast.parse((CASES_DIR / "selectors.py").read_text(encoding="utf-8"))
    assert not managers_used(tree) & CATALOGUE_MODELS


def test_it_knows_the_catalogue_models_it_guards():
    assert {"Service", "Product", "ProductVersion", "Problem", "Priority"} <= CATALOGUE_MODELS
