from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from hub.emails import Outcome, deliver
from hub.models import EmailStatus, OutboundEmail


class EmailStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return EmailStatus.choices

    def queryset(self, request, queryset):
        if self.value() in EmailStatus.values:
            return queryset.with_status(self.value(), timezone.now())
        return queryset


class LanguageFilter(admin.SimpleListFilter):
    """The languages by name (日本語, English), not by code."""

    title = _("language")
    parameter_name = "language"

    def lookups(self, request, model_admin):
        return settings.LANGUAGES

    def queryset(self, request, queryset):
        if self.value() in dict(settings.LANGUAGES):
            return queryset.filter(language=self.value())
        return queryset


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "to",
        "subject",
        "language_name",
        "status_label",
        "sent_at",
        "attempts",
        "last_attempt_at",
        "last_error",
    )
    list_filter = (EmailStatusFilter, LanguageFilter)
    search_fields = ("to", "subject")
    actions = ["retry_now"]
    # Bodies are left out: until sent they carry one-time links meant for the recipient only.
    fields = readonly_fields = (
        "to",
        "subject",
        "language_name",
        "created_at",
        "sent_at",
        "attempts",
        "last_attempt_at",
        "last_error",
        "claimed_until",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("language"), ordering="language")
    def language_name(self, email):
        return dict(settings.LANGUAGES).get(email.language, email.language)

    @admin.display(description=_("status"))
    def status_label(self, email):
        return email.status(timezone.now()).label

    # Sending reveals nothing and changes no content, so whoever may see the outbox may retry.
    @admin.action(description=_("Retry now"), permissions=["view"])
    def retry_now(self, request, queryset):
        sent = busy = 0
        pending = list(queryset.unsent().order_by("attempts", "id").values_list("pk", flat=True))
        for email_id in pending:
            outcome = deliver(email_id)
            if outcome is Outcome.FAILED:
                # One failure is enough to know the server is away; trying the rest would keep
                # the operator waiting EMAIL_TIMEOUT for each of them.
                failed = OutboundEmail.objects.get(pk=email_id)
                self.message_user(
                    request,
                    _(
                        "The mail server did not accept the email to %(to)s (%(error)s). "
                        "%(left)d selected emails stay queued for the next retry."
                    )
                    % {
                        "to": failed.to,
                        "error": failed.last_error,
                        "left": len(pending) - sent - busy,
                    },
                    messages.ERROR,
                )
                break
            if outcome is Outcome.SENT:
                sent += 1
            else:
                busy += 1
        self.message_user(
            request,
            ngettext("%(count)d email sent.", "%(count)d emails sent.", sent) % {"count": sent},
            messages.SUCCESS if sent else messages.INFO,
        )
        if busy:
            self.message_user(
                request,
                ngettext(
                    "%(count)d email was being sent by another sender, or was sent already.",
                    "%(count)d emails were being sent by another sender, or were sent already.",
                    busy,
                )
                % {"count": busy},
                messages.INFO,
            )
