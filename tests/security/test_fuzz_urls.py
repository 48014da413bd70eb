"""Fuzzing every path parameter of the URL configuration.

What is sent and what must hold: tests/security/fuzzing.py.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from hypothesis import given
from hypothesis import strategies as st

from cases.models import Case, Message
from tests.helpers import force_sign_in
from tests.security.fuzzing import (
    budget,
    counts,
    example,
    ids,
    q,
    served,
    texts,
)

pytestmark = pytest.mark.django_db


def routes(resolvers=None, prefix=""):
    """(route, converters) of every `path()` in the URL configuration, includes followed."""
    for entry in resolvers if resolvers is not None else get_resolver().url_patterns:
        route = getattr(entry.pattern, "_route", None)
        if route is None:
            continue  # re_path: the admin's catch-all and app index take no typed parameter
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern):
            yield prefix + route, entry.pattern.converters


ROUTES = sorted({route for route, _converters in routes() if "<" in route})
OWN_ROUTES = [route for route in ROUTES if not route.startswith("admin/")]
ADMIN_ROUTES = [route for route in ROUTES if route.startswith("admin/")]
CONVERTER_VALUES = {
    IntConverter: st.one_of(
        st.integers(0, 2**70).map(str), st.sampled_from(["0", "9" * 30, str(2**63)])
    ),
    StringConverter: st.one_of(ids, texts.filter(lambda t: "/" not in t)),
    SlugConverter: st.one_of(ids, texts),
    PathConverter: st.one_of(ids, texts),
}


def fill(route: str, draw, known: dict) -> str:
    """The route with a fuzzed value for each parameter (now and then a real one)."""
    converters = dict(routes_converters[route])

    def value(match):
        converter = converters[match.group(2)]
        strategy = next(
            (s for kind, s in CONVERTER_VALUES.items() if isinstance(converter, kind)), texts
        )
        if match.group(2) in known:
            strategy = st.just(known[match.group(2)]) | strategy
        return q(draw(strategy)) or "x"

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", value, route)


routes_converters = {route: converters for route, converters in routes() if "<" in route}


@pytest.fixture
def fuzz_clients(customer, operator, lite_services, settings):
    settings.DEMO_MODE = True
    customer_client = force_sign_in(Client(), customer)
    operator_client = force_sign_in(Client(), operator)
    assert operator_client.get("/admin/").status_code == 200
    return {"customer": customer_client, "operator": operator_client, "anonymous": Client()}


@budget(160)
@given(data=st.data())
def test_it_answers_every_path_parameter_without_failing(fuzz_clients, a_case, data):
    # Ours as often as the admin's, which are many more.
    route = data.draw(st.sampled_from(OWN_ROUTES) | st.sampled_from(ADMIN_ROUTES))
    path = fill(route, data.draw, {"number": a_case.number})
    who = (
        "operator"
        if route.startswith("admin/")
        else data.draw(st.sampled_from(["customer", "anonymous"]))
    )
    method = data.draw(st.sampled_from(["get", "post"]))
    with example():
        before = counts()
        if method == "get":
            served(fuzz_clients[who].get(path))
        else:
            served(fuzz_clients[who].post(path, {"x": "1"}))
        if who != "operator":
            assert counts()[Case] == before[Case] and counts()[Message] == before[Message]


def test_it_walks_the_url_configuration():
    # The walk above must see our own parameters, or it would test nothing.
    assert {"cases/<str:number>/", "accounts/register/<str:token>/"} <= set(ROUTES)
    assert any(route.startswith("admin/cases/case/") for route in ROUTES)
    assert "demo/outbox/<int:email_id>/" in ROUTES
