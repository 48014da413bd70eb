"""The portal's HUB Authenticator pages: pairing during a sign-in, the sign-in approval by
number matching, and renaming or removing a paired app from the profile.

The first two run in the half-signed-in state of accounts.pending: its public functions say who
passed the password step and end the sign-in with the device that approved it."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django_htmx.http import HttpResponseClientRedirect

from accounts import pending
from accounts import services as accounts_services
from accounts.forms import SecondFactorForm
from accounts.sudo import require_sudo_mode
from accounts.views import FRESH_CODES_KEY
from companion import services
from companion.forms import CompanionManageForm, PairingForm, invalid_phrase
from companion.models import ApprovalState, CompanionDevice, CompanionEnrollment, LoginApproval

APPROVAL_KEY = "companion_approval"
PAIRING_KEY = "companion_pairing"


def _pending_expired(request):
    messages.info(request, _("Your sign-in expired or was not started. Please log in again."))
    return _client_redirect(request, reverse("accounts:login"))


def _client_redirect(request, url):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


# Sign-in approval -------------------------------------------------------------------------


@never_cache
def approve(request):
    """Number matching: show the number, wait for the companion to pick the same one; or
    take the code the app shows, which the code step checks."""
    user = pending.user(request)
    if user is None:
        return _pending_expired(request)
    device = CompanionDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device is None:
        return redirect(reverse("accounts:two_factor") + "?code=1")
    approval = LoginApproval.objects.filter(
        pk=request.session.get(APPROVAL_KEY), device=device, state=ApprovalState.PENDING
    ).first()
    if approval is None or approval.is_expired:
        try:
            approval = services.approval_request(device=device, request=request)
        except services.CompanionError:
            messages.error(
                request,
                _("Too many sign-in requests were sent to your app. Enter a code instead."),
            )
            return redirect(reverse("accounts:two_factor") + "?code=1")
        request.session[APPROVAL_KEY] = approval.pk
    # The code form beside the number: the guide signs in with the code the app shows.
    context = {
        "approval": approval,
        "pending_user": user,
        "code_form": SecondFactorForm(request, user),
    }
    return render(request, "companion/two_factor_approve.html", context)


@never_cache
def approval_status(request):
    """Polled by the sign-in page: log in once the companion approved with the right number."""
    user = pending.user(request)
    approval = (
        LoginApproval.objects.filter(pk=request.session.get(APPROVAL_KEY), device__user=user)
        .select_related("device")
        .first()
    )
    if user is None or approval is None:
        return _client_redirect(request, reverse("accounts:login"))
    if approval.state == ApprovalState.APPROVED:
        request.session.pop(APPROVAL_KEY, None)
        return _client_redirect(request, pending.finish(request, user, approval.device))
    if approval.state != ApprovalState.PENDING or approval.is_expired:
        request.session.pop(APPROVAL_KEY, None)
        request.session.pop(pending.SESSION_KEY, None)
        reasons: dict[str, str] = {
            ApprovalState.DENIED: _("The sign-in was denied in the app."),
            ApprovalState.MISMATCH: _("The wrong number was chosen in the app."),
        }
        reason = reasons.get(approval.state, _("The sign-in request expired."))
        messages.error(request, _("%(reason)s You were not logged in.") % {"reason": reason})
        return _client_redirect(request, reverse("accounts:login"))
    return HttpResponse(status=204)


# Pairing ----------------------------------------------------------------------------------


@never_cache
def pair(request):
    """The guide's mobile-app option: type the two words the companion shows, then Connect."""
    user = pending.user(request)
    if user is None:
        return _pending_expired(request)
    if not services.password_may_pair(user):
        return redirect("accounts:two_factor")
    form = PairingForm(request, user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrollment = services.pairing_claim(user=user, phrase=form.cleaned_data["phrase"])
        if enrollment is not None:
            request.session[PAIRING_KEY] = enrollment.pk
            return redirect("companion:pair_wait")
        form.add_error("phrase", invalid_phrase())  # claimed by someone else in between
    return render(request, "companion/pair.html", {"form": form})


@never_cache
def pair_wait(request):
    """Polled until the app confirmed; then signs in. The pairing rule is asked again here: the
    account may have changed since the phrase was claimed and the app confirmed it."""
    user = pending.user(request)
    enrollment = (
        CompanionEnrollment.objects.filter(pk=request.session.get(PAIRING_KEY), user=user).first()
        if user
        else None
    )
    device = (
        CompanionDevice.objects.filter(pk=enrollment.device_id, user=user, confirmed=True).first()
        if enrollment and enrollment.device_id
        else None
    )
    if (
        user is None
        or enrollment is None
        or (enrollment.device_id and device is None)
        or not services.password_may_pair(user, enrollment)
    ):
        # The half sign-in ends: nothing is granted, the person starts again from the password.
        request.session.pop(PAIRING_KEY, None)
        request.session.pop(pending.SESSION_KEY, None)
        return _pending_expired(request)
    if device:
        request.session.pop(PAIRING_KEY, None)
        next_url = pending.finish(request, user, device)
        codes = accounts_services.recovery_codes_regenerate(user=user, notify=False)
        request.session[FRESH_CODES_KEY] = {"codes": codes, "next": next_url}
        messages.success(request, _("Your authenticator app is connected."))
        return _client_redirect(request, reverse("accounts:recovery_codes"))
    if request.htmx:
        return HttpResponse(status=204)
    return render(request, "companion/pair_wait.html", {"pending_user": user})


# Profile ----------------------------------------------------------------------------------


def own_device(view):
    """Pass the signed-in user's own paired app instead of its id; anybody else's is a 404,
    before any password is asked."""

    @wraps(view)
    def wrapper(request, device_id):
        device = get_object_or_404(CompanionDevice, pk=device_id, user=request.user)
        return view(request, device)

    return wrapper


@login_required
@own_device
@require_sudo_mode(title=gettext_lazy("Rename or remove HUB Authenticator"))
def manage(request, device):
    """Rename or remove a paired HUB Authenticator: the password again, and an email."""
    form = CompanionManageForm(data=request.POST or None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "remove":
            services.companion_device_remove(device=device)
            messages.success(request, _("The authenticator was removed."))
        else:
            services.companion_device_rename(device=device, name=form.cleaned_data["name"])
            messages.success(request, _("The authenticator was renamed."))
        return redirect("accounts:profile")
    return render(request, "companion/manage.html", {"form": form, "device": device})
