"""Fuzzing: Hypothesis over every form and every path and query parameter.

Expected everywhere: never a 500; nothing stored that breaks a rule; a refused request stores
nothing at all. The examples of one test share its database transaction, so each one runs in a
savepoint that is rolled back after its checks, and the next starts from the same data.

Strings are sent as the bytes a browser or an attacker could send: lone surrogates as their
(invalid) UTF-8 bytes %ED%A0%80, NUL as %00. Budgets: `budget(n)` examples per test with the
default profile (tests/security/conftest.py), twenty times more with HYPOTHESIS_PROFILE=deep.
"""

import contextlib
import datetime as dt
import json
import re
import time
import uuid
from urllib.parse import quote

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter, PathConverter, SlugConverter, StringConverter
from django.utils import timezone
from django.utils.html import escape
from hypothesis import given, settings
from hypothesis import strategies as st

from accounts.models import Company, Invitation, PasswordReset, User
from accounts.services import invitation_create
from accounts.tokens import new_token
from cases.forms import BIDI_CONTROLS, DESCRIPTION_MAX, SUBJECT_MAX
from cases.models import Attachment, Case, Message
from catalog import selectors
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
from hub.models import OutboundEmail
from tests.conftest import PASSWORD, log_in, subscribe, totp_code
from trainer import classroom

pytestmark = pytest.mark.django_db


def budget(examples: int) -> settings:
    return settings(max_examples=max(1, examples * settings().max_examples // 100))


# -- what we send ----------------------------------------------------------------------------

NASTY = [
    "\x00",
    "\ud800",  # lone surrogates: sent as their invalid UTF-8 bytes
    "\udfff",
    "\u202e",  # right-to-left override
    "\u200f",
    "\ufeff",
    "\u3000",
    "ｅｓｅｔ",  # full-width look-alikes
    "ЕЅЕТ",  # Cyrillic look-alikes
    "\r\n",
    "\t",
    "'\"",
    "<script>alert(1)</script>",
    "%00",
    "../",
    "\\",
    "١٢٣",  # Arabic-Indic digits
    "１２３",
    "𝟏",
]
any_character = st.characters(codec=None, exclude_categories=())
texts = st.one_of(
    # The characters databases refuse, often enough that every test meets them.
    st.sampled_from(["\x00", "a\x00b", "\ud800", "x\udfff"]),
    st.sampled_from(NASTY),
    st.text(any_character, max_size=40),
    st.lists(st.sampled_from(NASTY) | st.text(any_character, max_size=4), max_size=6).map("".join),
    st.builds(
        lambda piece, times: piece * times,
        st.sampled_from(["a", "あ", "\u202e", "\x00", "1"]),
        st.sampled_from([0, 1, 64, 255, 256, 20_000, 20_001]),
    ),
)
ids = st.one_of(
    st.integers(-(2**70), 2**70).map(str),
    st.sampled_from(["", "0", "-1", "1e3", "0x1", " 1", "1 ", "١", "１", "9" * 19, "1.0"]),
    st.sampled_from([str(2**63), str(2**63 - 1), str(2**64), str(-(2**63) - 1)]),
    texts,
)


SURROGATE = re.compile("[\ud800-\udfff]")


def q(value) -> str:
    """Percent-encoded UTF-8 bytes; a lone surrogate becomes the invalid bytes it stands for."""
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def encode(data: dict) -> str:
    pairs = []
    for key, value in data.items():
        for item in value if isinstance(value, list) else [value]:
            pairs.append(f"{q(key)}={q(item)}")
    return "&".join(pairs)


def get(client, path, params=None, **extra):
    return client.get(f"{path}?{encode(params)}" if params else path, **extra)


def post(client, path, data, *, multipart=False, **extra):
    """URL-encoded bytes; or multipart, as the test client writes it, when it can (it cannot
    write lone surrogates)."""
    if multipart and not SURROGATE.search(json.dumps(data, ensure_ascii=False)):
        return client.post(path, data, **extra)
    return client.post(
        path, encode(data), content_type="application/x-www-form-urlencoded", **extra
    )


# -- what must hold after every example --------------------------------------------------------

COUNTED = (Case, Message, Attachment, User, Invitation, PasswordReset)


def counts() -> dict:
    return {model: model.objects.count() for model in COUNTED}


@contextlib.contextmanager
def example():
    """One example in a savepoint, rolled back once its checks passed."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def served(response):
    assert response.status_code < 500, response.content.decode(errors="replace")[:3000]
    return response


def clean_text(text: str, *, limit: int) -> bool:
    return (
        len(text) <= limit
        and "\x00" not in text
        and not set(text) & BIDI_CONTROLS
        and not SURROGATE.search(text)
    )


def assert_case_keeps_the_rules(case: Case, company: Company) -> None:
    today = timezone.localdate()
    assert re.fullmatch(r"[0-9]{8}", case.number)
    assert case.company_id == company.pk
    assert case.service in selectors.services_for_plan(company.plan)
    assert company.subscriptions.filter(service=case.service).usable(today).exists()
    assert case.main_content.active and case.problem.active and case.priority.active
    assert case.problem.main_content_id == case.main_content_id
    assert clean_text(case.subject, limit=SUBJECT_MAX) and case.subject.strip()
    assert clean_text(case.description, limit=DESCRIPTION_MAX) and case.description.strip()
    for value in (case.eset_protect_instance_id, case.eset_inspect_instance_id):
        assert bool(value) == case.service.asks_instance_ids
        assert not value or re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9-]{2,63}", value)
    products = list(case.products.all())
    if case.service.form_layout == FormLayout.PRODUCT_GROUP:
        assert case.product_id is case.product_version_id is case.operating_system_id is None
        assert products and all(p.active and p.group.active for p in products)
    else:
        assert not products and case.product_group_id is None
        assert case.product.active and case.product.group.active
        assert case.product_version.active and case.product_version.product_id == case.product_id
        assert case.operating_system.active
        assert case.product.operating_systems.filter(pk=case.operating_system_id).exists()
    if case.follows_id:
        assert case.follows.company_id == company.pk


# -- the case form --------------------------------------------------------------------------


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
        log_in(client, ultimate_customer)
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
        log_in(client, ultimate_customer)
        client.fuzz_ready = True
    with example():
        before = counts()
        served(get(client, "/cases/new/", params))
        assert counts() == before


# -- following a case -------------------------------------------------------------------------


@pytest.fixture
def a_case(customer, company, lite_services):
    case = Case.objects.create(
        company=company,
        created_by=customer,
        subscription=lite_services[0],
        service=lite_services[0].service,
        subject="ケース",
        main_content=MainContent.objects.get(code="malware"),
        problem=Problem.objects.get(code="virus-not-removed"),
        priority=Priority.objects.get(code="normal"),
        description="説明",
        number=None,
    )
    case.number = f"{1000 + case.pk:08d}"
    case.save()
    return case


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


# -- every path parameter of the URL configuration ------------------------------------------


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
    customer_client, operator_client = Client(), Client()
    log_in(customer_client, customer)
    log_in(operator_client, operator)
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


# -- sign-in, registration, password reset, profile ----------------------------------------


@budget(60)
@given(email=texts, password=texts, next_url=texts)
def test_it_signs_in_only_with_the_right_password(client, customer, email, password, next_url):
    with example():
        before = counts()
        response = served(
            post(
                client,
                f"/accounts/login/?next={q(next_url)}",
                {"email": email, "password": password},
            )
        )
        assert counts() == before
        if response.status_code == 302:
            assert email.strip().lower() == customer.email and password == PASSWORD


@budget(40)
@given(code=st.one_of(texts, st.integers(0, 10**7).map(str)))
def test_it_checks_the_second_factor_code_without_failing(client, customer, code):
    with example():
        served(post(client, "/accounts/login/", {"email": customer.email, "password": PASSWORD}))
        device = customer.totpdevice_set.get(confirmed=True)
        response = served(post(client, "/accounts/login/verify/", {"code": code}))
        if response.status_code == 302:
            digits = re.sub(r"\s", "", code)
            assert digits == totp_code(device) or digits in ("abcd2345", "efgh6723", "ijkl2345")


@pytest.fixture
def invitation(company, operator, mailoutbox):
    return invitation_create(
        email="new.person@example.co.jp", full_name="新人", company=company, language="ja"
    )


@budget(40)
@given(password1=texts, password2=texts, terms=st.sampled_from(["on", "", "\x00", "1"]))
def test_it_registers_only_with_a_valid_form(client, invitation, password1, password2, terms):
    token = invitation.link.rstrip("/").rsplit("/", 1)[-1]
    with example():
        before = counts()
        response = served(
            post(
                client,
                f"/accounts/register/{token}/",
                {"password1": password1, "password2": password2, "accept_terms": terms},
            )
        )
        if response.status_code == 302:
            assert counts()[User] == before[User] + 1 and password1 == password2
        else:
            assert counts()[User] == before[User]


@budget(40)
@given(email=texts, password1=texts, password2=texts)
def test_it_resets_passwords_without_failing(client, customer, email, password1, password2):
    raw, token_hash = new_token()
    reset = PasswordReset.objects.create(
        user=customer, token_hash=token_hash, expires_at=timezone.now() + dt.timedelta(hours=1)
    )
    with example():
        before = counts()
        served(post(client, "/accounts/password/reset/", {"email": email}))
        assert counts()[User] == before[User]
        response = served(
            post(
                client,
                f"/accounts/password/reset/{raw}/",
                {"password1": password1, "password2": password2},
            )
        )
        reset.refresh_from_db()
        assert (response.status_code == 302) == reset.is_used
        if reset.is_used:
            assert password1 == password2


@budget(20)
@given(
    fields=st.dictionaries(
        st.sampled_from(["time_zone", "language", "notify_own_cases_only", "full_name"]),
        st.sampled_from(["Asia/Tokyo", "en", "ja", "on", "Europe/Bratislava"]) | texts,
    )
)
def test_it_saves_only_a_valid_profile(customer_client, customer, fields):
    with example():
        served(post(customer_client, "/accounts/profile/", fields))
        customer.refresh_from_db()
        assert customer.language in ("ja", "en")
        assert customer.zone is not None


# -- the operators' console -----------------------------------------------------------------

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
    assert {"status", "waiting", "q"} <= set(CHANGELISTS["/admin/cases/case/"])
    assert "/admin/accounts/invitation/" in CHANGELISTS


# -- the companion API and the trainer's outbox ----------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | texts,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(texts, children, max_size=3),
    max_leaves=6,
)
COMPANION_KEYS = ["public_key", "approval", "number", "deny", "phrase"]


@budget(120)
@given(
    endpoint=st.sampled_from(["enroll", "state", "confirm", "answer"]),
    document=st.dictionaries(st.sampled_from(COMPANION_KEYS) | texts, json_values, max_size=4)
    | json_values,
    headers=st.dictionaries(
        st.sampled_from(
            ["HTTP_X_COMPANION_KEY", "HTTP_X_COMPANION_TIME", "HTTP_X_COMPANION_SIGNATURE"]
        ),
        # As a WSGI server hands them over: bytes read as Latin-1.
        (ids | texts).map(lambda t: t.encode("utf-8", "surrogatepass").decode("latin-1")),
    ),
    fresh=st.booleans(),
    escaped=st.booleans(),
)
def test_it_answers_the_companion_api_without_failing(
    client, endpoint, document, headers, escaped, fresh
):
    # Escaped, a lone surrogate arrives as one (\ud800); raw, as invalid UTF-8 bytes.
    body = (
        json.dumps(document, ensure_ascii=True)
        if escaped
        else json.dumps(document, ensure_ascii=False).encode("utf-8", "surrogatepass")
    )
    if fresh:  # signed now, so that the fuzzed key id reaches the lookup
        headers["HTTP_X_COMPANION_TIME"] = str(int(time.time()))
        headers.setdefault("HTTP_X_COMPANION_KEY", "k")
        headers.setdefault("HTTP_X_COMPANION_SIGNATURE", "A" * 86)
    with example():
        before = counts()
        path = f"/companion/api/{endpoint}"
        if endpoint == "state":
            response = served(client.get(path, CONTENT_TYPE="application/json", **headers))
        else:
            response = served(client.post(path, body, content_type="application/json", **headers))
        assert response["Content-Type"].startswith("application/json")
        assert counts() == before


@budget(60)
@given(value=ids | texts, quoted=st.booleans())
def test_it_reads_any_session_cookie_without_failing(client, customer, value, quoted):
    # A quoted cookie may spell any character with an octal escape: \000 is NUL. The prefix
    # makes the key long enough for Django to look it up.
    value = "0123456789" + value
    if quoted:
        octal = "".join(f"\\{b:03o}" for b in value.encode("utf-8", "surrogatepass"))
        value = f'"{octal}"'
    else:
        value = value.encode("utf-8", "surrogatepass").decode("latin-1")
    with example():
        response = served(client.get("/", HTTP_COOKIE=f"sessionid={value}"))
        assert response.status_code in (302, 400)  # NUL in the raw header itself: 400


@budget(30)
@given(page=ids | texts)
def test_it_pages_the_trainer_outbox_without_failing(client, settings, page):
    settings.DEMO_MODE = True
    if not hasattr(client, "fuzz_ready"):
        assert client.get(f"/demo/join/{classroom.classroom_key()}/").status_code == 302
        client.fuzz_ready = True
    with example():
        before = OutboundEmail.objects.count()
        assert served(get(client, "/demo/outbox/", {"page": page})).status_code in (200, 400)
        assert OutboundEmail.objects.count() == before
