"""Fuzzing the companion API, the session cookie and the trainer's outbox.

What is sent and what must hold: tests/security/fuzzing.py.
"""

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hub.models import OutboundEmail
from tests.security.fuzzing import (
    budget,
    counts,
    example,
    get,
    ids,
    served,
    texts,
)
from trainer import classroom

pytestmark = pytest.mark.django_db


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
