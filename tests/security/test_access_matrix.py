"""Every named URL × every persona × GET and POST answers as `access_expectations` says.

The URLs come from walking the URL configuration, so a new URL without a row in the table fails
(test_access_table.py). One world (companies, contacts, a case with a message and a file, links
from emails, an operator) is built once for the module inside a transaction that is rolled back
at the end; each request then runs in a savepoint of its own, also rolled back, so no request
sees what another did. (pytest-django sets up the test database only for tests marked
`django_db`: the sweep's `db` is what makes it exist when this module runs alone.)

POSTs are sent by Django's test client, which skips CSRF checks: what is tested here is who
may reach what; CSRF has its own tests (`enforce_csrf_checks` in tests/test_chatter.py).
"""

import datetime as dt
import functools
import time
import uuid
from importlib import import_module
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib import admin
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts import pending, services
from accounts.models import PasswordReset, User
from cases import previews
from cases.models import Case
from cases.services import attachments_add, message_post
from catalog.models import Service
from desk.models import SavedReply, SavedView
from hub.models import OutboundEmail
from tests.factories import (
    create_case,
    create_companion_device,
    create_company,
    create_outbound_email,
    create_user,
    subscribe,
    with_authenticator,
)
from tests.helpers import PASSWORD, log_in
from tests.previews import png_with_text as screenshot_png
from tests.security import access_expectations as table
from tests.security.urlconf import named_urls
from trainer.classroom import COOKIE_NAME, classroom_key

METHODS = ("GET", "POST")


@pytest.mark.django_db
def test_it_signs_personas_in_as_the_two_real_steps_do(client, customer):
    """The sweep writes sessions directly, for speed; they must hold what sign-in leaves."""
    half = Client()
    half.post(reverse("accounts:login"), {"email": customer.email, "password": PASSWORD})
    shortcut = Client()
    _half_signed_in(shortcut, customer)
    assert half.session[pending.SESSION_KEY].keys() == shortcut.session[pending.SESSION_KEY].keys()

    log_in(client, customer)
    _signed_in(shortcut, customer, TOTPDevice.objects.get(user=customer))
    keys = [USER_SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY, DEVICE_ID_SESSION_KEY]
    assert [client.session[k] for k in keys] == [shortcut.session[k] for k in keys]
    assert shortcut.get(reverse("accounts:profile")).status_code == 200


# The world ----------------------------------------------------------------------------------


def _build_world(upload_root) -> SimpleNamespace:
    if not Service.objects.exists():  # emptied by a transactional test run before this module
        call_command("load_catalogue", verbosity=0)
    w = SimpleNamespace(upload_root=upload_root)
    w.company = create_company("Example株式会社", "mdr-lite")
    w.other_company = create_company("Rival Corp", "mdr-ultimate")

    def person(email, name, **fields):
        return create_user(email=email, full_name=name, **fields)

    w.customer = person("aya.matrix@example.co.jp", "松本 彩", company=w.company)
    w.colleague = person("jun.matrix@example.co.jp", "松井 純", company=w.company)
    w.registered = person("rin.matrix@example.co.jp", "松田 凛", company=w.company)
    w.other_customer = person("eve.matrix@rival.example", "Eve", company=w.other_company)
    w.operator = person("oscar.matrix@eset.example", "Oscar", is_staff=True, is_superuser=True)
    w.operator_no_device = person(
        "nina.matrix@eset.example", "Nina Newcomer", is_staff=True, is_superuser=True
    )
    w.devices = {
        user.pk: with_authenticator(user)
        for user in (w.customer, w.colleague, w.other_customer, w.operator)
    }
    # The customer's HUB Authenticator too: asked first at sign-in, managed from the profile.
    w.companion = create_companion_device(w.customer)

    subscription = subscribe(w.company, "premium-support")
    w.case = create_case(w.customer, subscription=subscription, subject="ケース")
    w.message = message_post(case=w.case, author=w.customer, body="本文", post_id=uuid.uuid4())
    (w.attachment,) = attachments_add(
        case=w.case, uploader=w.customer, files=[SimpleUploadedFile("log.txt", b"log\n")]
    )
    (w.screenshot,) = attachments_add(
        case=w.case, uploader=w.customer, files=[SimpleUploadedFile("s.png", screenshot_png())]
    )
    previews.make(w.screenshot.pk)  # here, not after a commit: its thumbnail is ready
    # Links from emails: a pending invitation and the customer's password reset.
    invitation = services.invitation_create(
        email="new.contact@example.co.jp",
        full_name="新人 太郎",
        company=w.company,
        language="ja",
        invited_by=w.operator,
    )
    w.invitation = invitation
    w.invitation_token = invitation.link.rstrip("/").rsplit("/", 1)[-1]
    reset = PasswordReset(user=w.customer)
    w.reset_token = reset.renew(dt.timedelta(minutes=60))
    reset.save()
    # Trainer mode's mail to a demo account: what the classroom's outbox shows.
    demo_user = person("aoi.kato@sample-shoji.example", "加藤 葵", company=w.company, is_demo=True)
    w.demo_email = create_outbound_email(demo_user.email, subject="デモ", demo=True)
    w.group = Group.objects.create(name="Operators")
    w.event = audit.record(action=audit.Action.SIGN_IN, actor=w.customer, subject=w.customer)
    w.saved_reply = SavedReply.objects.create(
        title_ja="定型文",
        title_en="Saved",
        body_ja="{customer_name} 様",
        body_en="Dear {customer_name}",
    )
    # The operator's own saved view of the queue (another's is a 404: tests/test_queue.py).
    w.saved_view = SavedView.objects.create(owner=w.operator, name="遅れ", query="view=overdue")
    w.admin_objects = _admin_objects(w)
    return w


def _admin_objects(w) -> dict[str, int]:
    """The object each ModelAdmin's change, delete and history pages are opened on."""
    chosen = {
        "accounts.company": w.company.pk,
        "accounts.invitation": w.invitation.pk,
        "accounts.user": w.customer.pk,
        "auth.group": w.group.pk,
        "audit.auditevent": w.event.pk,
        "cases.case": w.case.pk,
        "cases.message": w.message.pk,
        "otp_totp.totpdevice": w.devices[w.customer.pk].pk,
        "hub.outboundemail": OutboundEmail.objects.filter(demo=False).earliest("id").pk,
    }
    for model in admin.site._registry:
        label = model._meta.label_lower
        if label not in chosen:
            first = model.objects.order_by("pk").first()
            assert first is not None, f"the world has no {label} to open in the admin"
            chosen[label] = first.pk
    return chosen


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    upload_root = tmp_path_factory.mktemp("matrix-uploads")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(
            UPLOAD_ROOT=upload_root, EMAIL_DELIVERY="immediate", PASSWORD_HASHERS=fast
        ),
        transaction.atomic(),
    ):
        yield _build_world(upload_root)
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _test_settings(settings):
    """tests/conftest.py's settings, without a folder per test: uploads live in the world's."""
    settings.EMAIL_DELIVERY = "immediate"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sweep(world, db, settings):
    """The world; `db` rolls back whatever one test's requests do to it."""
    settings.UPLOAD_ROOT = world.upload_root
    return world


# Personas -----------------------------------------------------------------------------------


def _session(client, **values):
    session = import_module(django_settings.SESSION_ENGINE).SessionStore()
    session.update(values)
    session.save()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = session.session_key


def _half_signed_in(client, user):
    """Passed the password step only: what accounts.pending.start leaves in the session."""
    _session(
        client,
        **{
            pending.SESSION_KEY: {
                "user_id": user.pk,
                "started": time.time(),
                "next": "/",
                "password": user.get_session_auth_hash(),
            }
        },
    )


def _signed_in(client, user, device=None):
    """What login() and django_otp.login() leave in the session, without their requests."""
    values = {
        USER_SESSION_KEY: str(user.pk),
        BACKEND_SESSION_KEY: "django.contrib.auth.backends.ModelBackend",
        HASH_SESSION_KEY: user.get_session_auth_hash(),
    }
    if device is not None:
        values[DEVICE_ID_SESSION_KEY] = device.persistent_id
    _session(client, **values)


def client_for(persona, w, settings) -> Client:
    client = Client()
    settings.DEMO_MODE = persona in table.DEMO_PERSONAS
    full = {
        table.CUSTOMER: w.customer,
        table.COLLEAGUE: w.colleague,
        table.OTHER_COMPANY: w.other_customer,
        table.OPERATOR: w.operator,
    }
    if persona in full:
        user = full[persona]
        _signed_in(client, user, w.devices[user.pk])
    elif persona == table.HALF_SIGNED_IN:
        _half_signed_in(client, w.customer)
    elif persona == table.OPERATOR_HALF_SIGNED_IN:
        _half_signed_in(client, w.operator)
    elif persona == table.REGISTERED:
        _signed_in(client, w.registered)
    elif persona == table.OPERATOR_NO_DEVICE:
        _signed_in(client, w.operator_no_device)
    elif persona == table.OPERATOR_UNVERIFIED:
        _signed_in(client, w.operator)
    elif persona == table.TRAINEE:
        response = client.get(reverse("trainer:join", args=[classroom_key()]))
        assert response.status_code == 302 and COOKIE_NAME in client.cookies
    else:
        assert persona in (table.ANONYMOUS, table.DEMO_VISITOR), persona
    return client


# URLs ---------------------------------------------------------------------------------------


def _case(w):
    return {"number": w.case.number}


# Arguments of each URL that takes some, from the world's objects.
ARGUMENTS = {
    "cases:detail": _case,
    "cases:chatter_older": _case,
    "cases:chatter_updates": _case,
    "cases:chatter_post": _case,
    "cases:attachments_upload": _case,
    "cases:follow_up": _case,
    "cases:attachment_download": lambda w: _case(w) | {"attachment_id": w.attachment.pk},
    "cases:attachment_thumbnail": lambda w: _case(w) | {"attachment_id": w.screenshot.pk},
    "cases:attachment_preview": lambda w: _case(w) | {"attachment_id": w.screenshot.pk},
    "cases:attachment_preview_image": lambda w: _case(w) | {"attachment_id": w.screenshot.pk},
    "cases:attachment_preview_state": lambda w: _case(w) | {"attachment_id": w.screenshot.pk},
    "accounts:register": lambda w: {"token": w.invitation_token},
    "accounts:password_reset_confirm": lambda w: {"token": w.reset_token},
    "companion:manage": lambda w: {"device_id": w.companion.pk},
    "trainer:join": lambda w: {"key": classroom_key()},
    "trainer:outbox_email": lambda w: {"email_id": w.demo_email.pk},
    "admin:app_list": lambda w: {"app_label": "cases"},
    "admin:view_on_site": lambda w: {
        "content_type_id": ContentType.objects.get_for_model(Case).pk,
        "object_id": w.case.pk,
    },
    "admin:auth_user_password_change": lambda w: {"id": w.customer.pk},
    "admin:otp_totp_totpdevice_config": lambda w: {"pk": w.devices[w.customer.pk].pk},
    "admin:otp_totp_totpdevice_qrcode": lambda w: {"pk": w.devices[w.customer.pk].pk},
    "admin:cases_case_reply": lambda w: {"case_id": w.case.pk},
    "admin:cases_case_upload": lambda w: {"case_id": w.case.pk},
    "admin:cases_case_presence": lambda w: {"case_id": w.case.pk},
    "admin:cases_case_view_rename": lambda w: {"view_id": w.saved_view.pk},
    "admin:cases_case_view_delete": lambda w: {"view_id": w.saved_view.pk},
    "admin:cases_attachment_download": lambda w: {"attachment_id": w.attachment.pk},
    "admin:cases_attachment_thumbnail": lambda w: {"attachment_id": w.screenshot.pk},
    "admin:cases_attachment_preview": lambda w: {"attachment_id": w.screenshot.pk},
    "admin:cases_attachment_preview_image": lambda w: {"attachment_id": w.screenshot.pk},
}
QUERIES = {
    "admin:autocomplete": "app_label=accounts&model_name=invitation&field_name=company&term=E",
}
OBJECT_PAGES = ("change", "delete", "history")


def url_for(name, w) -> str:
    kwargs = ARGUMENTS[name](w) if name in ARGUMENTS else {}
    for label, pk in w.admin_objects.items():
        # A ModelAdmin's object pages: admin:<app>_<model>_<page>.
        prefix = "admin:" + label.replace(".", "_") + "_"
        if name.startswith(prefix) and name.removeprefix(prefix) in OBJECT_PAGES:
            kwargs = {"object_id": pk}
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{QUERIES[name]}" if name in QUERIES else url


# Answers ------------------------------------------------------------------------------------

STATUS_ANSWERS = {
    200: table.OK,
    204: table.OK,
    400: table.BAD_REQUEST,
    403: table.FORBIDDEN,
    404: table.NOT_FOUND,
    405: table.NOT_ALLOWED,
    409: table.CONFLICT,
    410: table.GONE,
}


def answer_of(response) -> str:
    if response.status_code in (301, 302, 303, 307, 308):
        target = urlsplit(response["Location"]).path
        if target in (reverse("accounts:login"), reverse("admin:login")):
            return table.LOGIN
        if target in (reverse("accounts:two_factor"), reverse("accounts:two_factor_method")):
            return table.SECOND_FACTOR
        return table.REDIRECT
    return STATUS_ANSWERS.get(response.status_code, f"HTTP {response.status_code}")


# Rows that may change as a side effect of any request, allowed or not: sessions, sign-in
# throttling and HUB Authenticator sign-in requests, the audit trail, and who has a case page
# open (an operator's view of the page records it: the collision warning reads it).
UNWATCHED = {
    "sessions.session",
    "desk.caseviewer",
    "accounts.loginthrottle",
    "companion.loginapproval",
    "companion.usedsignature",
}
UNWATCHED_APPS = {"audit"}


def _watched_tables() -> list[tuple[str, str]]:
    return [
        (model._meta.db_table, model._meta.pk.column)
        for model in apps.get_models()
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in UNWATCHED
        and model._meta.app_label not in UNWATCHED_APPS
    ]


@functools.cache
def _row_counts_sql() -> str:
    quote = connection.ops.quote_name
    # Table and column names come from the models, never from a request.
    count = "(SELECT COUNT(*) FROM {t}), (SELECT MAX({pk}) FROM {t})"
    return "SELECT " + ", ".join(
        count.format(t=quote(t), pk=quote(pk)) for t, pk in _watched_tables()
    )


def row_counts() -> tuple:
    """Rows and highest id of every table, in one query."""
    with connection.cursor() as cursor:
        cursor.execute(_row_counts_sql())
        return cursor.fetchone()


def fingerprint() -> tuple:
    """Rows and highest id of every table, and what a request could change in place."""
    users = list(
        User.objects.order_by("pk").values_list(
            "password", "email", "full_name", "language", "is_active", "is_staff", "company_id"
        )
    )
    cases = list(Case.objects.order_by("pk").values_list("status", "stage_id", "updated_at"))
    devices = list(TOTPDevice.objects.order_by("pk").values_list("key", "confirmed", "name"))
    return row_counts(), users, cases, devices


# The sweep ----------------------------------------------------------------------------------


def _rows():
    names = sorted(named_urls() | set(table.EXPECTED))
    return [
        pytest.param(name, persona, method, id=f"{name}-{persona}-{method}")
        for name in names
        for persona in table.PERSONAS
        for method in METHODS
    ]


@pytest.mark.parametrize(("name", "persona", "method"), _rows())
def test_it_answers_as_the_table_says(sweep, settings, name, persona, method):
    assert name in table.EXPECTED, f"{name} has no row in access_expectations.py"
    expected = table.EXPECTED[name][persona][METHODS.index(method)]
    client = client_for(persona, sweep, settings)
    url = url_for(name, sweep)
    # A refused POST changes nothing, not even a row in place; no GET adds or removes a row.
    watched = {"GET": row_counts, "POST": fingerprint if expected in table.REFUSALS else None}
    state = watched[method]
    before = state() if state else None

    response = client.get(url) if method == "GET" else client.post(url)
    if response.streaming:
        # Read to the end: the test client then closes the file (response.close() would also
        # close the database connection mid-test).
        b"".join(response.streaming_content)

    assert response.status_code < 500, f"{method} {url} as {persona}: server error"
    where = f" → {response['Location']}" if response.has_header("Location") else ""
    assert answer_of(response) == expected, (
        f"{method} {url} as {persona}: HTTP {response.status_code}{where}, expected {expected}"
    )
    if state:
        assert state() == before, f"{method} {url} as {persona} changed stored data"
