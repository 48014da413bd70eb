"""The HUB Authenticator web app's shell (page, manifest, service worker) and its signed JSON
API. The API uses no cookies, so no CSRF: every call after enrolling is signed by the app's key
(services.signed_caller)."""

import json

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts import throttle
from companion import services
from companion.models import ApprovalState, CompanionDevice
from hub import user_agents
from hub.one_time import LinkStatus

SCOPE = "/companion/"


def app(request):
    return render(request, "companion/app.html")


def manifest(request):
    data = {
        "name": "HUB Authenticator",
        "short_name": "HUB Auth",
        "start_url": SCOPE,
        "scope": SCOPE,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3f73",
        "icons": [{"src": static("hub/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json")


def service_worker(request):
    """The static file companion/sw.js, served under the app's own path: a service worker
    controls only pages below the URL it was fetched from, so /static/ would not do."""
    path = finders.find("companion/sw.js")
    if path is None:
        raise Http404
    # FileResponse closes the file once it is sent.
    response = FileResponse(open(path, "rb"), content_type="text/javascript")  # noqa: SIM115
    response["Service-Worker-Allowed"] = SCOPE
    return response


def _error(message, status=403):
    return JsonResponse({"error": message}, status=status)


def _json(request) -> dict:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return {}
    return data if isinstance(data, dict) else {}


@csrf_exempt
@require_POST
@never_cache
def enroll(request):
    if throttle.begin_attempt([throttle.address_key("enroll", request)]):
        return _error("too many new keys from this address, try later", status=429)
    try:
        enrollment, phrase = services.enroll(public_key=str(_json(request).get("public_key")))
    except services.CompanionError as error:
        return _error(str(error), status=400)
    return JsonResponse(
        {"key_id": enrollment.key_id, "phrase": phrase, "expires": enrollment.expires_at}
    )


def _account(user):
    return f"{user.full_name} <{user.email}>"


def _state(owner) -> dict:
    if isinstance(owner, CompanionDevice):
        pending = owner.approvals.filter(state=ApprovalState.PENDING).order_by("-id")
        return {
            "state": "paired",
            "account": _account(owner.user),
            "totp_key": owner.codes.key if owner.codes is not None else None,
            "approvals": [
                {
                    "id": approval.pk,
                    "choices": approval.choices,
                    # As a person names it (「Chrome (Windows)」), in the app's language.
                    "browser": user_agents.describe(approval.browser),
                    "address": approval.client_address,
                    "time": approval.created_at.isoformat(),
                }
                for approval in pending
                if not approval.is_expired
            ],
        }
    status = owner.status()
    if status == LinkStatus.EXPIRED:
        return {"state": "expired"}
    if status == LinkStatus.PENDING:
        return {"state": "waiting", "expires": owner.expires_at.isoformat()}
    return {"state": "confirm", "account": _account(owner.user)}


@require_GET
@never_cache
def state(request):
    try:
        owner = services.signed_caller(request)
    except services.CompanionError as error:
        return _error(str(error))
    return JsonResponse(_state(owner))


@csrf_exempt
@require_POST
@never_cache
def confirm(request):
    try:
        owner = services.signed_caller(request)
        if isinstance(owner, CompanionDevice):
            raise services.CompanionError("already paired")
        device = services.pairing_confirm(enrollment=owner)
    except services.CompanionError as error:
        return _error(str(error), status=409)
    return JsonResponse(_state(device))


@csrf_exempt
@require_POST
@never_cache
def answer(request):
    data = _json(request)
    try:
        owner = services.signed_caller(request)
        if not isinstance(owner, CompanionDevice):
            raise services.CompanionError("not paired")
        approval_id, number = data.get("approval"), data.get("number")
        if not isinstance(approval_id, int) or not (number is None or isinstance(number, int)):
            raise services.CompanionError("malformed answer")
        answered = services.approval_answer(
            device=owner, approval_id=approval_id, number=number, deny=bool(data.get("deny"))
        )
    except services.CompanionError as error:
        return _error(str(error), status=409)
    return JsonResponse({"state": answered})
