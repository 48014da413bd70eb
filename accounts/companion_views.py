"""The HUB Authenticator companion app and its signed JSON API (no cookies, so no CSRF)."""

import json

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from accounts import companion, throttle
from accounts.models import ApprovalState, CompanionDevice


def app(request):
    return render(request, "companion/app.html")


def manifest(request):
    data = {
        "name": "HUB Authenticator",
        "short_name": "HUB Auth",
        "start_url": "/companion/",
        "scope": "/companion/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#0b3f73",
        "icons": [{"src": static("hub/favicon.svg"), "sizes": "any", "type": "image/svg+xml"}],
    }
    return JsonResponse(data, content_type="application/manifest+json")


SERVICE_WORKER = """// HUB Authenticator: the app shell works offline; the API is never cached.
const SHELL = "hub-companion-v1";
self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(SHELL).then((cache) => cache.addAll(["/companion/"])));
});
self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.pathname.startsWith("/companion/api/")) return;
  event.respondWith(fetch(event.request).catch(() => caches.match(event.request)));
});
"""


def service_worker(request):
    return HttpResponse(SERVICE_WORKER, content_type="text/javascript")


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
def api_enroll(request):
    if throttle.begin_attempt([throttle.address_key("enroll", request)]):
        return _error("too many new keys from this address, try later", status=429)
    try:
        enrollment, phrase = companion.enroll(public_key=str(_json(request).get("public_key")))
    except companion.CompanionError as error:
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
            "totp_key": owner.codes.key if owner.codes_id else None,
            "approvals": [
                {
                    "id": approval.pk,
                    "choices": approval.choices,
                    "browser": approval.browser,
                    "address": approval.client_address,
                    "time": approval.created_at.isoformat(),
                }
                for approval in pending
                if not approval.is_expired
            ],
        }
    if owner.user_id is None:
        if owner.expires_at <= timezone.now():
            return {"state": "expired"}
        return {"state": "waiting", "expires": owner.expires_at.isoformat()}
    return {"state": "confirm", "account": _account(owner.user)}


@require_GET
@never_cache
def api_state(request):
    try:
        owner = companion.signed_caller(request)
    except companion.CompanionError as error:
        return _error(str(error))
    return JsonResponse(_state(owner))


@csrf_exempt
@require_POST
@never_cache
def api_confirm(request):
    try:
        owner = companion.signed_caller(request)
        if isinstance(owner, CompanionDevice):
            raise companion.CompanionError("already paired")
        device = companion.pairing_confirm(enrollment=owner)
    except companion.CompanionError as error:
        return _error(str(error), status=409)
    return JsonResponse(_state(device))


@csrf_exempt
@require_POST
@never_cache
def api_answer(request):
    data = _json(request)
    try:
        owner = companion.signed_caller(request)
        if not isinstance(owner, CompanionDevice):
            raise companion.CompanionError("not paired")
        approval_id, number = data.get("approval"), data.get("number")
        if not isinstance(approval_id, int) or not (number is None or isinstance(number, int)):
            raise companion.CompanionError("malformed answer")
        state = companion.approval_answer(
            device=owner, approval_id=approval_id, number=number, deny=bool(data.get("deny"))
        )
    except companion.CompanionError as error:
        return _error(str(error), status=409)
    return JsonResponse({"state": state})
