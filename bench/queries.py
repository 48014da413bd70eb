"""SQL queries per page, counted in-process: `python -m bench.queries` reads the pages and the
handles as JSON on stdin and prints one count per page as JSON.

It runs with the server's environment (same settings, same database) and signs in as a
finished sign-in leaves the session (tests/helpers.py force_sign_in); each page is requested
twice and the second, warm request is counted, as the server's workers are warm under load.
"""

import json
import sys
import uuid
from typing import Any


def _client(email: str | None) -> Any:
    from django.test import Client

    from accounts.models import User
    from tests.helpers import force_sign_in

    client = Client(raise_request_exception=False, HTTP_HOST="127.0.0.1")
    if email is None:
        return client
    return force_sign_in(client, User.objects.get(email=email))


def _request(client: Any, page: dict[str, Any]) -> int:
    form = dict(page["form"] or {})
    form.pop("csrfmiddlewaretoken", None)  # the test client does not check CSRF
    if page["fresh_id"]:
        form[page["fresh_id"]] = str(uuid.uuid4())
    response = client.generic(
        page["method"],
        page["path"],
        data="&".join(f"{k}={v}" for k, v in _encoded(form)),
        content_type="application/x-www-form-urlencoded",
        headers=page["headers"],
    )
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)  # a download: the whole file, as a server sends it
    response.close()
    return int(response.status_code)


def _encoded(form: dict[str, str]) -> list[tuple[str, str]]:
    from urllib.parse import quote_plus

    return [(quote_plus(k), quote_plus(v)) for k, v in form.items()]


def count(pages: list[dict[str, Any]], handles: dict[str, Any]) -> list[dict[str, Any]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clients = {
        "anonymous": _client(None),
        "customer": _client(handles["customer"]["email"]),
        "operator": _client(handles["operator"]["email"]),
    }
    counted = []
    for page in pages:
        client = clients[page["user"]]
        _request(client, page)
        with CaptureQueriesContext(connection) as queries:
            status = _request(client, page)
        counted.append({"key": page["key"], "status": status, "queries": len(queries)})
    return counted


def main() -> None:
    import django

    given = json.load(sys.stdin)
    django.setup()
    json.dump(count(given["pages"], given["handles"]), sys.stdout)


if __name__ == "__main__":
    main()
