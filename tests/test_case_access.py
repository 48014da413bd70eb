"""Who may see and change a case, its Chatter and its files: the access matrix."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cases.models import Message
from cases.services import attachments_add, message_post
from tests.helpers import detail, force_sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def matrix(customer, colleague, other_company_customer, operator, make_case):
    case = make_case(customer)
    message_post(case=case, author=customer, body="本文", post_id=uuid.uuid4())
    (attachment,) = attachments_add(
        case=case, uploader=customer, files=[SimpleUploadedFile("a.txt", b"log\n")]
    )
    return case, attachment


def _clients(customer, colleague, other_company_customer, operator):
    def signed_in(user):
        return force_sign_in(Client(), user)

    half = Client()
    half.post(
        reverse("accounts:login"), {"email": colleague.email, "password": "Correct-Horse-9-Battery"}
    )
    return {
        "customer": signed_in(customer),
        "colleague": signed_in(colleague),
        "other company": signed_in(other_company_customer),
        "anonymous": Client(),
        "half-logged-in": half,
        "operator": signed_in(operator),
    }


def test_it_answers_the_access_matrix(
    matrix, customer, colleague, other_company_customer, operator
):
    case, attachment = matrix
    clients = _clients(customer, colleague, other_company_customer, operator)
    urls = {
        "list": ("get", "/"),
        "case page": ("get", detail(case)),
        "post": ("post", reverse("cases:chatter_post", args=[case.number])),
        "upload": ("post", reverse("cases:attachments_upload", args=[case.number])),
        "download": (
            "get",
            reverse("cases:attachment_download", args=[case.number, attachment.pk]),
        ),
        "admin": ("get", reverse("admin:cases_case_change", args=[case.pk])),
        "admin download": (
            "get",
            reverse("admin:cases_attachment_download", args=[attachment.pk]),
        ),
    }
    expected = {
        "customer": {
            "list": 200,
            "case page": 200,
            "post": 400,
            "upload": 302,
            "download": 200,
            "admin": 403,
            "admin download": 403,
        },
        "colleague": {
            "list": 200,
            "case page": 200,
            "post": 400,
            "upload": 302,
            "download": 200,
            "admin": 403,
            "admin download": 403,
        },
        "other company": {
            "list": 200,
            "case page": 404,
            "post": 404,
            "upload": 404,
            "download": 404,
            "admin": 403,
            "admin download": 403,
        },
        "anonymous": dict.fromkeys(urls, 302),
        "half-logged-in": dict.fromkeys(urls, 302),
        "operator": {
            "list": 403,
            "case page": 403,
            "post": 403,
            "upload": 403,
            "download": 403,
            "admin": 200,
            "admin download": 200,
        },
    }
    seen = {}
    for who, client in clients.items():
        for what, (method, url) in urls.items():
            response = getattr(client, method)(url, follow=False)
            if (
                response.status_code == 302
                and who in ("customer", "colleague", "other company")
                and what.startswith("admin")
            ):
                response = client.get(response.url)
            seen[(who, what)] = response.status_code
    wrong = {k: v for k, v in seen.items() if v != expected[k[0]][k[1]]}
    assert wrong == {}
    assert Message.objects.count() == 1, "no post went through"
