"""The case form's product-group layout, the guide's last screenshot: サービス, 件名,
製品グループ (「すべて」), 「追加する製品」 with 「使用可能な製品」 / 「選択した製品」
in alphabetical order, 説明 and nothing else; the chosen products are exactly those the
customer moved, across any number of refreshes, and are saved as such."""

import re
import uuid

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cases.details import case_detail_rows
from cases.models import Case
from catalog.models import Priority, Product, ProductGroup, Service
from tests.factories import subscribe
from tests.helpers import force_sign_in, pk

pytestmark = pytest.mark.django_db
NEW = reverse("cases:create")
GUIDE_FIRST_SIX = [
    "ESET Business Account",
    "ESET Cloud Administrator",
    "ESET Cloud Office Security",
    "ESET Connect",
    "ESET Cybersecurity Awareness Training",
    "ESET Direct Endpoint Management for Automation",
]


@pytest.fixture
def ultimate_client(client, other_company_customer, other_company):
    """A customer of an Ultimate company with HealthCheck, a service of the product-group
    layout, reading the portal in Japanese."""
    subscribe(other_company, "healthcheck")
    other_company_customer.language = "ja"
    other_company_customer.save()
    return force_sign_in(client, other_company_customer)


def healthcheck(**fields) -> dict:
    data = {
        "action": "refresh",
        "submission_id": str(uuid.uuid4()),
        "service": pk(Service, code="healthcheck"),
        "subject": "ヘルスチェックの依頼",
        "product_group": "",
        "description": "次回のヘルスチェックの日程を相談させてください。",
    }
    return data | fields


def section(page: str, test_id: str) -> str:
    """The markup of one list of the dual list."""
    match = re.search(rf'data-testid="{test_id}">(.*?)</div>\s*</div>', page, re.S)
    assert match, test_id
    return match.group(1)


def boxes(page: str, test_id: str) -> list[tuple[int, bool]]:
    """(product id, ticked) of each checkbox of one list, in page order."""
    return [
        (int(value), bool(checked))
        for value, checked in re.findall(
            r'<input [^>]*name="products" value="(\d+)"[^>]*?( checked)?>', section(page, test_id)
        )
    ]


def names(ids) -> list[str]:
    by_id = {p.pk: p.name_en for p in Product.objects.filter(pk__in=list(ids))}
    return [by_id[i] for i in ids]


# -- what the layout shows -------------------------------------------------------------------


def test_it_shows_exactly_the_fields_of_the_guides_last_screenshot(ultimate_client):
    response = ultimate_client.get(NEW + "?service=healthcheck")
    form = response.context["form"]
    page = response.content.decode()
    shown = {bound.name for bound in form.visible_fields() if not bound.field.disabled}
    assert shown == {"service", "subject", "product_group", "products", "description"}
    required = {name for name in shown if form.fields[name].required}
    assert required == {"service", "subject", "products", "description"}
    labels = [
        "サービス",
        "件名",
        "製品グループ",
        "追加する製品",
        "使用可能な製品",
        "選択した製品",
        "説明",
    ]
    positions = [page.index(label) for label in labels]
    assert positions == sorted(positions)
    for absent in ('name="main_content"', 'name="problem"', 'name="priority"', 'name="product"'):
        assert absent not in page
    assert '<option value="" selected>すべて</option>' in page


def test_it_heads_the_dual_list_with_products_to_add_and_its_required_mark(ultimate_client):
    page = ultimate_client.get(NEW + "?service=healthcheck").content.decode()
    legend = re.search(r'<legend [^>]*data-testid="products-to-add">(.*?)</legend>', page, re.S)
    assert legend and legend.group(1).startswith("追加する製品")
    assert '<span class="asteriskField">*</span>' in legend.group(1)
    with translation.override("ja"):
        assert f'<span class="visually-hidden">{gettext("(required)")}</span>' in legend.group(1)


def test_it_lists_the_available_products_alphabetically_as_the_guide(ultimate_client):
    page = ultimate_client.get(NEW + "?service=healthcheck").content.decode()
    listed = names([pid for pid, _ticked in boxes(page, "available-products")])
    assert listed == sorted(listed, key=str.casefold)
    # The guide's visible slice, in a row (ESET Bridge, not in its list, sorts before it).
    start = listed.index(GUIDE_FIRST_SIX[0])
    assert listed[start : start + 6] == GUIDE_FIRST_SIX
    assert len(listed) == Product.objects.filter(active=True, group__active=True).count()


def test_it_orders_alphabetically_ignoring_case_and_keeps_equal_names_in_menu_order(
    ultimate_client,
):
    group = ProductGroup.objects.get(code="cloud")
    for code, name, position in [
        ("zz-lower", "eset aardvark", 1),
        ("zz-twin-late", "ESET Bison", 900),
        ("zz-twin-early", "eset bison", 5),
    ]:
        Product.objects.create(
            code=code, name_ja=name, name_en=name, position=position, group=group
        )
    page = ultimate_client.post(NEW, healthcheck(product_group=str(group.pk))).content.decode()
    listed = names([pid for pid, _ticked in boxes(page, "available-products")])
    assert listed[:3] == ["eset aardvark", "eset bison", "ESET Bison"]


# -- the chosen set across refreshes ---------------------------------------------------------


def test_it_keeps_every_chosen_product_through_a_refresh(ultimate_client):
    # A refresh used to rebuild the form from request.POST as `initial`: a field of several
    # values became its last one, and the template looked for ids inside that string.
    chosen = list(
        Product.objects.filter(active=True).order_by("-pk").values_list("pk", flat=True)[:3]
    )
    response = ultimate_client.post(NEW, healthcheck(products=[str(p) for p in chosen]))
    page = response.content.decode()
    selected = boxes(page, "selected-products")
    assert sorted(pid for pid, _ticked in selected) == sorted(chosen)
    assert all(ticked for _pid, ticked in selected)
    assert not {pid for pid, _ticked in boxes(page, "available-products")} & set(chosen)
    assert not response.context["form"].errors


def test_it_never_marks_a_product_chosen_because_its_id_is_inside_another(ultimate_client):
    # "12" holds "1" and "2": one chosen product, and only that one, is selected.
    two_digits = Product.objects.filter(active=True, pk__gte=10).order_by("pk").first()
    page = ultimate_client.post(NEW, healthcheck(products=[str(two_digits.pk)])).content.decode()
    assert boxes(page, "selected-products") == [(two_digits.pk, True)]


def test_it_keeps_chosen_products_of_another_group_when_the_group_changes(ultimate_client):
    cloud = Product.objects.get(code="eset-connect")
    endpoint = ProductGroup.objects.get(code="endpoint")
    page = ultimate_client.post(
        NEW, healthcheck(product_group=str(endpoint.pk), products=[str(cloud.pk)])
    ).content.decode()
    assert boxes(page, "selected-products") == [(cloud.pk, True)]
    available = {pid for pid, _ticked in boxes(page, "available-products")}
    assert available == set(endpoint.products.filter(active=True).values_list("pk", flat=True))


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_it_saves_exactly_what_was_moved_whatever_the_sequence(ultimate_client, data):
    """A person ticks and unticks products and switches groups, the fields refreshing after
    each step as htmx refreshes them (the form posts every ticked box, as it does without
    JavaScript too): they then show exactly the moved products as selected, and creating the
    case saves them and nothing else."""
    groups = [""] + [
        str(g) for g in ProductGroup.objects.filter(active=True).values_list("pk", flat=True)
    ]
    moved: set[int] = set()
    state = healthcheck()
    page = ultimate_client.post(NEW, state, HTTP_HX_REQUEST="true").content.decode()
    for _step in range(data.draw(st.integers(min_value=1, max_value=6), label="steps")):
        available = [pid for pid, _ticked in boxes(page, "available-products")]
        selected = [pid for pid, _ticked in boxes(page, "selected-products")]
        moves = [("group", None)]
        moves += [("add", pid) for pid in available] + [("remove", pid) for pid in selected]
        kind, product = data.draw(st.sampled_from(moves), label="move")
        if kind == "group":
            state["product_group"] = data.draw(st.sampled_from(groups), label="group")
        elif kind == "add":
            moved.add(product)
        else:
            moved.discard(product)
        state["products"] = [str(pid) for pid in sorted(moved)]
        page = ultimate_client.post(NEW, state, HTTP_HX_REQUEST="true").content.decode()
        shown = boxes(page, "selected-products")
        assert {pid for pid, ticked in shown if ticked} == moved
        assert len(shown) == len(moved)
        assert not {pid for pid, _ticked in boxes(page, "available-products")} & moved
    with transaction.atomic():
        response = ultimate_client.post(NEW, state | {"action": "create"})
        if moved:
            assert response.status_code == 302
            case = Case.objects.get(submission_id=state["submission_id"])
            assert set(case.products.values_list("pk", flat=True)) == moved
        else:
            assert response.status_code == 200
            assert response.context["form"].errors["products"] == [
                "このフィールドを入力してください。"
            ]
        transaction.set_rollback(True)


def test_it_refuses_a_product_of_an_inactive_group_and_never_shows_it_chosen(ultimate_client):
    product = Product.objects.get(code="eset-connect")
    ProductGroup.objects.filter(pk=product.group_id).update(active=False)
    response = ultimate_client.post(NEW, healthcheck(action="create", products=[str(product.pk)]))
    assert response.status_code == 200 and not Case.objects.exists()
    assert "products" in response.context["form"].errors
    page = ultimate_client.post(NEW, healthcheck(products=[str(product.pk)])).content.decode()
    assert boxes(page, "selected-products") == []
    assert product.pk not in {pid for pid, _ticked in boxes(page, "available-products")}


# -- what is saved ---------------------------------------------------------------------------


def test_it_files_the_case_with_the_default_priority_and_no_main_content(
    ultimate_client, other_company_customer
):
    chosen = Product.objects.filter(code__in=["eset-connect", "eset-protect-hub"])
    response = ultimate_client.post(
        NEW, healthcheck(action="create", products=[str(p.pk) for p in chosen])
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert set(case.products.all()) == set(chosen)
    assert case.priority == Priority.objects.get(is_default=True)
    assert case.main_content is None and case.problem is None and case.product is None
    with translation.override("ja"):
        labels = [row.label for row in case_detail_rows(case, response_minutes=None)]
    assert "主な内容" not in labels and "問題" not in labels
    assert "選択した製品" in labels and "優先度" in labels


def test_it_refuses_a_case_without_products_and_says_so(ultimate_client):
    response = ultimate_client.post(NEW, healthcheck(action="create"))
    assert response.status_code == 200 and not Case.objects.exists()
    assert response.context["form"].errors == {"products": ["このフィールドを入力してください。"]}
    page = response.content.decode()
    shown = re.search(r'<div id="products-errors">(.*?)</div></div>', page, re.S)
    assert shown and "このフィールドを入力してください。" in shown.group(1)
    assert 'aria-describedby="products-errors"' in page


def test_it_ignores_main_content_problem_and_priority_sent_to_this_layout(ultimate_client):
    critical = Priority.objects.get(code="critical")
    product = Product.objects.get(code="eset-connect")
    response = ultimate_client.post(
        NEW,
        healthcheck(
            action="create",
            products=[str(product.pk)],
            main_content="not-an-id",
            problem="-1",
            priority=str(critical.pk),
        ),
    )
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.priority.is_default and case.main_content_id is None
