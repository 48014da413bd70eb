"""The catalogue that drives the case form: plans, services, products, enquiry types, priorities.

It is data, never code: operators edit it in the admin and deployments load it from fixtures/.
Every entry has a stable `code` (its natural key in fixtures), a Japanese and an English label,
a position for ordering and an `active` flag: inactive entries vanish from new forms but stay
readable on old cases, which is why nothing an old case uses can be deleted.
"""

from django.core.validators import MaxValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from catalog.cache import forget

CODE_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"
VERSION_PATTERN = r"^[0-9]+(\.[0-9]+){0,3}$"
code_validator = RegexValidator(
    CODE_PATTERN, _("Use lower-case letters, digits and single hyphens, e.g. eset-mdr.")
)
version_validator = RegexValidator(VERSION_PATTERN, _("Use digits and dots, e.g. 11.1."))


def code_format_constraint(label):
    return models.CheckConstraint(
        condition=Q(code__regex=CODE_PATTERN),
        name=f"catalog_{label}_code_format",
        violation_error_message=code_validator.message,
    )


class CatalogQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)

    def update(self, **kwargs) -> int:
        # Sends no signal (the admin's activate and deactivate actions use it): tell the
        # process's copy of the catalogue as saving does (catalog/cache.py).
        count = super().update(**kwargs)
        forget()
        return count


# Named at module level so that mypy's Django plugin can see the generated class.
CatalogManager = models.Manager.from_queryset(CatalogQuerySet)


class CodeManager(CatalogManager):
    def get_by_natural_key(self, code):
        return self.get(code=code)


class Entry(models.Model):
    """Fields every catalogue entry shares."""

    name_ja = models.CharField(_("name (Japanese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive entries are not offered on new cases.")
    )

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self):
        return self.name

    @property
    def name(self) -> str:
        """The label in the language of the current request."""
        if (get_language() or "").startswith("ja"):
            return self.name_ja or self.name_en
        return self.name_en or self.name_ja

    @classmethod
    def entry_constraints(cls, label):
        return [
            models.CheckConstraint(
                condition=~Q(name_ja="") & ~Q(name_en=""),
                name=f"catalog_{label}_names_present",
                violation_error_message=_("Both the Japanese and the English name are required."),
            ),
        ]


class CodedEntry(Entry):
    """An entry known by a unique code of its own."""

    code = models.CharField(_("code"), max_length=64, unique=True, validators=[code_validator])

    objects = CodeManager()

    class Meta(Entry.Meta):
        abstract = True

    def natural_key(self):
        return (self.code,)

    @classmethod
    def entry_constraints(cls, label):
        return [*super().entry_constraints(label), code_format_constraint(label)]


class ServiceKind(models.TextChoices):
    INCIDENT = "incident", _("Incident enquiry")
    SUPPORT = "support", _("Security or product question")
    PROFESSIONAL = "professional", _("Professional service")


class FormLayout(models.TextChoices):
    PRODUCT = "product", _("Product, version and OS")
    PRODUCT_GROUP = "product_group", _("Product group and a list of products")


class Service(CodedEntry):
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    asks_instance_ids = models.BooleanField(
        _("asks for instance IDs"),
        default=False,
        help_text=_("The case form asks for the ESET PROTECT and ESET Inspect instance IDs."),
    )
    form_layout = models.CharField(
        _("form layout"), max_length=16, choices=FormLayout.choices, default=FormLayout.PRODUCT
    )

    class Meta(CodedEntry.Meta):
        verbose_name = _("service")
        verbose_name_plural = _("services")
        constraints = CodedEntry.entry_constraints("service")


class ContractPlan(CodedEntry):
    services = models.ManyToManyField(
        Service, related_name="plans", blank=True, verbose_name=_("services")
    )

    class Meta(CodedEntry.Meta):
        verbose_name = _("contract plan")
        verbose_name_plural = _("contract plans")
        constraints = CodedEntry.entry_constraints("contractplan")


class StageManager(CatalogManager):
    def get_by_natural_key(self, service_code, code):
        return self.get(service__code=service_code, code=code)


class Stage(Entry):
    """A step of a service delivered in stages (HealthCheck, Deployment and Upgrade, …)."""

    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="stages", verbose_name=_("service")
    )
    code = models.CharField(_("code"), max_length=64, validators=[code_validator])

    objects = StageManager()

    class Meta(Entry.Meta):
        verbose_name = _("stage")
        verbose_name_plural = _("stages")
        constraints = [
            *Entry.entry_constraints("stage"),
            code_format_constraint("stage"),
            models.UniqueConstraint(
                fields=["service", "code"],
                name="catalog_stage_unique_code",
                violation_error_message=_("This service already has a stage with this code."),
            ),
        ]

    def natural_key(self):
        return (self.service.code, self.code)

    # Django's serializers read this attribute of the method; mypy cannot declare one.
    natural_key.dependencies = ["catalog.service"]  # type: ignore[attr-defined]


class ProductGroup(CodedEntry):
    class Meta(CodedEntry.Meta):
        verbose_name = _("product group")
        verbose_name_plural = _("product groups")
        constraints = CodedEntry.entry_constraints("productgroup")


class OperatingSystem(CodedEntry):
    class Meta(CodedEntry.Meta):
        verbose_name = _("operating system")
        verbose_name_plural = _("operating systems")
        constraints = CodedEntry.entry_constraints("operatingsystem")


class Product(CodedEntry):
    group = models.ForeignKey(
        ProductGroup,
        on_delete=models.PROTECT,
        related_name="products",
        verbose_name=_("product group"),
    )
    operating_systems = models.ManyToManyField(
        OperatingSystem, related_name="products", blank=True, verbose_name=_("operating systems")
    )
    # Both names are usually the English one: this is how a Japanese customer who types in
    # katakana finds the product (catalog/search.py).
    reading_ja = models.CharField(
        _("Japanese reading"),
        max_length=300,
        blank=True,
        help_text=_(
            "The name as it is read, in katakana, for the product search, "
            "e.g. イーセット エンドポイント セキュリティ."
        ),
    )

    class Meta(CodedEntry.Meta):
        verbose_name = _("product")
        verbose_name_plural = _("products")
        constraints = CodedEntry.entry_constraints("product")


class ProductVersionManager(CatalogManager):
    def get_by_natural_key(self, product_code, version):
        return self.get(product__code=product_code, version=version)


class ProductVersion(models.Model):
    product = models.ForeignKey(
        Product, on_delete=models.CASCADE, related_name="versions", verbose_name=_("product")
    )
    version = models.CharField(_("version"), max_length=32, validators=[version_validator])
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = ProductVersionManager()

    class Meta:
        ordering = ["product", "position", "id"]
        verbose_name = _("product version")
        verbose_name_plural = _("product versions")
        constraints = [
            models.UniqueConstraint(
                fields=["product", "version"],
                name="catalog_productversion_unique",
                violation_error_message=_("This product already has this version."),
            ),
            models.CheckConstraint(
                condition=Q(version__regex=VERSION_PATTERN),
                name="catalog_productversion_format",
                violation_error_message=version_validator.message,
            ),
        ]

    def __str__(self):
        return self.version

    def natural_key(self):
        return (self.product.code, self.version)

    # Django's serializers read this attribute of the method; mypy cannot declare one.
    natural_key.dependencies = ["catalog.product"]  # type: ignore[attr-defined]


class MainContent(CodedEntry):
    """An enquiry type (「主な内容」), e.g. Malware."""

    class Meta(CodedEntry.Meta):
        verbose_name = _("main content")
        verbose_name_plural = _("main contents")
        constraints = CodedEntry.entry_constraints("maincontent")


class ProblemManager(CatalogManager):
    def get_by_natural_key(self, main_content_code, code):
        return self.get(main_content__code=main_content_code, code=code)


class Problem(Entry):
    main_content = models.ForeignKey(
        MainContent,
        on_delete=models.CASCADE,
        related_name="problems",
        verbose_name=_("main content"),
    )
    code = models.CharField(_("code"), max_length=64, validators=[code_validator])

    objects = ProblemManager()

    class Meta(Entry.Meta):
        verbose_name = _("problem")
        verbose_name_plural = _("problems")
        constraints = [
            *Entry.entry_constraints("problem"),
            code_format_constraint("problem"),
            models.UniqueConstraint(
                fields=["main_content", "code"],
                name="catalog_problem_unique_code",
                violation_error_message=_(
                    "This main content already has a problem with this code."
                ),
            ),
        ]

    def natural_key(self):
        return (self.main_content.code, self.code)

    # Django's serializers read this attribute of the method; mypy cannot declare one.
    natural_key.dependencies = ["catalog.maincontent"]  # type: ignore[attr-defined]


class Priority(CodedEntry):
    is_default = models.BooleanField(_("default"), default=False)

    class Meta(CodedEntry.Meta):
        verbose_name = _("priority")
        verbose_name_plural = _("priorities")
        constraints = [
            *CodedEntry.entry_constraints("priority"),
            models.UniqueConstraint(
                fields=["is_default"],
                condition=Q(is_default=True),
                name="catalog_priority_one_default",
                violation_error_message=_("Only one priority can be the default."),
            ),
        ]


class ResponseTargetManager(models.Manager):
    def get_by_natural_key(self, service_code, priority_code):
        return self.get(service__code=service_code, priority__code=priority_code)


class ResponseTarget(models.Model):
    """How soon a response is due, in business minutes (the support calendar's hours), per
    service and priority: the first one after filing, the next ones after each customer post
    (placeholder values)."""

    service = models.ForeignKey(
        Service,
        on_delete=models.CASCADE,
        related_name="response_targets",
        verbose_name=_("service"),
    )
    priority = models.ForeignKey(
        Priority,
        on_delete=models.CASCADE,
        related_name="response_targets",
        verbose_name=_("priority"),
    )
    # About 200 working days of the default calendar: further than any target means, and
    # even on a calendar open one minute a week reached long before the year 9999 (a bigger
    # target would fail every case filed with it: desk.business_hours walks past date.max).
    MAX_MINUTES = 100_000

    minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"),
        validators=[MaxValueValidator(MAX_MINUTES)],
    )
    next_minutes = models.PositiveIntegerField(
        _("next response within (business minutes)"),
        validators=[MaxValueValidator(MAX_MINUTES)],
    )

    objects = ResponseTargetManager()

    class Meta:
        ordering = ["service__position", "priority__position"]
        verbose_name = _("response target")
        verbose_name_plural = _("response targets")
        constraints = [
            models.UniqueConstraint(
                fields=["service", "priority"],
                name="catalog_responsetarget_unique",
                violation_error_message=_("This service already has a target for this priority."),
            ),
            models.CheckConstraint(
                condition=Q(minutes__gt=0),
                name="catalog_responsetarget_positive",
                violation_error_message=_("A response target must be at least one minute."),
            ),
            models.CheckConstraint(
                condition=Q(next_minutes__gt=0),
                name="catalog_responsetarget_next_positive",
                violation_error_message=_("A response target must be at least one minute."),
            ),
        ]

    def __str__(self):
        return f"{self.service} / {self.priority}: {self.minutes} / {self.next_minutes}"

    def natural_key(self):
        return (self.service.code, self.priority.code)

    # Django's serializers read this attribute of the method; mypy cannot declare one.
    natural_key.dependencies = ["catalog.service", "catalog.priority"]  # type: ignore[attr-defined]
