"""Every error a person can meet is the portal's own page, with DEBUG off: in their language
(the language cookie, Accept-Language, or a signed-in user's own), in the portal's frame, with
the code to quote and no stack trace; the 500 page renders with the database broken."""

import json

import pytest
from django.db import OperationalError, connection
from django.http import HttpResponse, HttpResponseGone
from django.test import Client
from django.urls import include, path

pytestmark = pytest.mark.django_db

HEADINGS = {
    "ja": {
        400: "リクエストを受け付けられませんでした",
        403: "このページを表示する権限がありません",
        "csrf": "フォームの有効期限が切れました",
        404: "ページが見つかりません",
        405: "このアドレスは直接開くことはできません",
        410: "このページは利用できなくなりました",
        413: "送信した内容が大きすぎます",
        500: "エラーが発生しました",
    },
    "en": {
        400: "The request could not be accepted",
        403: "You cannot open this page",
        "csrf": "The form has expired",
        404: "Page not found",
        405: "This address cannot be opened directly",
        410: "This page is no longer available",
        413: "What you sent is too large",
        500: "An error occurred",
    },
}
CODE_LINE = {"ja": "エラーコード: {}", "en": "Error code: {}"}


def gone(request):
    return HttpResponseGone()


def gone_with_its_own_page(request):
    return HttpResponseGone("This link was replaced by a newer one.")


def reads_the_body(request):
    return HttpResponse(len(request.body))


# The URL configuration of the tests marked `urls(__name__)`: the portal's, with hub's error
# handlers, and views that answer what no portal view does yet (a bare 410).
urlpatterns = [
    path("test/gone/", gone),
    path("test/gone-with-page/", gone_with_its_own_page),
    path("test/body/", reads_the_body),
    path("", include("hub.urls")),
]
handler400 = "hub.errors.bad_request"
handler500 = "hub.errors.server_error"


@pytest.fixture(params=["ja", "en"])
def language(request):
    return request.param


@pytest.fixture
def visitor(language):
    """A browser that is not signed in: Japanese chosen with the language switch (the cookie
    wins over the browser's English), English from the browser's Accept-Language."""
    if language == "ja":
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.cookies["django_language"] = "ja"
        return client
    return Client(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def customer_in(customer, language, signed_in_client):
    """A signed-in customer whose profile says `language` (the browser says the other one)."""
    customer.language = language
    customer.save(update_fields=["language"])
    other = "en" if language == "ja" else "ja"
    client = signed_in_client(customer)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = other
    return client


def assert_our_page(response, language, status, heading_key=None):
    """Our page: the status, the language, the frame, the heading and the code line."""
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="hub-header' in html and 'class="hub-footer' in html
    assert "<title>" in html and " | ESET Services HUB</title>" in html
    heading = HEADINGS[language][heading_key or status]
    assert f'<h1 class="h3">{heading}</h1>' in html
    assert CODE_LINE[language].format(status) in html
    assert "Traceback" not in html
    return html


def test_it_runs_with_debug_off(settings):
    assert settings.DEBUG is False


def test_it_shows_400_for_a_request_django_refuses(visitor, language):
    # An unknown host: Django's own 400, which rendered the page without the portal's name.
    assert_our_page(visitor.get("/", HTTP_HOST="evil.example"), language, 400)


def test_it_shows_403_when_a_customer_opens_the_operator_console(customer_in, language):
    html = assert_our_page(customer_in.get("/admin/login/"), language, 403)
    assert "yuki.sato@example.co.jp" in html, "the signed-in frame, with the user menu"


def test_it_shows_403_for_a_form_without_its_security_token(language):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE=language)
    response = client.post("/accounts/login/", {"email": "a@example.com", "password": "x"})
    html = assert_our_page(response, language, 403, "csrf")
    assert "CSRF token" not in html and "Forbidden" not in html, "Django's reason is for the log"


def test_it_shows_404_for_an_unknown_address(visitor, language):
    assert_our_page(visitor.get("/no-such-page/"), language, 404)


def test_it_shows_404_in_the_signed_in_frame(customer_in, language):
    html = assert_our_page(customer_in.get("/cases/99999999/"), language, 404)
    assert 'class="hub-sidebar' in html


def test_it_shows_405_for_an_address_that_only_a_button_sends_to(customer_in, language):
    response = customer_in.get("/accounts/logout/")
    assert_our_page(response, language, 405)
    assert response["Allow"] == "POST"
    assert customer_in.get("/").status_code == 200, "still signed in"


def test_it_leaves_a_405_bare_for_json_callers(client):
    response = client.get("/companion/api/enroll", HTTP_ACCEPT="application/json")
    assert response.status_code == 405 and response.content == b""


@pytest.mark.urls(__name__)
def test_it_shows_410_for_a_bare_gone_response(visitor, language):
    assert_our_page(visitor.get("/test/gone/"), language, 410)


@pytest.mark.urls(__name__)
def test_it_leaves_a_410_with_a_page_of_its_own_as_it_is(client):
    response = client.get("/test/gone-with-page/")
    assert response.status_code == 410
    assert response.content == b"This link was replaced by a newer one."


def test_it_shows_413_for_a_form_larger_than_the_portal_reads(visitor, language, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = visitor.post(
        "/accounts/login/", {"email": "a@example.com", "password": "x" * 20_000}
    )
    html = assert_our_page(response, language, 413)
    assert "9.8\xa0KB" in html, "the limit, as a person reads a size"


@pytest.mark.urls(__name__)
def test_it_shows_413_when_a_view_reads_a_body_too_large(visitor, language, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    response = visitor.post("/test/body/", "x" * 20_000, content_type="text/plain")
    assert_our_page(response, language, 413)


def test_it_answers_413_to_json_callers_in_json(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = json.dumps({"public_key": "x" * 20_000})
    response = client.post("/companion/api/enroll", body, content_type="application/json")
    assert response.status_code == 413 and response.json()["error"]


def test_it_shows_500_without_the_database(customer_in, language, django_db_blocker):
    # A broken database that is not an outage (the 503's case): every query raises, from the
    # session layer on. The page must not ask for the session, the user or the messages.
    customer_in.cookies["django_language"] = language
    customer_in.raise_request_exception = False
    with django_db_blocker.block():
        response = customer_in.get("/")
    html = assert_our_page(response, language, 500)
    assert "Database access" not in html, "the exception stays in the log"
    assert "yuki.sato@example.co.jp" not in html


def test_it_shows_the_busy_page_in_the_same_frame(customer_in, language):
    def locked(execute, sql, params, many, context):
        raise OperationalError("database is locked")

    customer_in.cookies["django_language"] = language
    customer_in.raise_request_exception = False
    with connection.execute_wrapper(locked):
        response = customer_in.get("/")
    assert response.status_code == 503
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert 'class="hub-header' in html and 'class="hub-footer' in html
    assert CODE_LINE[language].format(503) in html
