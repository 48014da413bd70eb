"""The guide's seven-step case form, with dependent choices narrowed on the server.

The same form serves three requests: a first render, a refresh (htmx, or the no-JavaScript
"Update" buttons) that narrows the dependent lists and keeps everything typed, and the final
submit, which validates every combination again.
"""

import re
import unicodedata
import uuid

from django import forms
from django.core.validators import RegexValidator
from django.db.models import Q
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.models import ServiceSubscription
from cases.models import CLOSED_STATUSES, INSTANCE_ID_PATTERN, Case
from catalog import selectors
from catalog.models import (
    FormLayout,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    Service,
)

REQUIRED = {"required": _("Complete this field.")}
SUBJECT_MAX = 255
DESCRIPTION_MAX = 20_000
# Bidirectional overrides can make a subject read differently from what it is.
BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

instance_id_validator = RegexValidator(
    INSTANCE_ID_PATTERN,
    _("Use the ID as shown under Help → About: letters, digits and hyphens."),
)


def as_id(value) -> int | None:
    """A database id from untrusted input, or None: ASCII digits only, and not absurdly long."""
    text = str(value or "")
    return int(text) if re.fullmatch(r"[0-9]{1,18}", text) else None


def as_case_number(value) -> str | None:
    """A case number from untrusted input (eight ASCII digits), or None."""
    text = str(value or "")
    return text if re.fullmatch(r"[0-9]{8}", text) else None


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids the database could not even compare (Django lets overflows through)."""

    def clean(self, value):
        if value and any(as_id(item) is None for item in value):
            raise forms.ValidationError(
                self.error_messages["invalid_pk_value"],
                code="invalid_pk_value",
                params={"pk": next(item for item in value if as_id(item) is None)},
            )
        return super().clean(value)


def check_text(value: str, *, multiline: bool) -> str:
    allowed = {"\n", "\r", "\t"} if multiline else set()
    for ch in value:
        if ch in BIDI_CONTROLS or (unicodedata.category(ch) == "Cc" and ch not in allowed):
            raise forms.ValidationError(
                _("Remove the control characters from this text."), code="control"
            )
    return value


class IdChoiceField(forms.ModelChoiceField):
    """Takes an id only as `as_id` reads it, the way the form narrows its lists: Django alone
    would also take " 5" or full-width and Arabic-Indic digits, so that the list narrowed for
    one choice and the validated choice could differ (and the form refuse on a field it hid)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if as_id(value) is None:
            raise forms.ValidationError(self.error_messages["invalid_choice"], "invalid_choice")
        return super().to_python(value)


class CatalogChoiceField(IdChoiceField):
    """Labels in the user's language (the entry's `name`)."""

    def label_from_instance(self, obj):
        return obj.name


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
        queryset=Service.objects.none(),
        empty_label=_("Select service"),
        error_messages=REQUIRED,
    )
    eset_protect_instance_id = forms.CharField(
        label=_("ESET PROTECT instance ID"),
        max_length=64,
        required=False,
        validators=[instance_id_validator],
        error_messages=REQUIRED,
    )
    eset_inspect_instance_id = forms.CharField(
        label=_("ESET Inspect instance ID"),
        max_length=64,
        required=False,
        validators=[instance_id_validator],
        error_messages=REQUIRED,
    )
    subject = forms.CharField(
        label=_("Subject"),
        max_length=SUBJECT_MAX,
        error_messages=REQUIRED,
        widget=forms.TextInput(attrs={"placeholder": _("Name of the new case")}),
    )
    product_query = forms.CharField(
        label=_("Product ID"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("Search ..."), "type": "search"}),
    )
    product = CatalogChoiceField(
        label=_("Product"),
        queryset=Product.objects.none(),
        required=False,
        empty_label=_("Select product"),
        error_messages=REQUIRED,
    )
    product_version = IdChoiceField(
        label=_("Product version"),
        queryset=ProductVersion.objects.none(),
        required=False,
        empty_label="–",
        error_messages=REQUIRED,
    )
    operating_system = CatalogChoiceField(
        label=_("OS"),
        queryset=OperatingSystem.objects.none(),
        required=False,
        empty_label="–",
        error_messages=REQUIRED,
    )
    product_group = CatalogChoiceField(
        label=_("Product group"),
        queryset=ProductGroup.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    products = IdMultipleChoiceField(
        label=_("Products to add"),
        queryset=Product.objects.none(),
        required=False,
        error_messages=REQUIRED,
    )
    main_content = CatalogChoiceField(
        label=_("Main content"),
        queryset=MainContent.objects.none(),
        empty_label=_("Select main content"),
        error_messages=REQUIRED,
    )
    problem = CatalogChoiceField(
        label=_("Problem"),
        queryset=Problem.objects.none(),
        empty_label=_("Select problem"),
        error_messages=REQUIRED,
    )
    priority = CatalogChoiceField(
        label=_("Priority"),
        queryset=Priority.objects.none(),
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
        ),
    )

    def __init__(self, *args, company, today, refresh_url, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.today = today
        self._wire_refresh(refresh_url)
        data = self.data if self.is_bound else self.initial
        usable = ServiceSubscription.objects.filter(company=company).usable(today)
        self.fields["service"].queryset = Service.objects.filter(
            pk__in=usable.values("service")
        ).order_by("position", "id")
        self.fields["main_content"].queryset = selectors.main_contents()
        self.fields["priority"].queryset = selectors.priorities()
        self.fields["product_group"].queryset = selectors.product_groups()

        self.service = self._chosen("service", data)
        self.layout = self.service.form_layout if self.service else FormLayout.PRODUCT
        self.asks_instance_ids = bool(self.service and self.service.asks_instance_ids)

        product = self._chosen_in(
            "product", data, Product.objects.active().filter(group__active=True)
        )
        self.fields["product"].queryset = self._product_choices(data, product)
        if product:
            self.fields["product_version"].queryset = selectors.product_versions(product)
            self.fields["operating_system"].queryset = selectors.product_operating_systems(product)
        main_content = self._chosen("main_content", data)
        if main_content:
            self.fields["problem"].queryset = selectors.problems_of(main_content)
        group = self._chosen("product_group", data)
        self.fields["products"].queryset = selectors.products_in_group(
            group
        ) | Product.objects.filter(pk__in=self._ids(data, "products"), active=True)
        # What this layout does not show is not read either: a stale or forged value there
        # would otherwise refuse the form with an error nobody can see.
        for name in set(self.fields) - self.shown_fields() - {"submission_id", "follows"}:
            self.fields[name].disabled = True

    def shown_fields(self) -> set[str]:
        """The visible fields of the chosen service's layout, as the template lays them out."""
        names = {"service", "subject", "main_content", "problem", "priority", "description"}
        if self.asks_instance_ids:
            names |= {"eset_protect_instance_id", "eset_inspect_instance_id"}
        if self.layout == FormLayout.PRODUCT_GROUP:
            return names | {"product_group", "products"}
        return names | {"product_query", "product", "product_version", "operating_system"}

    def unshown_errors(self) -> list[str]:
        """Errors of fields the page does not show (the hidden ones), so no refusal is silent."""
        shown = self.shown_fields()
        return [
            f"{self.fields[name].label}: {error}"
            for name, errors in self.errors.items()
            if name in self.fields and name not in shown
            for error in errors
        ]

    def _wire_refresh(self, url):
        """With JavaScript, a changed parent re-renders the fields below it in place (htmx)."""
        self.refresh = {
            "hx-post": url,
            "hx-target": "#case-fields",
            "hx-select": "#case-fields",
            "hx-swap": "outerHTML",
            "hx-include": "closest form",
            "hx-vals": '{"action": "refresh"}',
            # A newer refresh replaces one still in flight, so answers never arrive out of order.
            "hx-sync": "closest form:replace",
        }
        for name in ("service", "product", "product_group", "main_content"):
            self.fields[name].widget.attrs.update(self.refresh, **{"hx-trigger": "change"})
        self.fields["product_query"].widget.attrs.update(
            self.refresh, **{"hx-trigger": "input changed delay:300ms, search"}
        )
        # What people type is never replaced by a refresh that was sent before they typed it.
        for name in (
            "subject",
            "description",
            "product_query",
            "eset_protect_instance_id",
            "eset_inspect_instance_id",
        ):
            self.fields[name].widget.attrs["hx-preserve"] = "true"

    @property
    def refresh_attrs(self):
        return format_html_join(" ", '{}="{}"', sorted(self.refresh.items()))

    # -- reading the raw choices before validation, to narrow the dependent lists ----------

    @staticmethod
    def _raw(data, name):
        value = data.get(name) if hasattr(data, "get") else None
        if isinstance(value, list):
            value = value[-1] if value else None
        return value

    @staticmethod
    def _ids(data, name) -> list[int]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name) or []
        if not isinstance(values, list | tuple):
            values = [values]
        return [i for i in (as_id(v) for v in values) if i is not None][:200]

    def _chosen(self, name, data):
        return self._chosen_in(name, data, self.fields[name].queryset)

    def _chosen_in(self, name, data, queryset):
        pk = as_id(self._raw(data, name))
        return None if pk is None else queryset.filter(pk=pk).first()

    def _product_choices(self, data, product):
        """The matches of the search box (20 at most), plus the product already chosen."""
        # Unvalidated yet: a term with control characters (NUL) searches for nothing.
        term = str(self._raw(data, "product_query") or "").strip()
        if any(unicodedata.category(ch) in ("Cc", "Cs") for ch in term):
            term = ""
        matches = (
            selectors.product_search(term)
            if term
            else Product.objects.active().filter(group__active=True).order_by("position", "id")[:20]
        )
        chosen = Q(pk=product.pk) if product else Q(pk__in=[])
        return Product.objects.filter(chosen | Q(pk__in=[p.pk for p in matches])).order_by(
            "position", "id"
        )

    # -- validation ----------------------------------------------------------------------

    def clean_follows(self):
        """A follow-up of a closed case of this company, or nothing."""
        number = self.cleaned_data["follows"]
        if not number:
            return None
        case = None
        if as_case_number(number):
            case = Case.objects.filter(
                company=self.company, number=number, status__in=CLOSED_STATUSES
            ).first()
        if case is None:
            raise forms.ValidationError(_("This case cannot be followed up."), code="follows")
        return case

    def clean_subject(self):
        return check_text(self.cleaned_data["subject"], multiline=False)

    def clean_description(self):
        return check_text(self.cleaned_data["description"], multiline=True)

    def clean(self):
        cleaned = super().clean()
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
            if product and system and not product.operating_systems.filter(pk=system.pk).exists():
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
    files = MultipleFileField(label=_("Files"), max_length=255)
