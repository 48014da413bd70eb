import base64
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login

import audit
from accounts import companion, links, pending, services
from accounts.forms import (
    AuthenticatorSetupForm,
    CompanionManageForm,
    LoginForm,
    NewPasswordForm,
    PairingForm,
    PasswordChangeForm,
    PasswordConfirmForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SecondFactorForm,
)
from accounts.models import (
    ApprovalState,
    CompanionDevice,
    CompanionEnrollment,
    LoginApproval,
    User,
    canonical_email,
)
from accounts.qr import qr_svg

FRESH_CODES_KEY = "fresh_recovery_codes"
REPLACING_KEY = "replacing_authenticator"
SETUP_KEY = "authenticator_setup_device"


# Sign-in ----------------------------------------------------------------------------------


@sensitive_post_parameters("password")
@never_cache
def login_view(request):
    if request.user.is_authenticated:
        return redirect(pending.safe_next(request, request.GET.get("next")))
    next_url = request.POST.get("next") or request.GET.get("next")
    form = LoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        pending.start(request, form.user, next_url)
        return redirect("accounts:two_factor")
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


@never_cache
def two_factor(request):
    """Second step of every password sign-in: the code, or the setup when there is no device."""
    user = pending.user(request)
    if user is None:
        return _pending_expired(request)
    if not services.has_second_factor(user):
        return redirect("accounts:two_factor_method")
    device = CompanionDevice.objects.filter(user=user, confirmed=True).order_by("-id").first()
    if device and request.method == "GET" and "code" not in request.GET:
        return _approval_page(request, user, device)
    form = SecondFactorForm(request, user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        next_url = pending.finish(request, user, form.device)
        if form.device.persistent_id.startswith("otp_static"):
            left = services.recovery_codes_left(user)
            audit.record(
                action=audit.Action.RECOVERY_CODE_USED, actor=user, subject=user, remaining=left
            )
            messages.warning(
                request,
                _("You used a recovery code; %(count)d are left. Create new ones in your profile.")
                % {"count": left},
            )
        return redirect(next_url)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "pending_user": user})


APPROVAL_KEY = "companion_approval"


def _approval_page(request, user, device):
    """Number matching: show the number, wait for the companion to pick the same one."""
    approval = LoginApproval.objects.filter(
        pk=request.session.get(APPROVAL_KEY), device=device, state=ApprovalState.PENDING
    ).first()
    if approval is None or approval.is_expired:
        try:
            approval = companion.approval_request(device=device, request=request)
        except companion.CompanionError:
            messages.error(
                request,
                _("Too many sign-in requests were sent to your app. Enter a code instead."),
            )
            return redirect(reverse("accounts:two_factor") + "?code=1")
        request.session[APPROVAL_KEY] = approval.pk
    return render(
        request, "accounts/two_factor_approve.html", {"approval": approval, "pending_user": user}
    )


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
        reason = {
            ApprovalState.DENIED: _("The sign-in was denied in the app."),
            ApprovalState.MISMATCH: _("The wrong number was chosen in the app."),
        }.get(approval.state, _("The sign-in request expired."))
        messages.error(request, _("%(reason)s You were not logged in.") % {"reason": reason})
        return _client_redirect(request, reverse("accounts:login"))
    return HttpResponse(status=204)


def _client_redirect(request, url):
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@never_cache
def companion_pair(request):
    """The guide's mobile-app option: type the two words the companion shows, then Connect."""
    user = pending.user(request)
    if user is None:
        return _pending_expired(request)
    if not companion.password_may_pair(user):
        return redirect("accounts:two_factor")
    form = PairingForm(request, user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[PAIRING_KEY] = form.enrollment.pk
        return redirect("accounts:companion_pair_wait")
    return render(request, "accounts/companion_pair.html", {"form": form})


PAIRING_KEY = "companion_pairing"


@never_cache
def companion_pair_wait(request):
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
        enrollment is None
        or (enrollment.device_id and device is None)
        or not companion.password_may_pair(user, enrollment)
    ):
        # The half sign-in ends: nothing is granted, the person starts again from the password.
        request.session.pop(PAIRING_KEY, None)
        request.session.pop(pending.SESSION_KEY, None)
        messages.info(request, _("Your sign-in expired or was not started. Please log in again."))
        return _client_redirect(request, reverse("accounts:login"))
    if device:
        request.session.pop(PAIRING_KEY, None)
        next_url = pending.finish(request, user, device)
        codes = services.recovery_codes_regenerate(user=user, notify=False)
        request.session[FRESH_CODES_KEY] = {"codes": codes, "next": next_url}
        messages.success(request, _("Your authenticator app is connected."))
        return _client_redirect(request, reverse("accounts:recovery_codes"))
    if request.htmx:
        return HttpResponse(status=204)
    return render(request, "accounts/companion_pair_wait.html", {"pending_user": user})


@never_cache
def two_factor_method(request):
    user = pending.user(request)
    if user is None:
        return _pending_expired(request)
    if services.has_second_factor(user):
        return redirect("accounts:two_factor")
    return render(request, "accounts/two_factor_method.html", {"pending_user": user})


@never_cache
def authenticator_setup(request):
    """Pair an authenticator app: during a pending sign-in, or from the profile to replace it."""
    user = pending.user(request)
    replacing = False
    started = request.session.get(REPLACING_KEY)
    if user is None and request.user.is_authenticated and started:
        if time.time() - started > settings.PENDING_LOGIN_SECONDS:
            request.session.pop(REPLACING_KEY)
            messages.info(request, _("That took too long. Please confirm your password again."))
            return redirect("accounts:authenticator_replace")
        user, replacing = request.user, True
    if user is None:
        return _pending_expired(request)
    if not replacing and services.has_second_factor(user):
        return redirect("accounts:two_factor")
    device = services.authenticator_start(user=user, device_id=request.session.get(SETUP_KEY))
    request.session[SETUP_KEY] = device.pk
    form = AuthenticatorSetupForm(request, user, device, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        device.refresh_from_db()
        request.session.pop(SETUP_KEY, None)
        if replacing:
            request.session.pop(REPLACING_KEY, None)
            otp_login(request, device)
            next_url = "accounts:profile"
        else:
            next_url = pending.finish(request, user, device)
        request.session[FRESH_CODES_KEY] = {"codes": form.recovery_codes, "next": next_url}
        messages.success(request, _("Your authenticator app is connected."))
        return redirect("accounts:recovery_codes")
    key = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/authenticator_setup.html",
        {
            "form": form,
            "qr_svg": qr_svg(device.config_url),
            "key_groups": [key[i : i + 4] for i in range(0, len(key), 4)],
            "replacing": replacing,
        },
    )


def _pending_expired(request):
    messages.info(request, _("Your sign-in expired or was not started. Please log in again."))
    return redirect("accounts:login")


# Recovery codes ---------------------------------------------------------------------------


@login_required
@never_cache
def recovery_codes(request):
    """Shown once, right after they are made; 'Continue' forgets them."""
    fresh = request.session.get(FRESH_CODES_KEY)
    if fresh is None:
        return redirect("accounts:profile")
    if request.method == "POST":
        del request.session[FRESH_CODES_KEY]
        target = fresh["next"]
        return redirect(target)
    return render(request, "accounts/recovery_codes.html", {"codes": fresh["codes"]})


@login_required
@never_cache
def recovery_codes_download(request):
    fresh = request.session.get(FRESH_CODES_KEY)
    if fresh is None:
        return redirect("accounts:profile")
    lines = [
        _("%(portal)s recovery codes for %(email)s")
        % {"portal": settings.PORTAL_NAME, "email": request.user.email},
        _("Each code works once. Keep them somewhere safe."),
        "",
        *fresh["codes"],
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="services-hub-recovery-codes.txt"'
    return response


# Registration -----------------------------------------------------------------------------


@sensitive_post_parameters("password1", "password2")
@never_cache
def register(request, token):
    if swap := links.first_visit_redirect(request, "invitation", token, "accounts:register"):
        return swap
    invitation = services.invitation_by_token(links.token_of(request, "invitation", token))
    problem = _invitation_problem(invitation)
    if problem:
        return render(request, "accounts/link_problem.html", {"problem": problem}, status=410)
    form = RegistrationForm(invitation, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["password1"],
                language=get_language(),
            )
        except services.LinkUnavailable:
            invitation.refresh_from_db()
            problem = _invitation_problem(invitation) or "used"
            return render(request, "accounts/link_problem.html", {"problem": problem}, status=410)
        links.forget_all(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The guide's first login: no second factor yet, so the session ends with the browser.
        request.session.set_expiry(0)
        messages.success(request, _("Your registration is complete. Welcome to Services HUB."))
        return redirect("home")
    return render(request, "accounts/register.html", {"form": form, "invitation": invitation})


def _invitation_problem(invitation) -> str | None:
    if invitation is None:
        return "unknown"
    if invitation.is_used:
        return "used"
    if User.objects.filter(email=canonical_email(invitation.email)).exists():
        return "registered"
    if invitation.is_expired:
        return "expired"
    return None


def terms(request):
    return render(request, "accounts/terms.html", {"version": settings.TERMS_VERSION})


# Password reset ---------------------------------------------------------------------------


@never_cache
def password_reset_request(request):
    form = PasswordResetRequestForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_reset_request(email=form.cleaned_data["email"], request=request)
        return render(request, "accounts/password_reset_sent.html")
    return render(request, "accounts/password_reset_request.html", {"form": form})


@sensitive_post_parameters("password1", "password2")
@never_cache
def password_reset_confirm(request, token):
    view = "accounts:password_reset_confirm"
    if swap := links.first_visit_redirect(request, "reset", token, view):
        return swap
    reset = services.password_reset_by_token(links.token_of(request, "reset", token))
    problem = None
    if reset is None:
        problem = "unknown"
    elif reset.is_used:
        problem = "used"
    elif reset.is_expired:
        problem = "expired"
    if problem:
        context = {"problem": problem, "reset": True}
        return render(request, "accounts/link_problem.html", context, status=410)
    form = NewPasswordForm(reset.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(reset=reset, password=form.cleaned_data["password1"])
        except services.LinkUnavailable:
            context = {"problem": "used", "reset": True}
            return render(request, "accounts/link_problem.html", context, status=410)
        links.release(request, token)
        # No login here: the new password still needs the second factor.
        messages.success(request, _("Your password was changed. Log in with the new one."))
        return redirect("accounts:login")
    return render(request, "accounts/password_reset_confirm.html", {"form": form})


# Profile ----------------------------------------------------------------------------------


@login_required
def profile(request):
    form = ProfileForm(data=request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    context = {
        "form": form,
        "companions": CompanionDevice.objects.filter(user=request.user, confirmed=True),
        "has_authenticator": services.has_second_factor(request.user),
        "recovery_codes_left": services.recovery_codes_left(request.user),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@sensitive_post_parameters("current_password", "password1", "password2")
def password_change(request):
    form = PasswordChangeForm(request, request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = request.user
        with transaction.atomic():
            user.set_password(form.cleaned_data["password1"])
            user.save(update_fields=["password"])
            audit.record(action=audit.Action.PASSWORD_CHANGED, subject=user, via="profile")
            services.security_notice(user=user, event="password_changed")
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@sensitive_post_parameters("password")
def recovery_codes_regenerate(request):
    form = PasswordConfirmForm(request, request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.recovery_codes_regenerate(user=request.user)
        request.session[FRESH_CODES_KEY] = {"codes": codes, "next": "accounts:profile"}
        return redirect("accounts:recovery_codes")
    return render(
        request,
        "accounts/password_confirm.html",
        {"form": form, "title": _("Create new recovery codes"), "action": _("Create codes")},
    )


@login_required
@sensitive_post_parameters("password")
def authenticator_replace(request):
    form = PasswordConfirmForm(request, request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        request.session[REPLACING_KEY] = time.time()
        return redirect("accounts:authenticator_setup")
    return render(
        request,
        "accounts/password_confirm.html",
        {"form": form, "title": _("Replace your authenticator app"), "action": _("Continue")},
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("accounts:login")


@login_required
@sensitive_post_parameters("password")
def companion_manage(request, device_id):
    """Rename or remove a paired HUB Authenticator: the password again, and an email."""
    device = get_object_or_404(CompanionDevice, pk=device_id, user=request.user)
    form = CompanionManageForm(
        request, request.user, data=request.POST or None, initial={"name": device.name}
    )
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["action"] == "remove":
            with transaction.atomic():
                audit.record(
                    action=audit.Action.FACTOR_REMOVED,
                    subject=request.user,
                    method="companion",
                    name=device.name,
                )
                device.delete()
                services.security_notice(user=request.user, event="authenticator_removed")
            messages.success(request, _("The authenticator was removed."))
        else:
            device.name = form.cleaned_data["name"]
            device.save(update_fields=["name"])
            services.security_notice(user=request.user, event="authenticator_renamed")
            messages.success(request, _("The authenticator was renamed."))
        return redirect("accounts:profile")
    return render(request, "accounts/companion_manage.html", {"form": form, "device": device})
