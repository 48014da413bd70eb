import time

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import pending
from accounts.services import has_second_factor
from accounts.views import SETUP_KEY
from cases.models import Attachment, Case, Message
from trainer import classroom
from trainer.decorators import classroom_required, demo_mode_required


@demo_mode_required
@never_cache
def join(request, key):
    """The trainer's classroom link: admits this browser to the outbox and the codes."""
    if not classroom.key_matches(key):
        raise Http404
    response = redirect("trainer:outbox")
    classroom.admit(response)
    return response


@classroom_required
@never_cache
def outbox(request):
    """Every email the portal sent to demo accounts in trainer mode, newest first."""
    emails = classroom.demo_mail().order_by("-created_at", "-id")
    page = Paginator(emails, 50).get_page(request.GET.get("page"))
    return render(request, "trainer/outbox.html", {"page": page})


@classroom_required
@never_cache
def outbox_email(request, email_id):
    email = get_object_or_404(classroom.demo_mail(), pk=email_id)
    return render(request, "trainer/outbox_email.html", {"email": email})


def _device(request):
    """The device this browser is signing in with: the one being set up, else the confirmed one.
    Codes are computed from it exactly as a phone app would; the portal still verifies them."""
    user = pending.user(request) or (request.user if request.user.is_authenticated else None)
    if user is None or not user.is_demo:
        return None
    setup_id = request.session.get(SETUP_KEY)
    devices = TOTPDevice.objects.filter(user=user)
    return (setup_id and devices.filter(pk=setup_id, confirmed=False).first()) or devices.filter(
        confirmed=True
    ).first()


def _code_context(request):
    device = _device(request)
    if device is None:
        return {"device": None}
    now = time.time()
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return {
        "device": device,
        "code": f"{code:0{device.digits}d}",
        "seconds_left": int(device.step - (now - device.t0) % device.step),
        "step": device.step,
    }


@classroom_required
@never_cache
def authenticator(request):
    return render(request, "trainer/authenticator.html", _code_context(request))


@classroom_required
@never_cache
def authenticator_code(request):
    return render(request, "trainer/_authenticator_code.html", _code_context(request))


@demo_mode_required
@require_POST
def tour_toggle(request):
    request.session["tour_hidden"] = not request.session.get("tour_hidden", False)
    target = request.POST.get("next", "/")
    return redirect(pending.safe_next(request, target))


def tour_steps(request) -> list[dict] | None:
    """The guide's chapters as a checklist, ticked from what this user has done."""
    if not settings.DEMO_MODE or request.session.get("tour_hidden"):
        return None
    user = request.user if request.user.is_authenticated else pending.user(request)
    signed_in = user is not None and user.company_id is not None
    registered = signed_in
    two_factor = signed_in and has_second_factor(user)
    filed = signed_in and Case.objects.filter(created_by=user).exists()
    posted = signed_in and Message.objects.filter(author=user).exists()
    attached = signed_in and Attachment.objects.filter(uploaded_by=user).exists()
    return [
        {"chapter": 1, "key": "invitation", "done": registered},
        {"chapter": 1, "key": "register", "done": registered},
        {"chapter": 1, "key": "two_factor", "done": two_factor},
        {"chapter": 2, "key": "case_form", "done": filed},
        {"chapter": 2, "key": "create", "done": filed},
        {"chapter": 3, "key": "chatter", "done": posted},
        {"chapter": 3, "key": "attachments", "done": attached},
    ]
