"""The guide's seven-step case form: it validates, and writes nothing.

The same form serves three requests: a first render, a refresh (htmx, or the no-JavaScript
"Update" buttons) that narrows the dependent lists and keeps everything typed, and the final
submit, which validates every combination again. The lists come from
`cases.selectors.case_form_choices`; the htmx wiring is in `cases/case_form.html` (what a
refresh sends and where its answer goes), the fields only say that they send one
(`REFRESHED_BY`); what may be combined with what is checked in `CaseForm.clean`.
"""

import uuid
from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.fields import (
    CatalogChoiceField,
    IdChoiceField,
    IdMultipleChoiceField,
    as_case_number,
    check_text,
    instance_id_validator,
)
from cases.models import Case
from cases.selectors import case_form_choices
from catalog import selectors
from catalog.models import FormLayout

REQUIRED = {"required": _("Complete this field.")}
SUBJECT_MAX = 255
DESCRIPTION_MAX = 20_000
# What people type is never replaced by a refresh that was sent before they typed it: htmx
# keeps these inputs (by id) when it swaps the fields in (`cases/case_form.html`).
TYPED = {"hx-preserve": "true"}
# The fields whose change refreshes the fields below them, and on which event (the ticked
# products of `cases/_product_picker.html` refresh on change too).
REFRESHED_BY = {
    "service": "change",
    "product": "change",
    "product_group": "change",
    "main_content": "change",
    "product_query": "input changed delay:300ms, search",
}


# A hidden field is refused only when the page was tampered with or is very old: say so.
FORM_UNREADABLE = _("This form could not be read. Reload the page and fill it in again.")


class CaseForm(forms.Form):
    submission_id = forms.UUIDField(
        label=_("Form"),
        widget=forms.HiddenInput,
        error_messages={"required": FORM_UNREADABLE, "invalid": FORM_UNREADABLE},
    )
    follows = forms.CharField(
        label=_("Follows case"), required=False, max_length=8, widget=forms.HiddenInput
    )
    service = CatalogChoiceField(
        label=_("Service"),
        queryset=None,
        empty_label=_("Select service"),
        error_messages=REQUIRED,
    )
    eset_protect_instance_id = forms.CharField(
        label=_("ESET PROTECT instance ID"),
        max_length=64,
        required=False,
        validators=[instance_id_validator],
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs=TYPED),
    )
    eset_inspect_instance_id = forms.CharField(
        label=_("ESET Inspect instance ID"),
        max_length=64,
        required=False,
        validators=[instance_id_validator],
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs=TYPED),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the new case")} | TYPED),
    )
    product_query = forms.CharField(
        label=_("Product ID"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Search ..."), "type": "search"} | TYPED),
    )
    product = CatalogChoiceField(
        label=_("Product"),
        queryset=None,
        required=False,
        empty_label=_("Select product"),
        error_messages=REQUIRED,
    )
    product_version = IdChoiceField(
        label=_("Product version"),
        queryset=None,
        required=False,
        empty_label="–",
        error_messages=REQUIRED,
    )
    operating_system = CatalogChoiceField(
        label=_("OS"),
        queryset=None,
        required=False,
        empty_label="–",
        error_messages=REQUIRED,
    )
    product_group = CatalogChoiceField(
        label=_("Product group"),
        queryset=None,
        required=False,
        empty_label=_("All"),
    )
    products = IdMultipleChoiceField(
        label=_("Products to add"),
        queryset=None,
        required=False,
        error_messages=REQUIRED,
    )
    main_content = CatalogChoiceField(
        label=_("Main content"),
        queryset=None,
        empty_label=_("Select main content"),
        error_messages=REQUIRED,
    )
    problem = CatalogChoiceField(
        label=_("Problem"),
        queryset=None,
        empty_label=_("Select problem"),
        error_messages=REQUIRED,
    )
    priority = CatalogChoiceField(
        label=_("Priority"),
        queryset=None,
        empty_label=None,
        error_messages=REQUIRED,
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
        error_messages=REQUIRED,
        widget=forms.Textarea(
            attrs={
                "rows": 8,
                "placeholder": _(
                    "To help us understand your needs, describe your request in as much "
                    "detail as you can."
                ),
            }
            | TYPED
        ),
    )

    def __init__(self, *args, company, today, refresh_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.today = today
        # Where a refresh goes; what it sends and where its answer lands is wired in the
        # template (`#case-fields`), whose hx-* attributes these fields inherit.
        self.refresh_url = refresh_url
        for name, trigger in REFRESHED_BY.items():
            self.fields[name].widget.attrs.update({"hx-post": refresh_url, "hx-trigger": trigger})
        self.choices = case_form_choices(
            company, today, self.data if self.is_bound else self.initial
        )
        for name, queryset in self.choices.querysets.items():
            cast(forms.ModelChoiceField, self.fields[name]).queryset = queryset
        service = self.choices.service
        self.layout = service.form_layout if service else FormLayout.PRODUCT
        self.asks_instance_ids = bool(service and service.asks_instance_ids)
        # What this layout does not show is not read either: a stale or forged value there
        # would otherwise refuse the form with an error nobody can see.
        for name in set(self.fields) - self.shown_fields() - {"submission_id", "follows"}:
            self.fields[name].disabled = True

    def shown_fields(self) -> set[str]:
        """The visible fields of the chosen service's layout, as the template lays them out."""
        names = {"service", "subject", "main_content", "problem", "priority", "description"}
        if self.asks_instance_ids:
            names |= {"eset_protect_instance_id", "eset_inspect_instance_id"}
        if self.asks_product_group:
            return names | {"product_group", "products"}
        return names | {"product_query", "product", "product_version", "operating_system"}

    @property
    def asks_product_group(self) -> bool:
        """The chosen service's layout: a product group and a list of products (not one
        product with its version and OS)."""
        return self.layout == FormLayout.PRODUCT_GROUP

    def unshown_errors(self) -> list[str]:
        """Errors of fields the page does not show (the hidden ones), so no refusal is silent."""
        shown = self.shown_fields()
        return [
            f"{self.fields[name].label}: {error}"
            for name, errors in self.errors.items()
            if name in self.fields and name not in shown
            for error in errors
        ]

    # -- validation ----------------------------------------------------------------------

    def clean_follows(self):
        """A follow-up of a closed case of this company, or nothing."""
        number = self.cleaned_data["follows"]
        if not number:
            return None
        case = None
        if as_case_number(number):
            case = Case.objects.closed().filter(company=self.company, number=number).first()
        if case is None:
            raise forms.ValidationError(_("This case cannot be followed up."), code="follows")
        return case

    def clean_subject(self):
        return check_text(self.cleaned_data["subject"], multiline=False)

    def clean_description(self):
        return check_text(self.cleaned_data["description"], multiline=True)

    def clean(self):
        """Every combination, again at submit: the service is one of the company's contract
        that can take cases today (its field offers no other, so any other is not a valid
        choice), instance IDs when the service asks for them, this version belongs to that
        product and the product runs on that OS, this problem belongs to that main content.
        What the chosen layout does not show is emptied."""
        super().clean()
        cleaned = self.cleaned_data
        service = cleaned.get("service")
        if not service:
            return cleaned
        if service.asks_instance_ids:
            for name in ("eset_protect_instance_id", "eset_inspect_instance_id"):
                if not cleaned.get(name) and name not in self.errors:
                    self.add_error(name, forms.ValidationError(REQUIRED["required"], "required"))
        else:
            cleaned["eset_protect_instance_id"] = cleaned["eset_inspect_instance_id"] = ""

        if service.form_layout == FormLayout.PRODUCT_GROUP:
            if not cleaned.get("products"):
                self._require("products")
            cleaned["product"] = cleaned["product_version"] = cleaned["operating_system"] = None
        else:
            product = cleaned.get("product")
            for name in ("product", "product_version", "operating_system"):
                if not cleaned.get(name):
                    self._require(name)
            version, system = cleaned.get("product_version"), cleaned.get("operating_system")
            if product and version and version.product_id != product.pk:
                self.add_error("product_version", _("Choose a version of this product."))
            if product and system and not selectors.runs_on(product, system):
                self.add_error("operating_system", _("Choose an OS this product runs on."))
            cleaned["product_group"] = None
            cleaned["products"] = []

        main_content, problem = cleaned.get("main_content"), cleaned.get("problem")
        if main_content and problem and problem.main_content_id != main_content.pk:
            self.add_error("problem", _("Choose a problem of this main content."))
        return cleaned

    def _require(self, name):
        if name not in self.errors:
            self.add_error(name, forms.ValidationError(REQUIRED["required"], code="required"))


def new_submission_id() -> str:
    return str(uuid.uuid4())


class MessageForm(forms.Form):
    post_id = forms.UUIDField(widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Share an update"),
        max_length=DESCRIPTION_MAX,
        error_messages=REQUIRED,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_body(self):
        body = check_text(self.cleaned_data["body"], multiline=True)
        if not body.strip():
            raise forms.ValidationError(REQUIRED["required"], code="required")
        return body


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        if not files:
            raise forms.ValidationError(_("Choose one or more files."), code="required")
        return [super(MultipleFileField, self).clean(item, initial) for item in files]


class AttachmentForm(forms.Form):
    # Named as the upload's input; shadows BaseForm.files (the request's files) only for mypy.
    files = MultipleFileField(label=_("Files"), max_length=255)  # type: ignore[assignment]
