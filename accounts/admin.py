from typing import TYPE_CHECKING

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.plugins.otp_static import admin as otp_static_admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp import admin as otp_totp_admin
from django_otp.plugins.otp_totp.models import TOTPDevice

import audit
from accounts import services
from accounts.models import (
    Company,
    Invitation,
    ServiceSubscription,
    User,
    canonical_email,
)
from hub.one_time import LinkStatus


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "company")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


# Fields whose change gives or takes away access: recorded in the audit trail.
ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ("email",)
    list_display = ("email", "full_name", "company", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active", "language", "company")
    list_select_related = ("company",)
    search_fields = ("email", "full_name", "company__name")
    autocomplete_fields = ("company",)
    readonly_fields = ("last_login", "date_joined", "terms_version", "terms_accepted_at")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (
            _("Profile"),
            {
                "fields": (
                    "full_name",
                    "company",
                    "language",
                    "time_zone",
                    "notify_own_cases_only",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (
            _("Dates"),
            {"fields": ("last_login", "date_joined", "terms_version", "terms_accepted_at")},
        ),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changed = [name for name in ACCESS_FIELDS if name in form.changed_data]
        if change and changed:
            audit.record(
                action=audit.Action.PERMISSIONS_CHANGED, subject=obj, fields=changed, by="admin"
            )

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            audit.record(
                action=audit.Action.PASSWORD_CHANGED,
                subject=User.objects.filter(pk=id).first(),
                by="admin",
            )
        return response

    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "email",
                    "full_name",
                    "company",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )


class SubscriptionInline(admin.TabularInline):
    model = ServiceSubscription
    fields = (
        "service",
        "valid_from",
        "valid_to",
        "sub_services_included",
        "sub_services_used",
        "state_label",
    )
    readonly_fields = ("state_label",)
    extra = 0

    @admin.display(description=_("State"))
    def state_label(self, subscription):
        return subscription.state().label if subscription.pk else "–"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("name", "plan", "created_at")
    list_filter = ("plan",)
    list_select_related = ("plan",)
    search_fields = ("name",)
    inlines = [SubscriptionInline]


# A used invitation is a contact who registered: the operator's list says so.
INVITATION_STATUS_LABELS = {**dict(LinkStatus.choices), LinkStatus.USED: _("Registered")}


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(INVITATION_STATUS_LABELS.items())

    def queryset(self, request, queryset):
        if self.value() in LinkStatus.values:
            return queryset.with_status(self.value())
        return queryset


class InvitationForm(forms.ModelForm):
    class Meta:
        model = Invitation
        fields = ("full_name", "email", "company", "language")

    def clean_email(self):
        email = canonical_email(self.cleaned_data["email"])
        if User.objects.filter(email=email).exists():
            raise ValidationError(_("A user with this email address already exists."))
        return email


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    form = InvitationForm
    list_display = ("full_name", "email", "company", "language", "status_label", "sent_at")
    list_filter = (InvitationStatusFilter, "language", "company")
    list_select_related = ("company",)
    search_fields = ("full_name", "email", "company__name")
    autocomplete_fields = ("company",)
    actions = ["resend"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return ()
        return (
            "full_name",
            "email",
            "company",
            "language",
            "invited_by",
            "created_at",
            "sent_at",
            "expires_at",
            "used_at",
            "user",
        )

    def get_fields(self, request, obj=None):
        if obj is None:
            return ("full_name", "email", "company", "language")
        return self.get_readonly_fields(request, obj)

    @admin.display(description=_("status"))
    def status_label(self, invitation):
        return INVITATION_STATUS_LABELS[invitation.status()]

    def save_model(self, request, obj, form, change):
        if change:
            return
        # Creating means sending: the service makes the token and queues the email.
        created = services.invitation_create(
            email=obj.email,
            full_name=obj.full_name,
            company=obj.company,
            language=obj.language,
            invited_by=request.user,
        )
        obj.pk = created.pk
        obj.__dict__.update(created.__dict__)

    @admin.action(description=_("Send the invitation again (a new link replaces the old one)"))
    def resend(self, request, queryset):
        sent = 0
        for invitation in queryset.select_related("company"):
            try:
                services.invitation_resend(invitation=invitation)
            except ValidationError:
                continue
            sent += 1
        self.message_user(
            request,
            ngettext("%(count)d invitation sent.", "%(count)d invitations sent.", sent)
            % {"count": sent},
            messages.SUCCESS,
        )
        if sent < queryset.count():
            self.message_user(
                request, _("Invitations already used to register were skipped."), messages.WARNING
            )


if TYPE_CHECKING:
    # What the mixin is mixed into, so that its super() calls type-check.
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class AuditedDeviceAdmin(_ModelAdminBase):
    """Second factors added or removed by an operator land in the audit trail, like the
    customer's own."""

    # django-otp writes its own in English, with the field names of the language active when
    # it was imported.
    search_help_text = _("Search by the user's email address.")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            audit.record(action=audit.Action.FACTOR_ADDED, subject=obj.user, by="admin")

    def delete_model(self, request, obj):
        audit.record(action=audit.Action.FACTOR_REMOVED, subject=obj.user, by="admin")
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for device in queryset.select_related("user"):
            audit.record(action=audit.Action.FACTOR_REMOVED, subject=device.user, by="admin")
        super().delete_queryset(request, queryset)


# django-otp's fieldsets, labels and help texts are English literals: its admins' pages show
# them as they are. Ours give the same fields in the operator's language (a form's labels and
# help texts are also what the admin shows for its read-only fields).
_DEVICE_LABELS = {
    "user": _("user"),
    "name": _("name"),
    "confirmed": _("confirmed"),
    "created_at": _("created"),
    "last_used_at": _("last used"),
}
_DEVICE_HELP = {
    "user": _("The user who logs in with this second factor."),
    "name": _("A name that tells it apart from the user's other second factors."),
    "confirmed": _("Whether it is set up and can be used to log in."),
    "created_at": _("When it was added."),
    "last_used_at": _("When it was last used to log in."),
}
_IDENTITY, _TIMESTAMPS = _("Identity"), _("Dates")
_DEVICE_FIELDS = ["user", "name", "confirmed"]


class TOTPDeviceForm(forms.ModelForm):
    class Meta:
        model = TOTPDevice
        fields = [
            *_DEVICE_FIELDS,
            *("key", "step", "t0", "digits", "tolerance", "drift"),
            *("throttling_failure_timestamp", "throttling_failure_count"),
        ]
        labels = _DEVICE_LABELS | {
            "key": _("Secret key"),
            "step": _("Time step"),
            "t0": _("Start time (T0)"),
            "digits": _("Digits"),
            "tolerance": _("Tolerance"),
            "drift": _("Drift"),
            "throttling_failure_timestamp": _("Last failed attempt"),
            "throttling_failure_count": _("Failed attempts"),
        }
        help_texts = _DEVICE_HELP | {
            "key": _("The secret shared with the app, in hexadecimal (up to 40 bytes)."),
            "step": _("How many seconds each verification code is valid for."),
            "t0": _("The Unix time from which the time steps are counted."),
            "digits": _("How many digits each verification code has."),
            "tolerance": _("How many time steps early or late a code is still accepted."),
            "drift": _("How many time steps the app's clock is known to be off from ours."),
            "throttling_failure_timestamp": _(
                "When a wrong verification code was last entered; empty after a right one."
            ),
            "throttling_failure_count": _(
                "Wrong verification codes in a row: each one makes the wait before the next "
                "try longer."
            ),
        }


class StaticDeviceForm(forms.ModelForm):
    class Meta:
        model = StaticDevice
        fields = _DEVICE_FIELDS
        labels = _DEVICE_LABELS
        help_texts = _DEVICE_HELP


class TOTPDeviceAdmin(AuditedDeviceAdmin, otp_totp_admin.TOTPDeviceAdmin):
    """django-otp's own, except that its key and QR-code pages of an unknown id answer 404
    like every admin page (they look the device up with objects.get: a 500), and that its QR
    code column, fieldsets and fields speak the operator's language."""

    form = TOTPDeviceForm
    _SECTIONS = {
        "Identity": _IDENTITY,
        "Timestamps": _TIMESTAMPS,
        "Configuration": _("Configuration"),
        "State": _("State"),
        "Throttling": _("Throttling"),
    }

    def get_fieldsets(self, request, obj=None):
        # django-otp's choice of fields (the key only while adding, or when shown), with the
        # section titles translated.
        return [
            (self._SECTIONS.get(title, title), options)
            for title, options in super().get_fieldsets(request, obj)
        ]

    @admin.display(description=_("QR code"))
    def qrcode_link(self, device):
        href = reverse("admin:otp_totp_totpdevice_config", kwargs={"pk": device.pk})
        return format_html('<a href="{}">{}</a>', href, _("Show the QR code"))

    def config_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().config_view(request, pk)

    def qrcode_view(self, request, pk):
        get_object_or_404(TOTPDevice, pk=pk)
        return super().qrcode_view(request, pk)


class StaticDeviceAdmin(AuditedDeviceAdmin, otp_static_admin.StaticDeviceAdmin):
    """django-otp's own, in the operator's language."""

    form = StaticDeviceForm
    fieldsets = [
        (_IDENTITY, {"fields": ["user", "name", "confirmed"]}),
        (_TIMESTAMPS, {"fields": ["created_at", "last_used_at"]}),
    ]


for model, model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
