"""An operator's saved views of the queue: the list's query string under a name, their own
only. Each is saved, renamed and deleted by a POST to the case admin (CSRF-checked by
admin_view); another operator's is a 404."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from desk.models import SavedView

# Not part of what a view shows: the page, the error flag, and what only popups and actions use.
TRANSIENT_PARAMS = frozenset({"p", "e", "_changelist_filters", "_popup", "_to_field", "action"})
QUERY_MAX: int = SavedView._meta.get_field("query").max_length or 500


def clean_query(text: str) -> str:
    """A list query string as saved: re-encoded (whatever came in, it is a query string going
    out), without the transient parameters."""
    given = QueryDict(text, mutable=True)
    for name in TRANSIENT_PARAMS:
        given.pop(name, None)
    return given.urlencode()


class SavedViewForm(forms.ModelForm):
    class Meta:
        model = SavedView
        fields: tuple[str, ...] = ("name", "query")
        widgets = {"query": forms.HiddenInput}

    def __init__(self, *args, owner=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner = owner

    def clean_query(self):
        query = clean_query(self.cleaned_data.get("query") or "")
        if len(query) > QUERY_MAX:
            raise forms.ValidationError(_("These filters are too long to save."))
        return query

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError(_("Give the view a name."))
        mine = SavedView.objects.filter(owner=self.owner, name=name).exclude(pk=self.instance.pk)
        if mine.exists():
            raise forms.ValidationError(_("You already have a view of that name."))
        return name


class RenameForm(SavedViewForm):
    class Meta(SavedViewForm.Meta):
        fields = ("name",)


def stored(form: SavedViewForm) -> bool:
    """Save the form; False when the same name was saved between its check and now (a
    double-click sends the form twice), which the unique constraint refuses."""
    try:
        with transaction.atomic():
            form.save()
    except IntegrityError:
        form.add_error("name", _("You already have a view of that name."))
        return False
    return True


def urls(model_admin) -> list:
    wrap = model_admin.admin_site.admin_view

    def allowed(request):
        if not model_admin.has_view_or_change_permission(request):
            raise PermissionDenied

    def back(request, query=None):
        url = reverse("admin:cases_case_changelist")
        query = clean_query(query if query is not None else request.POST.get("back", ""))
        return redirect(f"{url}?{query}" if query else url)

    def report(request, form):
        for problems in form.errors.values():
            for problem in problems:
                model_admin.message_user(request, problem, messages.ERROR)

    @require_POST
    def save(request):
        allowed(request)
        form = SavedViewForm(request.POST, owner=request.user, instance=SavedView())
        if not form.is_valid():
            report(request, form)
            return back(request, request.POST.get("query", ""))
        form.instance.owner = request.user
        if not stored(form):
            report(request, form)
            return back(request, request.POST.get("query", ""))
        saved = form.instance
        model_admin.message_user(
            request, _("The view “%(name)s” was saved.") % {"name": saved.name}, messages.SUCCESS
        )
        return back(request, saved.query)

    @require_POST
    def rename(request, view_id):
        allowed(request)
        saved = get_object_or_404(SavedView, pk=view_id, owner=request.user)
        form = RenameForm(request.POST, owner=request.user, instance=saved)
        if form.is_valid() and stored(form):
            model_admin.message_user(request, _("The view was renamed."), messages.SUCCESS)
        else:
            report(request, form)
        return back(request)

    @require_POST
    def delete(request, view_id):
        allowed(request)
        get_object_or_404(SavedView, pk=view_id, owner=request.user).delete()
        model_admin.message_user(request, _("The view was deleted."), messages.SUCCESS)
        return back(request)

    return [
        path("views/save/", wrap(save), name="cases_case_view_save"),
        path("views/<int:view_id>/rename/", wrap(rename), name="cases_case_view_rename"),
        path("views/<int:view_id>/delete/", wrap(delete), name="cases_case_view_delete"),
    ]
