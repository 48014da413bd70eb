"""Reading the portal's pages as the classroom journey's browser would: forms and their values,
the choices of a list by label, the code an authenticator app shows, and the guide's example
case as a trainee picks it.

No locust here (importing it patches the process for gevent): tests/test_classroom_pages.py
checks these against the real pages.
"""

import hmac
import struct
import time
from html.parser import HTMLParser

# The guide's example case, by the labels a person picks (the trainees register in Japanese).
EXAMPLE = {
    "service": "ESET Premium Support",
    "subject": "駆除できないウイルスがあります",
    "product_query": "endpoint sec",
    "product": "ESET Endpoint Security",
    "product_version": "11.0",
    "operating_system": "Windows 11",
    "main_content": "マルウェア",
    "problem": "ウイルスが駆除できませんでした",
    "description": "検出されたウイルスが駆除できません。\nログを添付します。",
}


class JourneyFailed(Exception):
    """A step answered something a browser would not have gone on from."""

    def __init__(self, why: str, *, counted: bool = False):
        super().__init__(why)
        self.counted = counted  # already recorded as the failure of a request


class FormReader(HTMLParser):
    """The forms of a page as a browser would submit them: each field's current value, and the
    options of each list as (value, label)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select: str | None = None
        self._option: dict | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "values": {}, "options": {}})
        if not self.forms:
            return
        form = self.forms[-1]
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind not in ("submit", "button", "checkbox", "radio", "file") or "checked" in a:
                form["values"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            form["options"][name] = []
            form["values"].setdefault(name, "")
        elif tag == "option" and self._select:
            self._option = {"value": a.get("value", ""), "label": "", "selected": "selected" in a}
        elif tag == "textarea" and name:
            self._textarea = name
            form["values"][name] = ""

    def handle_data(self, data):
        if self._option is not None:
            self._option["label"] += data
        elif self._textarea is not None:
            self.forms[-1]["values"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "option" and self._option is not None and self._select:
            option, self._option = self._option, None
            form = self.forms[-1]
            form["options"][self._select].append((option["value"], option["label"].strip()))
            if option["selected"]:
                form["values"][self._select] = option["value"]
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(page: str, *, action: str = "", field: str = "") -> dict:
    """The first form that posts to `action` ("": the page's own address) and has `field`."""
    reader = FormReader()
    reader.feed(page)
    for form in reader.forms:
        if form["action"] == action and (not field or field in form["values"]):
            return form
    raise JourneyFailed(f"no form posting to {action!r} with {field!r}")


def pick(form: dict, field: str, label: str) -> str:
    """The value of the option a person picks by its label."""
    for value, shown in form["options"].get(field, []):
        if shown == label:
            return value
    raise JourneyFailed(f"no {label!r} among the choices of {field}")


def totp(key: bytes, *, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows now (RFC 6238 at django-otp's TOTPDevice defaults).
    Written out rather than django_otp.oath's: the journey imports no Django, since locust's
    gevent patching must come before anything that takes a lock."""
    counter = struct.pack(">Q", int(time.time() // step))
    digest = hmac.new(key, counter, "sha1").digest()
    offset = digest[-1] & 0x0F
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 10**digits:0{digits}d}"
