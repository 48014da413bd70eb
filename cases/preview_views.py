"""Previews of attachments, in the portal and the admin: a screenshot's thumbnail and preview
(images made by cases/previews.py), and a page showing either the preview or a text file's
first part. Each is reached exactly as the download is: the portal's through
`Attachment.objects.for_user` (another company's file is a 404, like a missing one), the
admin's by operators past the second factor; the images carry the downloads' headers."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path, reverse
from django.views.decorators.http import require_safe

from cases import previews
from cases.decorators import company_member_required
from cases.downloads import preview_image_response
from cases.fields import as_case_number
from cases.fields import as_id as as_poll
from cases.models import Attachment, PreviewState

# The list asks again every few seconds while a preview is being made, for about a minute; then
# it offers a link to reload the page instead.
POLL_SECONDS = 3
POLL_TIMES = 20


def _portal_attachment(request, number, attachment_id) -> Attachment:
    if as_case_number(number) is None:
        raise Http404
    # As the download (cases.views.attachment_download): the case's access check and the file
    # in one query, and the company named since for_user lets staff reach every file.
    return get_object_or_404(
        Attachment.objects.for_user(request.user).select_related("case"),
        pk=attachment_id,
        case__number=number,
        case__company_id=request.user.company_id,
    )


def _image(attachment: Attachment, size: str):
    """The ready thumbnail or preview; 404 before it is ready, or for a file that has none."""
    if attachment.preview_state != PreviewState.READY:
        raise Http404
    try:
        handle = previews.open_image(attachment, size)
    except (OSError, ValueError):  # gone from the store
        raise Http404 from None
    return preview_image_response(handle, previews.image_format(attachment.kind)[1])


def _page_context(attachment: Attachment) -> dict:
    context: dict = {"attachment": attachment, "states": PreviewState}
    if attachment.kind == "text":
        try:
            context["text"] = previews.text_preview(attachment)
        except (OSError, ValueError):
            raise Http404 from None
    elif attachment.kind not in previews.IMAGE_KINDS:
        raise Http404
    return context


# Portal ---------------------------------------------------------------------------------------


@company_member_required
@require_safe
def attachment_thumbnail(request, number, attachment_id):
    return _image(_portal_attachment(request, number, attachment_id), "thumbnail")


@company_member_required
@require_safe
def attachment_preview_image(request, number, attachment_id):
    return _image(_portal_attachment(request, number, attachment_id), "preview")


@company_member_required
@require_safe
def attachment_preview(request, number, attachment_id):
    """The preview in the portal's page: the screenshot (or why there is none yet), or the
    text's first part, escaped by the template like any other text."""
    attachment = _portal_attachment(request, number, attachment_id)
    context = _page_context(attachment) | {"case": attachment.case}
    return render(request, "cases/attachment_preview.html", context)


@company_member_required
@require_safe
def attachment_preview_state(request, number, attachment_id):
    """The list's preview cell again, polled by htmx while the preview is being made."""
    attachment = _portal_attachment(request, number, attachment_id)
    polls = (as_poll(request.GET.get("poll")) or 0) + 1
    context = {
        "attachment": attachment,
        "case": attachment.case,
        "poll": polls if polls < POLL_TIMES else None,
        "poll_seconds": POLL_SECONDS,
    }
    response = render(request, "cases/_attachment_preview.html", context)
    response["Cache-Control"] = "no-store"
    return response


# Admin ----------------------------------------------------------------------------------------


def admin_urls(model_admin) -> list:
    """The admin's preview URLs, for CaseAdmin.get_urls: operators who may see cases."""

    def checked(view):
        @require_safe
        def wrapped(request, attachment_id):
            if not model_admin.has_view_or_change_permission(request):
                raise PermissionDenied
            attachment = get_object_or_404(
                Attachment.objects.select_related("case"), pk=attachment_id
            )
            return view(request, attachment)

        return model_admin.admin_site.admin_view(wrapped)

    def preview_page(request, attachment):
        context = model_admin.admin_site.each_context(request) | _page_context(attachment)
        context |= {
            "opts": model_admin.model._meta,
            "case": attachment.case,
            "case_url": reverse("admin:cases_case_change", args=[attachment.case_id]),
            "title": attachment.name,
        }
        return render(request, "admin/cases/attachment_preview.html", context)

    return [
        path(
            "attachments/<int:attachment_id>/thumbnail/",
            checked(lambda request, attachment: _image(attachment, "thumbnail")),
            name="cases_attachment_thumbnail",
        ),
        path(
            "attachments/<int:attachment_id>/preview/image/",
            checked(lambda request, attachment: _image(attachment, "preview")),
            name="cases_attachment_preview_image",
        ),
        path(
            "attachments/<int:attachment_id>/preview/",
            checked(preview_page),
            name="cases_attachment_preview",
        ),
    ]
