"""Operators edit the catalogue in the admin: every page renders, broken edits are refused."""

import pytest
from django.apps import apps
from django.urls import reverse

from catalog.models import MainContent, Problem, Product, ProductGroup, Service

pytestmark = pytest.mark.django_db

CATALOGUE_MODELS = [model for model in apps.get_app_config("catalog").get_models()]


@pytest.mark.parametrize("model", CATALOGUE_MODELS, ids=lambda m: m._meta.model_name)
def test_it_renders_every_catalogue_admin_page_for_an_operator(operator_client, catalogue, model):
    opts = model._meta
    changelist = reverse(f"admin:catalog_{opts.model_name}_changelist")
    assert operator_client.get(changelist).status_code == 200
    assert operator_client.get(changelist, {"q": "eset"}).status_code == 200
    assert operator_client.get(reverse(f"admin:catalog_{opts.model_name}_add")).status_code == 200
    entry = model.objects.first()
    change = reverse(f"admin:catalog_{opts.model_name}_change", args=[entry.pk])
    assert operator_client.get(change).status_code == 200


def test_it_keeps_customers_and_anonymous_visitors_out_of_the_catalogue_admin(
    client, make_user, catalogue
):
    url = reverse("admin:catalog_service_changelist")
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    response = client.get(url)
    assert response.status_code == 302
    assert "/admin/login/" in response.url


def test_it_shows_problems_inline_in_order(operator_client, catalogue):
    malware = MainContent.objects.get(code="malware")
    response = operator_client.get(reverse("admin:catalog_maincontent_change", args=[malware.pk]))
    content = response.content.decode()
    first, last = (
        "ウイルスが駆除できませんでした",
        "誤検知/不審な可能性のあるアプリケーションの申告",
    )
    assert content.index(first) < content.index(last)


def test_it_refuses_a_duplicate_code_in_the_admin(operator_client, catalogue):
    response = operator_client.post(
        reverse("admin:catalog_maincontent_add"),
        {
            "code": "malware",
            "name_ja": "重複",
            "name_en": "Duplicate",
            "position": 1,
            "active": "on",
            "problems-TOTAL_FORMS": 0,
            "problems-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert MainContent.objects.filter(code="malware").count() == 1
    assert response.context["adminform"].form.errors["code"]


def test_it_refuses_a_problem_code_used_twice_under_one_main_content(operator_client, catalogue):
    malware = MainContent.objects.get(code="malware")
    response = operator_client.post(
        reverse("admin:catalog_problem_add"),
        {
            "main_content": malware.pk,
            "code": "filecoder",
            "name_ja": "重複",
            "name_en": "Duplicate",
            "position": 99,
            "active": "on",
        },
    )
    assert response.status_code == 200
    assert "この主な内容にはすでに同じコードの問題があります。" in str(
        response.context["adminform"].form.errors
    )
    assert malware.problems.filter(code="filecoder").count() == 1


def test_it_refuses_a_problem_without_a_main_content(operator_client, catalogue):
    count = Problem.objects.count()
    response = operator_client.post(
        reverse("admin:catalog_problem_add"),
        {"code": "orphan", "name_ja": "孤児", "name_en": "Orphan", "position": 1},
    )
    assert response.status_code == 200
    assert "main_content" in response.context["adminform"].form.errors
    assert Problem.objects.count() == count


def test_it_refuses_to_delete_a_product_group_that_products_use(operator_client, catalogue):
    group = Product.objects.first().group
    url = reverse("admin:catalog_productgroup_delete", args=[group.pk])
    response = operator_client.post(url, {"post": "yes"})
    assert response.status_code == 200
    assert ProductGroup.objects.filter(pk=group.pk).exists()


def test_it_deactivates_and_activates_entries_with_admin_actions(operator_client, catalogue):
    mdr = Service.objects.get(code="mdr")
    changelist = reverse("admin:catalog_service_changelist")
    operator_client.post(
        changelist, {"action": "deactivate", "_selected_action": [mdr.pk]}, follow=True
    )
    mdr.refresh_from_db()
    assert not mdr.active
    operator_client.post(changelist, {"action": "activate", "_selected_action": [mdr.pk]})
    mdr.refresh_from_db()
    assert mdr.active
