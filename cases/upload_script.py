"""Uploads sent by hub/static/hub/uploads.js: one file per request, answered in JSON with a
status code the script can act on, never with a redirect. The plain form (no JavaScript) posts
to the same views and gets the page as before; both go through `receive`."""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.utils.translation import gettext as _

from cases import uploads
from cases.forms import AttachmentForm
from cases.models import Attachment
from cases.services import attachments_add

logger = logging.getLogger(__name__)

# What uploads.js sends along, so that the view answers it rather than a page.
HEADER = "X-Hub-Upload"


@dataclass
class Received:
    """What became of an upload: the rows made, or why nothing was kept, and its HTTP status."""

    attached: list[Attachment] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    status: int = 201


def from_script(request) -> bool:
    return request.headers.get(HEADER) == "1"


def receive(request, case) -> Received:
    """Check and store the request's files for the case: all of them, or none."""
    if refused := uploads.refusals(request):
        too_large = getattr(request, "upload_too_large_in_total", False) or getattr(
            request, "uploads_too_large", []
        )
        return Received(errors=refused, status=413 if too_large else 400)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return Received(errors=[str(error) for error in form.errors.get("files", [])], status=400)
    try:
        added = attachments_add(case=case, uploader=request.user, files=form.cleaned_data["files"])
    except ValidationError as error:
        return Received(errors=list(error.messages), status=400)
    except OSError:
        # Disk full: attachments_add kept no row and no file (a store that is away raises
        # hub.outages.Unavailable, answered 503 by hub.middleware).
        logger.exception("storing attachments for case %s failed", case.number)
        text = _("The files could not be stored; nothing was saved. Try again later.")
        return Received(errors=[text], status=503)
    return Received(attached=added)


def answer(received: Received) -> JsonResponse:
    """The script's answer: the files attached (201), or the reasons nothing was (4xx/503)."""
    body: dict = {"errors": received.errors}
    if received.attached:
        body["attached"] = [
            {"id": attachment.pk, "name": attachment.name, "size": attachment.size}
            for attachment in received.attached
        ]
    response = JsonResponse(body, status=received.status)
    response["Cache-Control"] = "no-store"
    return response


def _sentinels(text: str, *names: str) -> str:
    """A translated text whose %(name)s places the script fills: `{name}` in the result."""
    return text % {name: "{" + name + "}" for name in names}


def limits() -> dict:
    """The limits as the form's hint states them: MB per file, files at a time."""
    return {
        "mb": settings.ATTACHMENT_MAX_BYTES // (1024 * 1024),
        "files": settings.ATTACHMENT_MAX_FILES,
    }


def config() -> dict:
    """The limits and texts uploads.js works with, translated here (json_script in the page)."""
    mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    return {
        "maxBytes": settings.ATTACHMENT_MAX_BYTES,
        "maxFiles": settings.ATTACHMENT_MAX_FILES,
        "extensions": uploads.accepted_extensions(),
        "header": HEADER,
        "texts": {
            "tooLarge": _("Larger than %(mb)d MB: not sent.") % {"mb": mb},
            "tooMany": _("Over %(count)d files at a time: not sent.")
            % {"count": settings.ATTACHMENT_MAX_FILES},
            "wrongType": _("This type of file is not accepted: not sent."),
            "empty": _("This file is empty: not sent."),
            "bytes": _sentinels(_("%(size)s bytes"), "size"),
            "waiting": _("Ready to send."),
            "starting": _("Sending…"),
            "progress": _sentinels(_("%(percent)s%% sent"), "percent"),
            "progressSeconds": _sentinels(
                _("%(percent)s%% sent, about %(seconds)s s left"), "percent", "seconds"
            ),
            "progressMinutes": _sentinels(
                _("%(percent)s%% sent, about %(minutes)s min left"), "percent", "minutes"
            ),
            "done": _("Uploaded."),
            "doneNamed": _sentinels(_("%(name)s was uploaded."), "name"),
            "allDone": _("All uploads have finished."),
            "cancelled": _("Cancelled: nothing was kept."),
            "cancel": _("Cancel"),
            "cancelNamed": _sentinels(_("Cancel %(name)s"), "name"),
            "failed": _("Not uploaded."),
            "lost": _("The connection was lost; nothing was kept. Try again."),
            "signedOut": _("You were signed out: nothing was kept. Reload the page to sign in."),
            "busy": _("The service is busy; nothing was kept. Try again in a moment."),
            "nothingChosen": _("Choose or drop files first."),
        },
    }
