import datetime as dt
import unicodedata
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.tokens import new_token
from catalog.models import ContractPlan, Service
from hub.one_time import OneTimeLink


class Company(models.Model):
    """A customer company: its contacts see each other's cases and nobody else's."""

    name = models.CharField(_("company name"), max_length=200)
    plan = models.ForeignKey(
        ContractPlan, on_delete=models.PROTECT, related_name="companies", verbose_name=_("plan")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # Made by trainer mode's `demo` command: the only companies a demo reset may remove.
    is_demo = models.BooleanField(_("demo company"), default=False, editable=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")

    def __str__(self):
        return self.name


class TileState(models.TextChoices):
    ACTIVE = "active", _("Active")
    USED_UP = "used_up", _("All sub-services used")
    WARNING = "warning", _("Expires soon")
    EXPIRED = "expired", _("Expired")
    UPCOMING = "upcoming", _("Not yet valid")


class SubscriptionQuerySet(models.QuerySet):
    def usable(self, today: dt.date):
        """Subscriptions a new case may be filed under today (the tile's Create is enabled)."""
        return self.filter(
            Q(sub_services_included__isnull=True)
            | Q(sub_services_used__lt=F("sub_services_included")),
            valid_from__lte=today,
            valid_to__gte=today,
            service__active=True,
            service__plans=F("company__plan"),
        )


class ServiceSubscription(models.Model):
    """A service a company has bought, for a period, with an optional number of sub-services."""

    WARNING_DAYS = 30

    company = models.ForeignKey(
        Company,
        on_delete=models.CASCADE,
        related_name="subscriptions",
        verbose_name=_("company"),
    )
    service = models.ForeignKey(
        Service, on_delete=models.PROTECT, related_name="subscriptions", verbose_name=_("service")
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"))
    sub_services_included = models.PositiveIntegerField(
        _("sub-services included"),
        null=True,
        blank=True,
        help_text=_("Leave empty when cases of this service are not counted."),
    )
    sub_services_used = models.PositiveIntegerField(_("sub-services used"), default=0)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["service__position", "valid_to", "id"]
        verbose_name = _("service subscription")
        verbose_name_plural = _("service subscriptions")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__gte=F("valid_from")),
                name="accounts_subscription_period",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=Q(sub_services_included__isnull=True)
                | Q(sub_services_used__lte=F("sub_services_included")),
                name="accounts_subscription_usage",
                violation_error_message=_("More sub-services are used than included."),
            ),
        ]

    def __str__(self):
        return f"{self.company} – {self.service}"

    def clean(self):
        super().clean()
        if (
            self.company_id
            and self.service_id
            and not self.company.plan.services.filter(pk=self.service_id).exists()
        ):
            raise ValidationError(
                {"service": _("This service is not part of the company's contract plan.")}
            )

    def state(self, today: dt.date | None = None) -> TileState:
        today = today or timezone.localdate()
        if today > self.valid_to:
            return TileState.EXPIRED
        if today < self.valid_from:
            return TileState.UPCOMING
        if (
            self.sub_services_included is not None
            and self.sub_services_used >= self.sub_services_included
        ):
            return TileState.USED_UP
        if (self.valid_to - today).days <= self.WARNING_DAYS:
            return TileState.WARNING
        return TileState.ACTIVE

    def allows_new_cases(self, today: dt.date | None = None) -> bool:
        return self.state(today) in (TileState.ACTIVE, TileState.WARNING)

    @property
    def sub_services_left(self) -> int | None:
        if self.sub_services_included is None:
            return None
        return max(self.sub_services_included - self.sub_services_used, 0)


# Callables, so that migrations do not change with the deployment's LANGUAGE_CODE/TIME_ZONE.
def default_language() -> str:
    return settings.LANGUAGE_CODE


def default_time_zone() -> str:
    return settings.TIME_ZONE


def canonical_email(raw: str | None) -> str:
    """The one spelling of an address used for storage, lookup and throttling alike.

    NFKC turns look-alikes into the letters they stand for (long ſ into s, the Kelvin sign into
    K, full-width letters into ASCII), then lower case. Lookups compare this form exactly, never
    with the database's case folding: PostgreSQL's UPPER maps dotless ı onto I, so an `iexact`
    lookup found an account under a spelling that the throttle counted as another.
    """
    return unicodedata.normalize("NFKC", raw or "").strip().lower()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email):
        return canonical_email(email)

    def get_by_natural_key(self, email):
        return self.get(email=canonical_email(email))

    def create_user(self, email, password=None, **fields):
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=self.normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **fields):
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who signs in with an email address: a customer contact or an operator."""

    email = models.EmailField(
        _("email address"),
        max_length=254,
        unique=True,
        error_messages={"unique": _("A user with this email address already exists.")},
    )
    full_name = models.CharField(_("name"), max_length=150)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    is_staff = models.BooleanField(
        _("operator"),
        default=False,
        help_text=_("Operators answer cases in the administration site."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
        verbose_name=_("company"),
    )
    notify_own_cases_only = models.BooleanField(
        _("Enable notification emails for my cases only"),
        default=False,
        help_text=_(
            "When off, you also receive notification emails for the cases your colleagues create."
        ),
    )
    terms_version = models.CharField(
        _("terms of use accepted (version)"), max_length=32, blank=True
    )
    terms_accepted_at = models.DateTimeField(_("terms of use accepted at"), null=True, blank=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    # Made by trainer mode's `demo` command (or registered from its invitations): the only
    # accounts whose mail and codes trainer pages may show, and the only ones a reset removes.
    is_demo = models.BooleanField(_("demo account"), default=False, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="accounts_user_email_unique_ci",
                violation_error_message=_("A user with this email address already exists."),
            ),
            models.CheckConstraint(
                condition=Q(is_staff=False) | Q(company__isnull=True),
                name="accounts_user_operator_without_company",
                violation_error_message=_("Operators do not belong to a customer company."),
            ),
        ]

    def __str__(self):
        return self.full_name or self.email

    def clean(self):
        super().clean()
        self.email = UserManager.normalize_email(self.email)
        if self.time_zone not in zoneinfo.available_timezones():
            raise ValidationError({"time_zone": _("Choose a time zone from the list.")})

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name


class OneTimeToken(OneTimeLink):
    """A secret link: 160 random bits, only its SHA-256 stored, expiring, redeemable once."""

    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        abstract = True

    def claim_guard(self) -> dict:
        return {"token_hash": self.token_hash}

    def renew(self, lifetime: dt.timedelta) -> str:
        """Give this row a fresh secret (the old link stops working); returns the raw token."""
        raw, self.token_hash = new_token()
        self.expires_at = timezone.now() + lifetime
        self.used_at = None
        return raw


class Invitation(OneTimeToken):
    """An operator's invitation for a customer contact to complete registration."""

    # The registration link, set on the instance by the service that sends it; never stored.
    link: str

    email = models.EmailField(_("email address"))
    full_name = models.CharField(_("name"), max_length=150)
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("company")
    )
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default=default_language
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    sent_at = models.DateTimeField(_("last sent"), null=True, blank=True)
    is_demo = models.BooleanField(_("demo invitation"), default=False, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
        verbose_name=_("account"),
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self):
        return f"{self.full_name} <{self.email}>"


class PasswordReset(OneTimeToken):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_resets"
    )

    class Meta:
        verbose_name = _("password reset")
        verbose_name_plural = _("password resets")

    def __str__(self):
        return f"{self.user} ({self.created_at:%Y-%m-%d %H:%M})"


class LoginThrottle(models.Model):
    """Failed sign-in attempts counted per key (an account or a client address)."""

    key = models.CharField(max_length=100, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started_at = models.DateTimeField(default=timezone.now)
    last_failure_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("sign-in throttle")
        verbose_name_plural = _("sign-in throttles")

    def __str__(self):
        return self.key
