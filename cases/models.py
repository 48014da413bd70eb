"""Cases: what a customer files (the guide's seven fields) and how far it has come."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import Company, ServiceSubscription
from catalog.models import (
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    Service,
    Stage,
)

INSTANCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$"


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    WAITING_FOR_ESET = "waiting_eset", _("Waiting for ESET")
    WAITING_FOR_CUSTOMER = "waiting_customer", _("Waiting for your input")
    RESOLVED = "resolved", _("Resolved")
    INVALID = "invalid", _("Invalid")


CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.INVALID)


class CaseQuerySet(models.QuerySet):
    def for_user(self, user):
        """The only way a view reaches cases: a customer sees their company's, nobody else's."""
        if not user.is_authenticated or user.company_id is None:
            return self.none()
        return self.filter(company_id=user.company_id)


class Case(models.Model):
    # NULL only inside the transaction that creates the case, until its id gives the number.
    number = models.CharField(_("case number"), max_length=8, unique=True, null=True)  # noqa: DJ001
    company = models.ForeignKey(
        Company, on_delete=models.PROTECT, related_name="cases", verbose_name=_("company")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="cases_created",
        verbose_name=_("contact"),
    )
    subscription = models.ForeignKey(
        ServiceSubscription,
        on_delete=models.PROTECT,
        related_name="cases",
        verbose_name=_("subscription"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="cases", verbose_name=_("service")
    )
    subject = models.CharField(_("subject"), max_length=255)
    eset_protect_instance_id = models.CharField(
        _("ESET PROTECT instance ID"), max_length=64, blank=True
    )
    eset_inspect_instance_id = models.CharField(
        _("ESET Inspect instance ID"), max_length=64, blank=True
    )
    product = models.ForeignKey(
        Product,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("product"),
    )
    product_version = models.ForeignKey(
        ProductVersion,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("product version"),
    )
    operating_system = models.ForeignKey(
        OperatingSystem,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("OS"),
    )
    product_group = models.ForeignKey(
        ProductGroup,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("product group"),
    )
    products = models.ManyToManyField(
        Product, related_name="+", blank=True, verbose_name=_("selected products")
    )
    main_content = models.ForeignKey(
        MainContent, on_delete=models.PROTECT, related_name="cases", verbose_name=_("main content")
    )
    problem = models.ForeignKey(
        Problem, on_delete=models.PROTECT, related_name="cases", verbose_name=_("problem")
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="cases", verbose_name=_("priority")
    )
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW
    )
    stage = models.ForeignKey(
        Stage,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("stage"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The id of the form that created the case: a re-posted form finds its case, not a twin.
    submission_id = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "submission_id"], name="cases_case_one_per_submission"
            ),
            models.CheckConstraint(
                condition=Q(number__regex=r"^[0-9]{8}$") | Q(number__isnull=True),
                name="cases_case_number_format",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-updated_at"], name="cases_company_updated"),
            models.Index(fields=["company", "status"], name="cases_company_status"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES
