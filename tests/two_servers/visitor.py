"""A person's browser against one server: its cookies, forms sent with their page's CSRF
token, and the two sign-in steps with the code the person's app shows (django_otp's TOTP)."""

import re
import socket
from urllib.parse import urlsplit

import requests
from django_otp.oath import totp

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Visitor:
    """Follows no redirect: the tests read where each answer points."""

    def __init__(self, url: str, cookies: requests.cookies.RequestsCookieJar | None = None):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Accept-Language"] = "en"
        if cookies is not None:
            self.session.cookies.update(cookies)

    def on(self, url: str) -> "Visitor":
        """The same browser on another server: a copy of its cookies, kept apart from then on
        (a sign-out there does not take the cookie away from here)."""
        return Visitor(url, self.session.cookies)

    @property
    def session_key(self) -> str:
        return self.session.cookies["sessionid"]

    def get(self, path: str) -> requests.Response:
        return self.session.get(self.url + path, allow_redirects=False, timeout=60)

    def submit(
        self, path: str, data: dict[str, str], *, page: str | None = None, files=None
    ) -> requests.Response:
        """Send a form of the page at `page` (default: `path`) to `path`, as a browser does."""
        form_page = self.get(page or path)
        token = CSRF_FIELD.search(form_page.text)
        assert token, f"no form on {page or path} ({form_page.status_code})"
        return self.session.post(
            self.url + path,
            data={"csrfmiddlewaretoken": token.group(1), **data},
            files=files,
            allow_redirects=False,
            timeout=60,
        )

    def sign_in(self, person: dict[str, str]) -> None:
        """Password, then the current code of the person's authenticator app."""
        credentials = {"email": person["email"], "password": person["password"]}
        answer = self.submit("/accounts/login/", credentials)
        assert answer.status_code == 302, answer.text[-3000:]
        assert answer.headers["Location"].startswith("/accounts/login/verify/")
        code = f"{totp(bytes.fromhex(person['totp_key'])):06d}"
        answer = self.submit(
            "/accounts/login/verify/", {"code": code}, page="/accounts/login/verify/?code=1"
        )
        assert answer.status_code == 302, answer.text[-3000:]


def from_both_workers(visitor: Visitor, path: str) -> list[tuple[int, str]]:
    """(status, page) of `path` as each of the server's two gunicorn workers answers it.

    A sync worker serves one connection at a time, and the connection that arrives first is
    taken first: a request held half-sent keeps one worker reading it, so the next request is
    served by the other one. The held request is then finished and answered too.
    """
    parts = urlsplit(visitor.url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in visitor.session.cookies)
    head = f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nAccept-Language: en\r\n"
    head += f"Cookie: {cookies}\r\n"  # and no blank line yet: the request is not finished
    with socket.create_connection((host, port), timeout=60) as held:
        held.sendall(head.encode())
        try:
            other = visitor.get(path)
        except requests.Timeout:
            raise AssertionError(f"{visitor.url}: only one worker answers") from None
        held.sendall(b"\r\n")
        raw = b""
        while chunk := held.recv(65536):
            raw += chunk
    head_lines, _, body = raw.partition(b"\r\n\r\n")
    status = int(head_lines.split(b" ", 2)[1])
    return [(status, body.decode()), (other.status_code, other.text)]
