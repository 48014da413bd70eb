"""Just enough of a browser for the bench: cookies, forms, the two sign-in steps with a real
TOTP code, and the attributes of a page's tags (where htmx's URLs are)."""

import hashlib
import hmac
import http.client
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urlsplit


class BenchError(Exception):
    """Something the bench needs did not work; the message says what."""


class BenchSkipped(BenchError):
    """A run whose server is not there (no PostgreSQL, no Redis): skipped, not failed."""


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def tags(self) -> "Tags":
        return Tags.of(self.text)


class Browser:
    """One visitor of one server: keeps its cookies, follows no redirect."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.base_url = base_url.rstrip("/")
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}

    def copy(self) -> "Browser":
        twin = Browser(self.base_url)
        twin.cookies = dict(self.cookies)
        return twin

    def cookie_header(self) -> str:
        return "; ".join(f"{name}={value}" for name, value in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> Answer:
        sent = {"Host": f"{self.host}:{self.port}"} | (headers or {})
        if self.cookies:
            sent["Cookie"] = self.cookie_header()
        body = None
        if form is not None:
            body = urlencode(form).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            answer = Answer(response.status, dict(response.getheaders()), response.read())
            self._keep(response.headers.get_all("Set-Cookie") or [])
        finally:
            connection.close()
        return answer

    def get(self, path: str, *, headers: dict[str, str] | None = None) -> Answer:
        return self.request("GET", path, headers=headers)

    def post(
        self, path: str, form: dict[str, str], *, headers: dict[str, str] | None = None
    ) -> Answer:
        return self.request("POST", path, form=form, headers=headers)

    def _keep(self, set_cookies: list[str]) -> None:
        for line in set_cookies:
            jar: SimpleCookie = SimpleCookie()
            jar.load(line)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or not morsel.value:
                    self.cookies.pop(name, None)  # how Django deletes a cookie
                else:
                    self.cookies[name] = morsel.value


class Tags(HTMLParser):
    """The start tags of a page with their attributes, and each <select>'s option values."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str]]] = []
        self.options: dict[str, list[str]] = {}
        self._select: str | None = None

    @classmethod
    def of(cls, html: str) -> "Tags":
        tags = cls()
        tags.feed(html)
        tags.close()
        return tags

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.found.append((tag, values))
        if tag == "select":
            self._select = values.get("name", "")
            self.options.setdefault(self._select, [])
        elif tag == "option" and self._select is not None:
            self.options[self._select].append(values.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None

    def first(self, **wanted: str) -> dict[str, str] | None:
        """The attributes of the first tag whose attributes contain `wanted` (an attribute
        named with a trailing underscore matches a substring: hx_get_="/older/")."""
        for _tag, attrs in self.found:
            if all(_matches(attrs, name, value) for name, value in wanted.items()):
                return attrs
        return None

    def value(self, name: str) -> str:
        """The value of the form field `name` (an input)."""
        attrs = self.first(name=name)
        if attrs is None:
            raise BenchError(f"no field named {name!r} on the page")
        return attrs.get("value", "")


def _matches(attrs: dict[str, str], name: str, value: str) -> bool:
    contains = name.endswith("_")
    attribute = name.rstrip("_").replace("_", "-")
    if attribute not in attrs:
        return False
    return value in attrs[attribute] if contains else attrs[attribute] == value


# -- signing in --------------------------------------------------------------------------------

TOTP_STEP = 30


def totp_code(hex_key: str, at: float, *, step: int = TOTP_STEP, digits: int = 6) -> str:
    """What an authenticator app shows at `at` for a django-otp TOTPDevice key (RFC 6238,
    HMAC-SHA1, t0 = 0): the same computation as tests/helpers.py totp_code."""
    counter = int(at // step)
    mac = hmac.new(bytes.fromhex(hex_key), counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"


def _csrf(answer: Answer) -> str:
    return answer.tags().value("csrfmiddlewaretoken")


def sign_in(browser: Browser, account: dict[str, str]) -> None:
    """The two sign-in steps, as a person does them: password, then the app's current code.
    A code is accepted once (django-otp remembers the last one): when the server refuses it,
    because a sign-in a moment ago used it, wait for the next one and try again, once."""
    page = browser.get("/accounts/login/")
    answer = browser.post(
        "/accounts/login/",
        {
            "csrfmiddlewaretoken": _csrf(page),
            "email": account["email"],
            "password": account["password"],
        },
    )
    if answer.status != 302:
        raise BenchError(f"{account['email']}: the password step answered {answer.status}")
    for attempt in range(2):
        page = browser.get("/accounts/login/verify/?code=1")
        if page.status != 200:
            raise BenchError(f"{account['email']}: the code page answered {page.status}")
        now = time.time()
        if attempt:
            time.sleep(TOTP_STEP - now % TOTP_STEP + 0.5)
            now = time.time()
        answer = browser.post(
            "/accounts/login/verify/",
            {"csrfmiddlewaretoken": _csrf(page), "code": totp_code(account["totp_key"], now)},
        )
        if answer.status == 302:
            return
    raise BenchError(f"{account['email']}: the code step refused two codes in a row")
