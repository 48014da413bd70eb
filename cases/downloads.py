from django.http import FileResponse, Http404

from cases import uploads

# Served files are never rendered: a download, no sniffing, and no scripts or plugins even if a
# browser were to open one.
SANDBOX_CSP = "sandbox; default-src 'none'"


def attachment_response(attachment) -> FileResponse:
    """Stream an attachment the caller has already been allowed to see, from whichever storage
    holds it. Always through the app, never a redirect to a presigned URL of the object store:
    the headers below (sandbox CSP, nosniff, no-store) are what make untrusted content safe to
    hand out, and a store answers with its own; the access check also stays per request, where
    a presigned URL is a bearer link that works for anyone until it expires."""
    try:
        handle = uploads.open_stored(attachment.stored_name)
    except (OSError, ValueError):  # gone from the store, or a name that was never stored
        raise Http404 from None
    # A store that is away or refusing raises hub.outages.Unavailable: 503 "try again".
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response.block_size = uploads.CHUNK  # 64 KiB reads: the stream of a store, or a disk
    if not response.has_header("Content-Length"):  # a store's stream cannot tell its size
        response["Content-Length"] = str(attachment.size)
    return _guarded(response)


def preview_image_response(handle, content_type: str) -> FileResponse:
    """A preview made by cases/previews.py, shown in the page (an <img>, or opened alone), under
    the downloads' guard: it is our own re-encoding, but still the customer's content."""
    response = FileResponse(handle, content_type=content_type)
    response.block_size = uploads.CHUNK
    return _guarded(response)


def _guarded(response: FileResponse) -> FileResponse:
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response
