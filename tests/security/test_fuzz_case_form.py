"""Fuzzing the case form: never a 500, never a stored case that breaks a rule.

What is sent and what must hold: tests/security/fuzzing.py.
"""

import uuid

import pytest
from django.utils.html import escape
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case
from catalog.models import (
    FormLayout,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    Service,
)
from tests.factories import subscribe
from tests.helpers import force_sign_in
from tests.security.fuzzing import (
    assert_case_keeps_the_rules,
    budget,
    counts,
    example,
    get,
    ids,
    post,
    served,
    texts,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ultimate_customer(other_company_customer, other_company):
    """A company with both layouts of the form (product, product group) and instance ids."""
    for code in ("premium-support-ultimate", "healthcheck", "deployment-upgrade", "mdr-ultimate"):
        subscribe(other_company, code)
    return other_company_customer


def catalogue_pools() -> dict:
    """Every id of the catalogue, active or not, of this contract or another."""
    version_ids = list(ProductVersion.objects.values_list("pk", flat=True))
    return {
        "service": list(Service.objects.values_list("pk", flat=True)),
        "product": list(Product.objects.values_list("pk", flat=True)),
        "product_version": version_ids,
        "operating_system": list(OperatingSystem.objects.values_list("pk", flat=True)),
        "product_group": list(ProductGroup.objects.values_list("pk", flat=True)),
        "products": list(Product.objects.values_list("pk", flat=True)),
        "main_content": list(MainContent.objects.values_list("pk", flat=True)),
        "problem": list(Problem.objects.values_list("pk", flat=True)),
        "priority": list(Priority.objects.values_list("pk", flat=True)),
    }


def some_inactive() -> None:
    """An inactive entry of each kind, so that the fuzzer also offers those."""
    for model in (Problem, ProductVersion, OperatingSystem, MainContent):
        entry = model.objects.order_by("-pk").first()
        model.objects.filter(pk=entry.pk).update(active=False)
    group = ProductGroup.objects.filter(products__isnull=False).order_by("-pk").first()
    ProductGroup.objects.filter(pk=group.pk).update(active=False)


def valid_case(data) -> dict:
    """A valid case of a random service and layout, to be mutated."""
    service = data.draw(
        st.sampled_from(["premium-support-ultimate", "healthcheck", "mdr-ultimate"])
    )
    service = Service.objects.get(code=service)
    product = Product.objects.filter(active=True, group__active=True, versions__active=True)
    product = product.filter(operating_systems__active=True).order_by("pk").first()
    main_content = MainContent.objects.filter(active=True, problems__active=True).first()
    fields = {
        "action": "create",
        "submission_id": str(uuid.uuid4()),
        "service": service.pk,
        "subject": "駆除できないウイルス",
        "main_content": main_content.pk,
        "problem": main_content.problems.filter(active=True).first().pk,
        "priority": Priority.objects.filter(active=True).first().pk,
        "description": "説明\r\nです",
    }
    if service.asks_instance_ids:
        fields |= {"eset_protect_instance_id": "abc-123", "eset_inspect_instance_id": "def-456"}
    if service.form_layout == FormLayout.PRODUCT_GROUP:
        fields["products"] = [product.pk]
    else:
        fields |= {
            "product": product.pk,
            "product_version": product.versions.filter(active=True).first().pk,
            "operating_system": product.operating_systems.filter(active=True).first().pk,
        }
    return fields


FORM_FIELDS = [
    "action",
    "submission_id",
    "follows",
    "service",
    "eset_protect_instance_id",
    "eset_inspect_instance_id",
    "subject",
    "product_query",
    "product",
    "product_version",
    "operating_system",
    "product_group",
    "products",
    "main_content",
    "problem",
    "priority",
    "description",
]


@budget(120)
@given(data=st.data())
def test_it_never_fails_or_stores_a_bad_case_whatever_the_case_form_gets(
    client, ultimate_customer, other_company, data
):
    if not hasattr(client, "fuzz_ready"):
        some_inactive()
        force_sign_in(client, ultimate_customer)
        client.fuzz_ready = catalogue_pools()
    pools = client.fuzz_ready
    fields = valid_case(data)
    for name in data.draw(st.lists(st.sampled_from(FORM_FIELDS), max_size=4, unique=True)):
        pool = pools.get(name, [])
        choice = st.sampled_from(pool) | ids if pool else texts
        if name == "products":
            fields[name] = data.draw(st.lists(choice, max_size=3))
        elif name in ("action", "follows") and data.draw(st.booleans()):
            fields[name] = data.draw(st.sampled_from(["create", "refresh", "00001001", ""]))
        elif data.draw(st.booleans()):
            fields.pop(name, None)
        else:
            fields[name] = data.draw(choice)
    htmx = {"HTTP_HX_REQUEST": "true"} if data.draw(st.booleans()) else {}
    multipart = data.draw(st.booleans())
    with example():
        before = counts()
        response = served(post(client, "/cases/new/", fields, multipart=multipart, **htmx))
        after = counts()
        if response.status_code == 302:
            assert after[Case] == before[Case] + 1
            assert_case_keeps_the_rules(Case.objects.latest("pk"), other_company)
        else:
            assert after == before
        if response.status_code == 200 and fields.get("action") == "create":
            # A refusal says why, where the page shows it (htmx swaps in a partial, whose
            # context the test client does not record: the page alone must show an error).
            page = response.content.decode()
            assert "invalid-feedback" in page or 'data-testid="form-errors"' in page
            if not htmx:
                form = response.context["form"]
                for error in [*form.non_field_errors(), *form.unshown_errors()]:
                    assert escape(error) in page


@budget(30)
@given(params=st.dictionaries(st.sampled_from(["service", "follows", "x"]), texts, max_size=2))
def test_it_opens_the_case_form_whatever_the_link_says(client, ultimate_customer, params):
    if not hasattr(client, "fuzz_ready"):
        force_sign_in(client, ultimate_customer)
        client.fuzz_ready = True
    with example():
        before = counts()
        served(get(client, "/cases/new/", params))
        assert counts() == before
