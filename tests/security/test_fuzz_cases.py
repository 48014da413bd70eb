"""Fuzzing the case list, the case page, Chatter and the operators' changelists.

What is sent and what must hold: tests/security/fuzzing.py.
"""

import pytest
from django.contrib import admin
from hypothesis import given
from hypothesis import strategies as st

from cases.forms import DESCRIPTION_MAX
from cases.models import Message
from tests.security.fuzzing import (
    budget,
    clean_text,
    counts,
    example,
    get,
    ids,
    post,
    served,
    texts,
)

pytestmark = pytest.mark.django_db


LIST_PARAMS = [
    "q",
    "state",
    "service",
    "priority",
    "mine",
    "sort",
    "page",
    "tab",
    "before",
    "after",
]


CASE_PAGES = ["", "chatter/older/", "chatter/updates/"]


@budget(100)
@given(
    page=st.sampled_from(["/", *CASE_PAGES]),
    params=st.dictionaries(st.sampled_from(LIST_PARAMS), ids | texts, max_size=4),
    htmx=st.booleans(),
)
def test_it_lists_and_shows_cases_whatever_the_query(customer_client, a_case, page, params, htmx):
    path = page if page == "/" else f"/cases/{a_case.number}/{page}"
    with example():
        before = counts()
        served(get(customer_client, path, params, **({"HTTP_HX_REQUEST": "true"} if htmx else {})))
        assert counts() == before


@budget(60)
@given(
    body=texts,
    post_id=st.one_of(st.uuids().map(str), texts),
    confirm=st.sampled_from(["yes", "no", "", "\x00"]),
)
def test_it_posts_to_chatter_only_what_is_valid(customer_client, a_case, body, post_id, confirm):
    with example():
        before = counts()
        response = served(
            post(
                customer_client,
                f"/cases/{a_case.number}/chatter/post/",
                {"body": body, "post_id": post_id, "confirm": confirm},
            )
        )
        after = counts()
        if after[Message] > before[Message]:
            assert after[Message] == before[Message] + 1 and response.status_code == 302
            assert confirm == "yes"
            message = Message.objects.latest("pk")
            assert clean_text(message.body, limit=DESCRIPTION_MAX) and message.body.strip()
        else:
            assert after == before


OUR_APPS = {"accounts", "cases", "catalog", "hub", "audit"}


def changelists() -> dict[str, list[str]]:
    """Our ModelAdmins' changelists, each with the query keys it reads: search, order, page,
    and the parameters of every list filter (Django's and our own)."""
    lists = {}
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda i: str(i[0])):
        if model._meta.app_label not in OUR_APPS:
            continue
        keys = ["q", "o", "p", "e", "all"]
        for entry in model_admin.list_filter:
            name = entry[0] if isinstance(entry, tuple) else entry
            if isinstance(name, str):
                keys += [name, f"{name}__exact", f"{name}__id__exact", f"{name}__gte"]
            elif hasattr(name, "parameter_names"):  # a filter of several parameters
                keys += list(name.parameter_names)
            else:
                keys.append(name.parameter_name)
        lists[f"/admin/{model._meta.app_label}/{model._meta.model_name}/"] = keys
    return lists


CHANGELISTS = changelists()


@budget(120)
@given(data=st.data())
def test_it_searches_and_filters_the_admin_without_failing(operator_client, a_case, data):
    changelist = data.draw(st.sampled_from(sorted(CHANGELISTS)))
    keys = st.sampled_from(CHANGELISTS[changelist])
    params = data.draw(st.dictionaries(keys, ids | texts, min_size=1, max_size=3))
    with example():
        before = counts()
        response = served(get(operator_client, changelist, params))
        assert response.status_code in (200, 302, 400)
        assert counts() == before


def test_it_knows_our_changelists_and_their_filters():
    assert {"status", "waiting", "q", "view", "days"} <= set(CHANGELISTS["/admin/cases/case/"])
    assert "/admin/accounts/invitation/" in CHANGELISTS
