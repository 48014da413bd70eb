"""The operators' side of a case: list, thread with a reply box, status, stage, files."""

import logging

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import RelatedFieldWidgetWrapper
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.models import User
from cases import admin_case_page, preview_views, selectors, upload_script
from cases.admin_queue import QueueAdmin
from cases.downloads import attachment_response
from cases.fields import as_id
from cases.models import Attachment, Case, Message
from cases.services import case_update

logger = logging.getLogger(__name__)


class CaseAdminForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = ("status", "stage", "assigned_to")

    def clean_stage(self):
        stage = self.cleaned_data["stage"]
        if stage and stage.service_id != self.instance.service_id:
            raise ValidationError(_("Choose a stage of this case's service."))
        return stage


@admin.register(Case)
class CaseAdmin(QueueAdmin, admin.ModelAdmin):
    """The list side (the operators' queue) is QueueAdmin's, in cases/admin_queue.py."""

    form = CaseAdminForm
    change_form_template = "admin/cases/case/change_form.html"
    search_fields = (
        "number",
        "subject",
        "company__name",
        "created_by__email",
        "created_by__full_name",
    )
    readonly_fields = DETAIL_FIELDS = (
        "number",
        "company",
        "created_by",
        "service",
        "subject",
        "eset_protect_instance_id",
        "eset_inspect_instance_id",
        "product",
        "product_version",
        "operating_system",
        "product_group",
        "main_content",
        "problem",
        "priority",
        "description",
        "follows",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (_("Handling"), {"fields": ("status", "stage", "assigned_to")}),
        (_("Details"), {"fields": DETAIL_FIELDS}),
    )
    # What the read-only fields above print by name (the service also gives the stage list).
    CHANGE_PAGE_RELATIONS = tuple(
        name for name in DETAIL_FIELDS if Case._meta.get_field(name).is_relation
    )

    def has_add_permission(self, request):
        return False  # customers file cases; operators answer them

    def has_delete_permission(self, request, obj=None):
        return False

    def get_object(self, request, object_id, from_field=None):
        """The case of a change page with what the page prints, in one query. The joins are
        here, not in get_queryset, so that the list keeps its list_select_related only."""
        if from_field is not None:
            return super().get_object(request, object_id, from_field)
        cases = self.get_queryset(request).select_related(
            *self.CHANGE_PAGE_RELATIONS,
            "company__plan",  # the side panel's plan
        )
        try:
            return cases.get(pk=object_id)
        except (Case.DoesNotExist, ValidationError, ValueError):
            return None

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        # The plain select, without the links to add or edit a stage or an operator beside it
        # (a case page is not where those are made): each costs URL reversals per page view.
        if formfield is not None and isinstance(formfield.widget, RelatedFieldWidgetWrapper):
            formfield.widget = formfield.widget.widget
        return formfield

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "stage" and getattr(request, "_case", None):
            kwargs["queryset"] = request._case.service.stages.all()
        if db_field.name == "assigned_to":
            kwargs["queryset"] = User.objects.filter(is_staff=True, is_active=True)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        request._case = obj
        return super().get_form(request, obj, change, **kwargs)

    def save_model(self, request, obj, form, change):
        # Through the service, so the company hears about status and stage changes.
        case_update(
            case=obj,
            operator=request.user,
            status=form.cleaned_data["status"],
            stage=form.cleaned_data["stage"],
            assigned_to=form.cleaned_data["assigned_to"],
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Here rather than in change_view: the case is the one changeform_view loaded.
        if obj is not None:
            context |= thread_page(request, obj, before=as_id(request.GET.get("before")))
            every = request.GET.get("attachments") == "all"
            context |= selectors.attachments_page(obj, every=every)
            context |= admin_case_page.page_context(request, obj, context)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_urls(self):
        own = [
            path(
                "<int:case_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="cases_case_reply",
            ),
            path(
                "<int:case_id>/attachments/",
                self.admin_site.admin_view(self.upload_view),
                name="cases_case_upload",
            ),
            path(
                "<int:case_id>/presence/",
                self.admin_site.admin_view(self.presence_view),
                name="cases_case_presence",
            ),
            path(
                "attachments/<int:attachment_id>/download/",
                self.admin_site.admin_view(self.download_view),
                name="cases_attachment_download",
            ),
            *preview_views.admin_urls(self),
        ]
        return own + super().get_urls()

    def _case(self, request, case_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(Case, pk=case_id)

    def _back(self, case):
        return redirect(reverse("admin:cases_case_change", args=[case.pk]))

    def reply_view(self, request, case_id):
        return require_POST(self._reply)(request, case_id)

    def _reply(self, request, case_id):
        case = self._case(request, case_id)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        return admin_case_page.reply(self, request, case)

    def presence_view(self, request, case_id):
        return require_POST(self._presence)(request, case_id)

    def _presence(self, request, case_id):
        return admin_case_page.presence_beat(request, self._case(request, case_id))

    def upload_view(self, request, case_id):
        return require_POST(self._upload)(request, case_id)

    def _upload(self, request, case_id):
        case = self._case(request, case_id)
        if not self.has_change_permission(request, case):
            raise PermissionDenied
        received = upload_script.receive(request, case)
        if upload_script.from_script(request):
            return upload_script.answer(received)
        for text in received.errors:
            self.message_user(request, text, messages.ERROR)
        if received.attached:
            self.message_user(request, _("The files were attached."), messages.SUCCESS)
        return self._back(case)

    def download_view(self, request, attachment_id):
        if not self.has_view_or_change_permission(request):
            raise PermissionDenied
        return attachment_response(get_object_or_404(Attachment, pk=attachment_id))


def thread_page(request, case, *, before: int | None) -> dict:
    """A page of the thread, newest first: the newest messages, or those before message
    `before`. Internal notes included (operators see them, marked)."""
    page, has_older = selectors.thread_page(case, request.user, before=before)
    return {
        "thread": page,
        "older_than": page[-1].pk if has_older else None,
        "is_latest_page": before is None,
    }


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("case", "author", "by_operator", "is_internal", "created_at")
    list_filter = ("by_operator", "is_internal")
    list_select_related = ("case", "author")
    search_fields = ("case__number", "body")
    readonly_fields = ("case", "author", "by_operator", "is_internal", "body", "created_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
