"""The pages `make bench` loads, found as a browser finds them: URLs, form fields and htmx
attributes are read from the pages themselves, so the bench follows the templates."""

import re
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlencode

from bench.web import Answer, BenchError, Browser

ANONYMOUS, CUSTOMER, OPERATOR = "anonymous", "customer", "operator"
HTMX = {"HX-Request": "true"}
TABS = (("details", "Details"), ("chatter", "Chatter"), ("attachments", "Attachments"))
# What a person filters and sorts the list by: open cases, by priority, second page.
LIST_FILTERED = "/?state=open&sort=priority&page=2"


@dataclass
class Page:
    key: str  # what goals and the docs call it
    name: str
    path: str
    user: str = ANONYMOUS
    method: str = "GET"
    headers: dict[str, str] = field(default_factory=dict)
    # POST fields, URL-encoded in this order; `fresh_id` names one that is new per request.
    form: dict[str, str] | None = None
    fresh_id: str | None = None
    # What a probe just before the load answered; `expect` is what counts as working.
    expect: tuple[int, ...] = (200,)
    location_has: str = ""  # in the Location of a redirect that counts as working
    status: int | None = None
    problem: str = ""

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def body(self) -> str:
        return urlencode(self.form or {})


def _case_path(number: str, tab: str) -> str:
    return f"/cases/{number}/?tab={tab}"


def _needed(value: dict[str, str] | None, what: str) -> dict[str, str]:
    if value is None:
        raise BenchError(f"not on the page: {what}")
    return value


def _load(browser: Browser, path: str) -> Answer:
    answer = browser.get(path)
    if answer.status != 200:
        raise BenchError(f"GET {path} answered {answer.status}, not 200")
    return answer


def find(customer: Browser, operator: Browser, handles: dict[str, Any]) -> list[Page]:
    """Every page of the bench, in the order it is loaded; posting comes last, as it writes."""
    long_number = str(handles["long_case"]["number"])
    short_number = str(handles["short_case"]["number"])
    pages = [
        Page("bare", "bare view (reference)", "/bench/bare"),
        Page("bare_signed_in", "bare view, signed in", "/bench/bare", CUSTOMER),
        Page("healthz", "/healthz", "/healthz"),
        Page("login", "sign-in page", "/accounts/login/"),
        Page("list", "case list, 10,000 cases: first page", "/", CUSTOMER),
        Page("list_filtered", "case list: open, by priority, page 2", LIST_FILTERED, CUSTOMER),
    ]
    for size, number, label in (
        ("short", short_number, "5 messages"),
        ("long", long_number, "1,000 messages"),
    ):
        for tab, tab_name in TABS:
            pages.append(
                Page(
                    f"{size}_{tab}",
                    f"case page, {label}: {tab_name}",
                    _case_path(number, tab),
                    CUSTOMER,
                )
            )
    chatter = _load(customer, _case_path(long_number, "chatter")).tags()
    poll = _needed(chatter.first(id="chatter-poll"), "the Chatter poll (#chatter-poll)")
    pages.append(_poll(customer, poll["hx-get"]))
    older = _needed(chatter.first(hx_get_="/chatter/older/"), "the older-messages link")
    pages.append(Page("older", "Chatter: older messages", older["hx-get"], CUSTOMER, headers=HTMX))
    pages.append(_download(customer, long_number))
    pages += _case_form(customer)
    pages.append(Page("bare_operator", "bare view, operator signed in", "/bench/bare", OPERATOR))
    pages.append(Page("admin_list", "admin: case list", "/admin/cases/case/", OPERATOR))
    pages.append(
        Page(
            "admin_case",
            "admin: case page, 1,000 messages",
            f"/admin/cases/case/{handles['long_case']['pk']}/change/",
            OPERATOR,
        )
    )
    pages.append(_chatter_post(customer, exclude={long_number, short_number}))
    pages.append(Page("bare_end", "bare view, again at the end (drift)", "/bench/bare"))
    return pages


def _poll(customer: Browser, url: str) -> Page:
    """Chatter polling that finds nothing new, with the conditional header the first answer
    asks for (an ETag is sent back as If-None-Match, as a browser does)."""
    page = Page("poll", "Chatter polling, nothing new", url, CUSTOMER, headers=dict(HTMX))
    page.expect = (200, 204, 304)
    first = customer.get(url, headers=page.headers)
    etag = {name.lower(): value for name, value in first.headers.items()}.get("etag")
    if etag:
        page.headers["If-None-Match"] = etag
    return page


def _download(customer: Browser, number: str) -> Page:
    """The first file the 1,000-message case's Attachments tab links to: the access check, the
    file read from the attachment storage (the disk, or the shared run's bucket) and sent."""
    listed = _load(customer, _case_path(number, "attachments")).text
    links = re.findall(rf'href="(/cases/{number}/attachments/\d+/)"', listed)
    if not links:
        raise BenchError("no download link on the 1,000-message case's Attachments tab")
    # Its size, when it answers (the probe before the load says so when it does not).
    first = customer.get(links[0])
    size = f" ({len(first.body):,} bytes)" if first.status == 200 else ""
    return Page("download", f"attachment download, 1,000-message case{size}", links[0], CUSTOMER)


def _case_form(customer: Browser) -> list[Page]:
    """The new-case form, the refresh htmx sends when a service is chosen, and the 商品ID
    box's suggestions."""
    form = _load(customer, "/cases/new/").tags()
    services = [value for value in form.options.get("service", []) if value]
    if not services:
        raise BenchError("the new-case form offers no service")
    fields = {
        "csrfmiddlewaretoken": form.value("csrfmiddlewaretoken"),
        "submission_id": form.value("submission_id"),
        "service": services[0],
        "subject": "",
        "product_query": "ESET Endpoint",
        "description": "",
        "action": "refresh",
    }
    headers = HTMX | {"HX-Target": "case-fields", "HX-Trigger-Name": "service"}
    return [
        Page("case_form", "new-case form", "/cases/new/", CUSTOMER),
        Page(
            "case_form_refresh",
            "new-case form: htmx refresh (POST)",
            "/cases/new/",
            CUSTOMER,
            method="POST",
            headers=headers,
            form=fields,
        ),
        # Asked at every pause in typing in the 商品ID box.
        Page(
            "case_form_suggest",
            "new-case form: 商品ID suggestions (htmx)",
            "/cases/new/products/?product_query=ESET+Endpoint",
            CUSTOMER,
            headers=dict(HTMX),
        ),
    ]


def _chatter_post(customer: Browser, *, exclude: set[str]) -> Page:
    """Sharing a post (confirmed), each a new one, on an open case of the big company that is
    neither the long nor the short one: their threads keep the size they are measured at."""
    listed = _load(customer, "/?state=open").text
    numbers = [n for n in re.findall(r'href="/cases/(\d{8})/"', listed) if n not in exclude]
    if not numbers:
        raise BenchError("no open case to post in on the first page of the case list")
    chatter = _load(customer, _case_path(numbers[0], "chatter")).tags()
    form = _needed(chatter.first(action_="/chatter/post/"), "the Chatter post form")
    return Page(
        "post",
        "Chatter: share a post (POST)",
        form["action"],
        CUSTOMER,
        method="POST",
        form={
            "csrfmiddlewaretoken": chatter.value("csrfmiddlewaretoken"),
            "body": "Bench: a post with a link https://example.com/kb/1234\nand a second line.",
            "confirm": "yes",
        },
        fresh_id="post_id",
        expect=(302,),
        location_has="#latest",  # shared; a refusal redirects elsewhere
    )
