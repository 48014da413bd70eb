"""What the fault tests (test_faults_*.py) share: the text a customer typed, clients that see
the server's answer to a failed request, and the checks every fault ends with."""

import uuid

from django.urls import reverse

from accounts.models import User

TYPED = "<b>ログが消えました</b>\n二行目: 再現手順"
SHOWN = "&lt;b&gt;ログが消えました&lt;/b&gt;"  # shown back as text, never as markup


def quietly(client):
    """A client that, like a browser, gets the response of a failed request (Django's test
    client would otherwise re-raise the exception that the server answered)."""
    client.raise_request_exception = False
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    User.objects.update(language="en")  # the personas read Japanese by default
    return client


def chat(client, case, body=TYPED, post_id=None):
    data = {"body": body, "post_id": str(post_id or uuid.uuid4()), "confirm": "yes"}
    return client.post(reverse("cases:chatter_post", args=[case.number]), data)


def assert_try_again(response, *, typed=True):
    assert response.status_code == 503, response.status_code
    assert response["Retry-After"] == "5"
    content = response.content.decode()
    assert 'data-testid="try-again"' in content
    if typed:
        assert SHOWN in content and "<b>ログ" not in content


def stored_files(settings):
    root = settings.UPLOAD_ROOT / "attachments"
    return [p for p in root.rglob("*") if p.is_file()]
