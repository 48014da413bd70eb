"""One-time links (invitations, password resets) held in the session after their first GET.

The link's token moves into the session and the browser goes on to `…/set-password-<slot>/`, as
Django's own password reset does, so no later request line, Referer or history entry carries it.
Each link opened in a browser gets a slot of its own and the form posts back to its own slot:
a second link opened in the same browser (another person's, or one an attacker had it open)
never takes the place of the one whose form is on screen. Slots end at sign-in and sign-out.

A link that cannot be used gets one error page, chosen by `problem_of` from the link's
LinkStatus (hub/one_time.py).
"""

import secrets
import time

from django.db import models
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _

from hub.one_time import LinkStatus, OneTimeLink

SESSION_KEY = "one_time_links"
PREFIX = "set-password-"
MAX_HELD = 5
# As long as the longest-lived link type would still be worth holding for one sitting.
HOLD_SECONDS = 60 * 60


class LinkProblem(models.TextChoices):
    """Why a link's page cannot be shown; the label is the error page's heading."""

    UNKNOWN = "unknown", _("This link is not valid")
    USED = LinkStatus.USED.value, _("This link was already used")
    EXPIRED = LinkStatus.EXPIRED.value, _("This link has expired")
    REGISTERED = "registered", _("You are already registered")


def problem_of(link: OneTimeLink | None) -> LinkProblem | None:
    """None while the link is pending; otherwise why it cannot be used."""
    if link is None:
        return LinkProblem.UNKNOWN
    status = link.status()
    return None if status == LinkStatus.PENDING else LinkProblem(status)


def problem_page(request, problem: LinkProblem, *, reset: bool = False):
    """The one error page of every link: unknown, used, expired, or already registered."""
    context = {"problem": problem, "LinkProblem": LinkProblem, "reset": reset}
    return render(request, "accounts/link_problem.html", context, status=410)


def is_slot(segment: str) -> bool:
    return segment.startswith(PREFIX)


def first_visit_redirect(request, kind: str, segment: str, view: str):
    """On a link's first GET: hold its token and send the browser to the slot's address."""
    if request.method == "GET" and not is_slot(segment):
        return redirect(view, hold(request, kind, segment))
    return None


def token_of(request, kind: str, segment: str) -> str:
    """The token a link's address stands for: held behind a slot, or in the address itself."""
    return held(request, kind, segment) if is_slot(segment) else segment


def hold(request, kind: str, token: str) -> str:
    """Keep the token; return the path segment that stands for it."""
    held = _fresh(request.session.get(SESSION_KEY, {}))
    slot = secrets.token_hex(3)
    while slot in held:
        slot = secrets.token_hex(3)
    held[slot] = [kind, token, time.time()]
    # The newest few only: a page reloaded many times must not grow the session without end.
    request.session[SESSION_KEY] = dict(sorted(held.items(), key=lambda i: i[1][2])[-MAX_HELD:])
    return PREFIX + slot


def held(request, kind: str, segment: str) -> str:
    """The token behind a slot of this kind, or "" (answered as an unknown link)."""
    entry = _fresh(request.session.get(SESSION_KEY, {})).get(segment.removeprefix(PREFIX))
    if entry is None or entry[0] != kind:
        return ""
    return entry[1]


def release(request, segment: str) -> None:
    held = dict(request.session.get(SESSION_KEY, {}))
    if held.pop(segment.removeprefix(PREFIX), None) is not None:
        request.session[SESSION_KEY] = held


def forget_all(request) -> None:
    request.session.pop(SESSION_KEY, None)


def _fresh(held: dict) -> dict:
    now = time.time()
    return {slot: entry for slot, entry in held.items() if now - entry[2] < HOLD_SECONDS}
