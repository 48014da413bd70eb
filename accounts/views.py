import base64
from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.models import Device

import audit
from accounts import devices, links, pending, services
from accounts.forms import (
    AuthenticatorSetupForm,
    LoginForm,
    NewPasswordForm,
    PasswordChangeForm,
    PasswordResetRequestForm,
    ProfileForm,
    RegistrationForm,
    SecondFactorForm,
)
from accounts.models import Invitation, User, canonical_email
from accounts.qr import qr_svg
from accounts.sudo import require_sudo_mode

FRESH_CODES_KEY = "fresh_recovery_codes"
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
        # A valid form has found the user (LoginForm.clean).
        pending.start(request, cast(User, form.user), next_url)
        return redirect("accounts:two_factor")
    return render(request, "accounts/login.html", {"form": form, "next": next_url or ""})


@never_cache
def two_factor(request):
    """Second step of every password sign-in: the code, or the setup when there is no device."""
    user = pending.user(request)
    if user is None:
        return pending.expired(request)
    if not services.has_second_factor(user):
        return redirect("accounts:two_factor_method")
    # A device may ask first in a page of its own (an approval in an app); ?code=1 skips it.
    if (
        request.method == "GET"
        and "code" not in request.GET
        and (prompt := devices.sign_in_prompt_url(user))
    ):
        return redirect(prompt)
    form = SecondFactorForm(request, user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        # A valid form has found the device that took the code (SecondFactorForm.clean_code).
        device = cast(Device, form.device)
        next_url = pending.finish(request, user, device)
        if device.persistent_id.startswith("otp_static"):
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


@never_cache
def two_factor_method(request):
    user = pending.user(request)
    if user is None:
        return pending.expired(request)
    if services.has_second_factor(user):
        return redirect("accounts:two_factor")
    context = {"pending_user": user, "choices": devices.setup_choices()}
    return render(request, "accounts/two_factor_method.html", context)


@never_cache
def authenticator_setup(request):
    """Pair an authenticator app during a pending sign-in (the profile replaces it elsewhere)."""
    user = pending.user(request)
    if user is None:
        return pending.expired(request)
    if services.has_second_factor(user):
        return redirect("accounts:two_factor")
    return _setup_page(request, user, replacing=False)


def _setup_page(request, user: User, *, replacing: bool) -> HttpResponse:
    """The QR code, the key and the code field; a correct code connects the app.

    Shared by the pending sign-in's setup and the profile's replacement, which differ only in
    what follows: finishing the sign-in, or marking the session verified with the new device.
    The form posts back to the page it was shown on.
    """
    device = services.authenticator_start(user=user, device_id=request.session.get(SETUP_KEY))
    request.session[SETUP_KEY] = device.pk
    form = AuthenticatorSetupForm(request, user, device, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.authenticator_confirm(user=user, device=device)
        if codes is None:  # a parallel request confirmed it first
            return redirect("accounts:profile" if replacing else "accounts:two_factor")
        device.refresh_from_db()
        request.session.pop(SETUP_KEY, None)
        if replacing:  # the redirect below spends the password confirmation (require_sudo_mode)
            otp_login(request, device)
            next_url = "accounts:profile"
        else:
            next_url = pending.finish(request, user, device)
        request.session[FRESH_CODES_KEY] = {"codes": codes, "next": next_url}
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
    if invitation is None:
        return links.problem_page(request, links.LinkProblem.UNKNOWN)
    if problem := _invitation_problem(invitation):
        return links.problem_page(request, problem)
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
            problem = _invitation_problem(invitation) or links.LinkProblem.USED
            return links.problem_page(request, problem)
        links.forget_all(request)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        # The guide's first login: no second factor yet, so the session ends with the browser.
        request.session.set_expiry(0)
        messages.success(request, _("Your registration is complete. Welcome to Services HUB."))
        return redirect("home")
    return render(request, "accounts/register.html", {"form": form, "invitation": invitation})


def _invitation_problem(invitation: Invitation) -> links.LinkProblem | None:
    """A used link says so; an unused one for an address that has an account since says that."""
    problem = links.problem_of(invitation)
    if problem in (None, links.LinkProblem.EXPIRED) and (
        User.objects.filter(email=canonical_email(invitation.email)).exists()
    ):
        return links.LinkProblem.REGISTERED
    return problem


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
    if reset is None:
        return links.problem_page(request, links.LinkProblem.UNKNOWN, reset=True)
    if problem := links.problem_of(reset):
        return links.problem_page(request, problem, reset=True)
    form = NewPasswordForm(reset.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.password_reset_complete(reset=reset, password=form.cleaned_data["password1"])
        except services.LinkUnavailable:
            return links.problem_page(request, links.LinkProblem.USED, reset=True)
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
        "device_rows": devices.device_rows(request.user),
        "has_authenticator": services.has_second_factor(request.user),
        "recovery_codes_left": services.recovery_codes_left(request.user),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@sensitive_post_parameters("current_password", "password1", "password2")
def password_change(request):
    form = PasswordChangeForm(request, request.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_change(user=request.user, password=form.cleaned_data["password1"])
        update_session_auth_hash(request, request.user)
        messages.success(request, _("Your password was changed."))
        return redirect("accounts:profile")
    return render(request, "accounts/password_change.html", {"form": form})


@login_required
@require_sudo_mode(title=gettext_lazy("Create new recovery codes"))
def recovery_codes_regenerate(request):
    """New codes replace the old ones; they are shown once, on the next page."""
    if request.method == "POST":
        codes = services.recovery_codes_regenerate(user=request.user)
        request.session[FRESH_CODES_KEY] = {"codes": codes, "next": "accounts:profile"}
        return redirect("accounts:recovery_codes")
    return render(request, "accounts/recovery_codes_regenerate.html")


@login_required
@never_cache
@require_sudo_mode(title=gettext_lazy("Replace your authenticator app"))
def authenticator_replace(request):
    """The password again, then the setup page for the new app; the old one stops working."""
    return _setup_page(request, request.user, replacing=True)


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("accounts:login")
