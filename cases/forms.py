"""The guide's seven-step case form: it validates, and writes nothing.

The same form serves three requests: a first render, a refresh (htmx, or the no-JavaScript
"Update" buttons) that narrows the dependent lists and keeps everything typed, and the final
submit, which validates every combination again. The lists come from
`cases.selectors.case_form_choices`; the htmx wiring is in `cases/case_form.html` (what a
refresh sends and where its answer goes), the fields only say that they send one
(`REFRESHED_BY`); what may be combined with what is checked in `CaseForm.clean`.

Which fields a service asks for is its layout's: every field the layout shows is required
(and carries the mark) except the search box and the product group, which only narrow a
list; what the layout does not show is neither read nor required.
"""

import uuid
from functools import cached_property
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext_lazy as _

from cases.fields import (
    CatalogChoiceField,
    IdChoiceField,
    IdMultipleChoiceField,
    as_case_number,
    as_id,
    check_text,
    instance_id_validator,
)
from cases.models import Case
from cases.selectors import ProductLists, case_form_choices, dual_list
from catalog import selectors
from catalog.models import FormLayout
from hub import forms as hub_forms
from hub.forms import REQUIRED_MESSAGE

SUBJECT_MAX = 255
DESCRIPTION_MAX = 20_000
# What people type is never replaced by a refresh that was sent before they typed it: htmx
# keeps these inputs (by id) when it swaps the fields in (`cases/case_form.html`).
TYPED = {"hx-preserve": "true"}
# The fields whose change refreshes the fields below them, and on which event (the ticked
# products of `cases/_product_picker.html` refresh on change too). The 商品ID box asks for
# suggestions instead (`cases/_product_search.html`); the product it picks is a change here.
REFRESHED_BY = {
    "service": "change",
    "product": "change",
    "product_group": "change",
    "main_content": "change",
}
# Hidden inputs every layout carries and reads: the form's identity, the case it follows.
ALWAYS_READ = {"submission_id", "follows"}


# A hidden field is refused only when the page was tampered with or is very old: say so.
FORM_UNREADABLE = _("This form could not be read. Reload the page and fill it in again.")


class CaseForm(hub_forms.Form):
    submission_id = forms.UUIDField(
        label=_("Form"),
        widget=forms.HiddenInput,
        error_messages={"required": FORM_UNREADABLE, "invalid": FORM_UNREADABLE},
    )
    follows = forms.CharField(
        label=_("Follows case"), required=False, max_length=8, widget=forms.HiddenInput
    )
    service = CatalogChoiceField(label=_("Service"), queryset=None, empty_label=_("Select service"))
    eset_protect_instance_id = forms.CharField(
        label=_("ESET PROTECT instance ID"),
        max_length=64,
        validators=[instance_id_validator],
        widget=forms.TextInput(attrs=TYPED),
    )
    eset_inspect_instance_id = forms.CharField(
        label=_("ESET Inspect instance ID"),
        max_length=64,
        validators=[instance_id_validator],
        widget=forms.TextInput(attrs=TYPED),
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the new case")} | TYPED),
    )
    product_query = forms.CharField(
        label=_("Product ID"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Search ..."), "type": "search"} | TYPED),
    )
    product = CatalogChoiceField(label=_("Product"), queryset=None, empty_label=_("Select product"))
    product_version = IdChoiceField(label=_("Product version"), queryset=None, empty_label="–")
    operating_system = CatalogChoiceField(label=_("OS"), queryset=None, empty_label="–")
    product_group = CatalogChoiceField(
        label=_("Product group"), queryset=None, required=False, empty_label=_("All")
    )
    # Drawn by hand as the dual list (`cases/_product_picker.html`): one checkbox a product.
    products = IdMultipleChoiceField(
        label=_("Products to add"), queryset=None, widget=forms.CheckboxSelectMultiple
    )
    main_content = CatalogChoiceField(
        label=_("Main content"), queryset=None, empty_label=_("Select main content")
    )
    problem = CatalogChoiceField(label=_("Problem"), queryset=None, empty_label=_("Select problem"))
    priority = CatalogChoiceField(label=_("Priority"), queryset=None, empty_label=None)
    description = forms.CharField(
        label=_("Description"),
        max_length=DESCRIPTION_MAX,
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
        for name in set(self.fields) - self.shown_fields() - ALWAYS_READ:
            self.fields[name].disabled = True
            self.fields[name].required = False

    @classmethod
    def refreshed(cls, data: QueryDict, **kwargs) -> "CaseForm":
        """The form a refresh shows: what `data` holds, with no errors yet (unbound).

        Each field reads `data` the way its widget reads a submission, so a field of several
        values (the chosen products) keeps every one of them, however many refreshes follow;
        QueryDict's own `[]` would keep the last."""
        files: MultiValueDict[str, Any] = MultiValueDict()
        initial = {
            name: field.widget.value_from_datadict(data, files, name)
            for name, field in cls.base_fields.items()
        }
        return cls(initial=initial, **kwargs)

    def shown_fields(self) -> set[str]:
        """The visible fields of the chosen service's layout, as the template lays them out."""
        names = {"service", "subject", "description"}
        if self.asks_instance_ids:
            names |= {"eset_protect_instance_id", "eset_inspect_instance_id"}
        if self.asks_product_group:
            # The guide's last screenshot: nothing else is asked.
            return names | {"product_group", "products"}
        return names | {
            "product_query",
            "product",
            "product_version",
            "operating_system",
            "main_content",
            "problem",
            "priority",
        }

    @property
    def asks_product_group(self) -> bool:
        """The chosen service's layout: a product group and a list of products (not one
        product with its version and OS)."""
        return self.layout == FormLayout.PRODUCT_GROUP

    @cached_property
    def product_lists(self) -> ProductLists:
        """The dual list: the products on offer that are not chosen, and the chosen ones
        (whatever group they are of). Chosen is every value the form holds for `products`,
        read as `as_id` reads an id and compared as a set, never as text."""
        value = self["products"].value() or []
        values = [value] if isinstance(value, str | int) else value
        chosen = {pk for pk in (as_id(v) for v in values) if pk is not None}
        return dual_list(self.choices.querysets["products"], chosen)

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
        choice), this version belongs to that product and the product runs on that OS, this
        problem belongs to that main content. What the chosen layout does not show is
        emptied; a case of the product-group layout takes the default priority, as the
        guide's screen asks for none."""
        super().clean()
        cleaned = self.cleaned_data
        service = cleaned.get("service")
        if not service:
            return cleaned
        if not service.asks_instance_ids:
            cleaned["eset_protect_instance_id"] = cleaned["eset_inspect_instance_id"] = ""

        if service.form_layout == FormLayout.PRODUCT_GROUP:
            cleaned["product"] = cleaned["product_version"] = cleaned["operating_system"] = None
            cleaned["main_content"] = cleaned["problem"] = None
            cleaned["priority"] = selectors.default_priority() or selectors.priorities().first()
            return cleaned

        product = cleaned.get("product")
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


def new_submission_id() -> str:
    return str(uuid.uuid4())


class MessageForm(hub_forms.Form):
    post_id = forms.UUIDField(widget=forms.HiddenInput)
    body = forms.CharField(
        label=_("Share an update"),
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def clean_body(self):
        body = check_text(self.cleaned_data["body"], multiline=True)
        if not body.strip():
            raise forms.ValidationError(REQUIRED_MESSAGE, code="required")
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


class AttachmentForm(hub_forms.Form):
    # Named as the upload's input; shadows BaseForm.files (the request's files) only for mypy.
    files = MultipleFileField(label=_("Files"), max_length=255)  # type: ignore[assignment]
