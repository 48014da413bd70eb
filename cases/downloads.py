from django.http import FileResponse, Http404

from cases import uploads

# Served files are never rendered: a download, no sniffing, and no scripts or plugins even if a
# browser were to open one.
SANDBOX_CSP = "sandbox; default-src 'none'"


def attachment_response(attachment) -> FileResponse:
    """Stream an attachment the caller has already been allowed to see."""
    try:
        handle = uploads.path_of(attachment.stored_name).open("rb")
    except (OSError, ValueError):
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_CSP
    response["Cache-Control"] = "private, no-store"
    return response
