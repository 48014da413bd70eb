"""Cases: what a customer files (the guide's seven fields) and how far it has come."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.models import Company, ServiceSubscription
from cases.queue import QueueRank
from cases.text import message_html, stored_html
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
from desk import clock
from desk.business_hours import Calendar

INSTANCE_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{2,63}$"


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    WAITING_FOR_ESET = "waiting_eset", _("Waiting for ESET")
    WAITING_FOR_CUSTOMER = "waiting_customer", _("Waiting for your input")
    RESOLVED = "resolved", _("Resolved")
    INVALID = "invalid", _("Invalid")


CLOSED_STATUSES = (CaseStatus.RESOLVED, CaseStatus.INVALID)


def initial_statuses_reached() -> list[str]:
    return [CaseStatus.NEW.value]


class CaseClosed(Exception):
    """A customer post on a case closed longer ago than the reopening window: the portal offers
    a follow-up case instead."""


# What a poll reads of a case: enough to compare it with the page and redraw its status, its
# bars and the follow-up offer (cases/_status.html), without a relation.
POLL_FIELDS = (
    "id",
    "number",
    "status",
    "statuses_reached",
    "closed_at",
    "service",
    "stage",
)


class CaseQuerySet(models.QuerySet):
    DETAIL_RELATIONS = (
        "company",
        "created_by",
        "service",
        "product",
        "product_version",
        "operating_system",
        "product_group",
        "main_content",
        "problem",
        "priority",
        "stage",
        "follows",
    )

    # What every tab of a case page shows above its own section (cases/case_detail.html): the
    # status, the stage bar (the service's stages) and the follow-up offer.
    PAGE_RELATIONS = ("service", "stage")

    def with_details(self):
        """Everything the Details tab shows, in one query. Thirteen tables cost PostgreSQL
        more to plan than to run (2-4 ms against 0.3 ms): for that tab only."""
        return self.select_related(*self.DETAIL_RELATIONS)

    def for_page(self):
        """What every tab of a case page shows above its own section, in one query of three
        tables. (Deferring the description would cost Django more than reading it.)"""
        return self.select_related(*self.PAGE_RELATIONS)

    def for_list(self):
        """What a row of the case list shows (cases/_case_list.html), in one query: of the
        service, the priority and the creator their names only."""
        return self.select_related("service", "priority", "created_by").only(
            "id",
            "number",
            "subject",
            "status",
            "created_at",
            "updated_at",
            "service__name_ja",
            "service__name_en",
            "priority__name_ja",
            "priority__name_en",
            "created_by__full_name",
        )

    def for_thread(self):
        """What a page of the Chatter thread needs of its case: its id, and its number for the
        links."""
        return self.only("id", "number")

    def for_poll(self, user):
        """What a Chatter poll compares with the page it polls for: the status and the stage
        (cases.progress.page_state), and the newest message `user` may read as
        `newest_message_id` (an internal note never counts for a customer); besides, what
        redraws the status-dependent parts of the page when they differ. One query, an index
        look-up into the thread."""
        newest = (
            Message.objects.visible_to(user)
            .filter(case=models.OuterRef("pk"))
            .order_by("-id")
            .values("id")[:1]
        )
        return self.only(*POLL_FIELDS).annotate(newest_message_id=models.Subquery(newest))

    def for_user(self, user):
        """The only way a view reaches cases: a customer sees their company's, nobody else's."""
        if not user.is_authenticated or user.company_id is None:
            return self.none()
        return self.filter(company_id=user.company_id)

    def open(self):
        return self.exclude(status__in=CLOSED_STATUSES)

    def closed(self):
        """Resolved or invalid: the cases a new case may follow up."""
        return self.filter(status__in=CLOSED_STATUSES)


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
    # Asked by the product layout only: the guide's product-group screen asks for neither.
    main_content = models.ForeignKey(
        MainContent,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("main content"),
    )
    problem = models.ForeignKey(
        Problem,
        on_delete=models.PROTECT,
        related_name="cases",
        null=True,
        blank=True,
        verbose_name=_("problem"),
    )
    priority = models.ForeignKey(
        Priority, on_delete=models.PROTECT, related_name="cases", verbose_name=_("priority")
    )
    description = models.TextField(_("description"))
    # `description` as the pages show it, made once by cases.text.message_html when filed.
    description_html = models.TextField(editable=False, default="")
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
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        related_name="cases_assigned",
        null=True,
        blank=True,
        limit_choices_to={"is_staff": True},
        verbose_name=_("assigned operator"),
    )
    follows = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        null=True,
        blank=True,
        verbose_name=_("follows case"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last updated"), auto_now=True)
    status_changed_at = models.DateTimeField(_("status changed"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Every status the case has been in, in the order first reached (move_to keeps it): the
    # status bar shows as done only a step that happened (cases.progress).
    statuses_reached = models.JSONField(default=initial_statuses_reached, editable=False)
    # The id of the form that created the case: a re-posted form finds its case, not a twin.
    submission_id = models.UUIDField(default=uuid.uuid4, editable=False)

    # The response clock (desk.clock): which response is awaited, its target and how many
    # business minutes of it have gone; running since when (None while paused or stopped),
    # and when it falls due if it runs on (None unless running). The queue sorts by due.
    response_kind = models.CharField(
        _("awaited response"),
        max_length=8,
        blank=True,
        choices=[("first", _("First response")), ("next", _("Next response"))],
    )
    response_target_minutes = models.PositiveIntegerField(
        _("response target (business minutes)"), null=True, blank=True
    )
    response_used_minutes = models.PositiveIntegerField(
        _("business minutes used"), default=0, editable=False
    )
    response_running_since = models.DateTimeField(
        _("clock running since"), null=True, blank=True, editable=False
    )
    response_due_at = models.DateTimeField(_("response due"), null=True, blank=True)
    first_response_at = models.DateTimeField(_("first response"), null=True, blank=True)
    last_customer_activity_at = models.DateTimeField(
        _("last customer activity"), null=True, blank=True
    )

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
            models.CheckConstraint(
                condition=Q(status__in=CaseStatus.values), name="cases_case_status_known"
            ),
            # move_to keeps this; the database refuses any other write that would break it.
            models.CheckConstraint(
                condition=Q(status__in=CLOSED_STATUSES, closed_at__isnull=False)
                | (~Q(status__in=CLOSED_STATUSES) & Q(closed_at__isnull=True)),
                name="cases_case_closed_at_iff_closed",
            ),
        ]
        indexes = [
            models.Index(fields=["company", "-updated_at"], name="cases_company_updated"),
            # The case list's filters and sorts (cases.filters): a page of a company's 10,000
            # cases read in order from an index instead of sorting them all. By priority, whose
            # rank is the catalogue's, each priority's cases in order (CasesByPriority).
            models.Index(
                fields=["company", "status", "-updated_at"], name="cases_company_status_upd"
            ),
            models.Index(fields=["company", "-created_at"], name="cases_company_created"),
            models.Index(fields=["company", "number"], name="cases_company_number"),
            models.Index(fields=["company", "subject"], name="cases_company_subject"),
            models.Index(
                fields=["company", "priority", "-updated_at", "-id", "status"],
                name="cases_company_priority_upd",
            ),
            # The operators' queue (the admin case list) read in order, a page at a time.
            models.Index(QueueRank(), "response_due_at", "id", name="cases_case_queue_due"),
        ]

    def __str__(self):
        return f"{self.number} {self.subject}"

    def save(self, *args, **kwargs):
        # A case's description is written once, when it is filed: its HTML is made then.
        if self._state.adding:
            self.description_html = message_html(self.description)
        super().save(*args, **kwargs)

    @property
    def description_as_html(self) -> SafeString:
        return stored_html(self.description_html, self.description)

    # -- numbering ---------------------------------------------------------------------------

    @staticmethod
    def number_for(pk: int) -> str:
        """The case number of the case with this id: eight digits from CASE_NUMBER_START on."""
        return f"{settings.CASE_NUMBER_START + pk:08d}"

    def assign_number(self) -> None:
        """Number a case just created. Its id is unique under any concurrency, so the number
        made from it is too."""
        self.number = self.number_for(self.pk)
        self.save(update_fields=["number"])

    # -- status ------------------------------------------------------------------------------

    # What move_to changes: for a caller that saves only these (save(update_fields=…)).
    STATUS_FIELDS = ("status", "status_changed_at", "closed_at", "statuses_reached")

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def move_to(self, status: str, *, now: dt.datetime | None = None) -> bool:
        """Change the status, stamping status_changed_at and adding it to statuses_reached;
        closing stamps closed_at, reopening clears it. Returns whether the status changed;
        the caller saves (STATUS_FIELDS)."""
        if status not in CaseStatus.values:
            raise ValueError(f"not a case status: {status!r}")
        if status == self.status:
            return False
        self.status = status
        self.status_changed_at = now or timezone.now()
        self.closed_at = self.status_changed_at if self.is_closed else None
        if status not in self.statuses_reached:
            self.statuses_reached = [*self.statuses_reached, str(status)]
        return True

    def move_for_public_post(self, *, by_operator: bool, now: dt.datetime | None = None) -> bool:
        """Move the case as a public post in its Chatter does: an operator's to Waiting for your
        input (a closed case stays closed), a customer's to Waiting for ESET, reopening a case
        closed within the reopening window. Raises CaseClosed for a customer's post after it.
        Internal notes move nothing and do not come here."""
        if by_operator:
            return not self.is_closed and self.move_to(CaseStatus.WAITING_FOR_CUSTOMER, now=now)
        if self.is_closed and not self.is_reopenable(now):
            raise CaseClosed
        return self.move_to(CaseStatus.WAITING_FOR_ESET, now=now)

    # -- reopening and follow-ups ------------------------------------------------------------

    @property
    def reopen_window_ends_at(self) -> dt.datetime | None:
        """Until when a customer post reopens this closed case; None while it is open."""
        if not self.is_closed or self.closed_at is None:
            return None
        return self.closed_at + dt.timedelta(days=settings.CASE_REOPEN_DAYS)

    def is_reopenable(self, now: dt.datetime | None = None) -> bool:
        """Whether a customer post would reopen this case now: closed less than
        CASE_REOPEN_DAYS ago. False for an open case (there is nothing to reopen)."""
        ends_at = self.reopen_window_ends_at
        return ends_at is not None and (now or timezone.now()) < ends_at

    def needs_follow_up(self, now: dt.datetime | None = None) -> bool:
        """Whether a customer who wants to go on must file a follow-up case: closed, and the
        reopening window is over. (Any closed case may be followed up; see CaseQuerySet.closed.)"""
        return self.is_closed and not self.is_reopenable(now)

    # -- response clock (desk.clock) ---------------------------------------------------------

    # What the clock methods change: for a caller that saves only these.
    CLOCK_FIELDS = (
        "response_kind",
        "response_target_minutes",
        "response_used_minutes",
        "response_running_since",
        "response_due_at",
        "first_response_at",
        "last_customer_activity_at",
    )

    @property
    def response_clock(self) -> clock.ClockState:
        return clock.ClockState(
            self.response_kind,
            self.response_target_minutes,
            self.response_used_minutes,
            self.response_running_since,
        )

    def _keep_clock(self, state: clock.ClockState, calendar: Calendar) -> None:
        self.response_kind = state.kind
        self.response_target_minutes = state.target_minutes
        self.response_used_minutes = state.used_minutes
        self.response_running_since = state.running_since
        self.response_due_at = clock.due_at(state, calendar)

    def clock_filed(self, *, first_target: int | None, calendar: Calendar, now: dt.datetime):
        """Filed: the first-response clock starts (when the case has a target)."""
        self.last_customer_activity_at = now
        if first_target:
            self._keep_clock(clock.start(clock.FIRST, first_target, now), calendar)

    def clock_answered(self, *, calendar: Calendar, now: dt.datetime) -> clock.Answer | None:
        """An operator's public reply: the awaited response has come (None if none was)."""
        if self.first_response_at is None:
            self.first_response_at = now
        state, answer = clock.answered(self.response_clock, calendar, now)
        self._keep_clock(state, calendar)
        return answer

    def clock_customer_posted(
        self, *, next_target: int | None, calendar: Calendar, now: dt.datetime
    ) -> None:
        """The customer's public post: a response is awaited again (a paused clock resumes)."""
        self.last_customer_activity_at = now
        state = clock.customer_posted(self.response_clock, calendar, now, next_target)
        self._keep_clock(state, calendar)

    def clock_recalculate(self, calendar: Calendar) -> None:
        """The due time anew, on a calendar or holidays an operator just changed."""
        self.response_due_at = clock.due_at(self.response_clock, calendar)

    def clock_follow_status(self, *, calendar: Calendar, now: dt.datetime) -> None:
        """After move_to: waiting for the customer pauses the clock, waiting for ESET resumes
        it, closing stops it (no response is then recorded)."""
        state = self.response_clock
        if self.is_closed:
            state = clock.stop(state)
        elif self.status == CaseStatus.WAITING_FOR_CUSTOMER:
            state = clock.pause(state, calendar, now)
        else:
            state = clock.resume(state, now)
        self._keep_clock(state, calendar)


class MessageQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Internal notes are for operators only."""
        if user.is_staff:
            return self
        return self.filter(is_internal=False)

    def thread(self, case, user):
        """A case's messages this user may read, with their authors."""
        return self.visible_to(user).filter(case=case).select_related("author")

    def create_post(self, *, case, author, body: str, post_id=None, internal: bool = False):
        """One post in the thread; only an operator's post can be an internal note. Moves no
        status and tells nobody: cases.services.message_post does that."""
        return self.create(
            case=case,
            author=author,
            by_operator=author.is_staff,
            is_internal=internal and author.is_staff,
            body=body,
            body_html=message_html(body),
            post_id=post_id or uuid.uuid4(),
        )


class Message(models.Model):
    """One post in a case's Chatter: by the customer side or by an operator."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="messages", verbose_name=_("case")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_messages",
        verbose_name=_("author"),
    )
    by_operator = models.BooleanField(_("by an operator"), default=False)
    is_internal = models.BooleanField(
        _("internal note"), default=False, help_text=_("Visible to operators only.")
    )
    body = models.TextField(_("message"))
    # `body` as the pages show it, made once by cases.text.message_html when it is posted.
    body_html = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(_("posted"), default=timezone.now)
    # The id of the form that posted it: a double submit finds its message, not a twin.
    post_id = models.UUIDField(default=uuid.uuid4, editable=False)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            models.UniqueConstraint(fields=["author", "post_id"], name="cases_message_one_per_post")
        ]
        indexes = [models.Index(fields=["case", "id"], name="cases_message_thread")]

    def __str__(self):
        return f"{self.case.number} #{self.pk}"

    @property
    def body_as_html(self) -> SafeString:
        return stored_html(self.body_html, self.body)


class PreviewState(models.TextChoices):
    """Where an attachment's preview is (cases/previews.py): screenshots get one made after
    the upload, texts are shown from the file itself, other kinds have none."""

    NONE = "none", _("no preview")
    PENDING = "pending", _("preparing")
    READY = "ready", _("ready")
    REFUSED = "refused", _("refused")


class PreviewRefusal(models.TextChoices):
    """Why a screenshot has no preview, as the person reads it in the list."""

    TOO_LARGE = "too_large", _("The image is too large to preview.")
    DAMAGED = "damaged", _("The image is damaged or incomplete, so it cannot be previewed.")
    TOO_SLOW = "too_slow", _("The image took too long to prepare, so it cannot be previewed.")
    FAILED = "failed", _("No preview could be made of this image.")


class AttachmentQuerySet(models.QuerySet):
    def for_user(self, user):
        if user.is_staff:
            return self
        return self.filter(case__in=Case.objects.for_user(user))


class Attachment(models.Model):
    """A file of a case, stored under a generated name outside any public URL."""

    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("case")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="case_attachments",
        verbose_name=_("uploaded by"),
    )
    by_operator = models.BooleanField(_("by an operator"), default=False)
    name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=100, unique=True, editable=False)
    size = models.BigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    kind = models.CharField(_("type"), max_length=40)
    created_at = models.DateTimeField(_("uploaded"), default=timezone.now)
    preview_state = models.CharField(
        _("preview"), max_length=10, choices=PreviewState, default=PreviewState.NONE
    )
    preview_refusal = models.CharField(
        _("why there is no preview"), max_length=20, choices=PreviewRefusal, blank=True
    )

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        constraints = [
            # A refusal always says why, and only a refusal does.
            models.CheckConstraint(
                condition=(Q(preview_state=PreviewState.REFUSED) & ~Q(preview_refusal=""))
                | (~Q(preview_state=PreviewState.REFUSED) & Q(preview_refusal="")),
                name="attachment_preview_refusal_with_reason",
            ),
        ]

    def __str__(self):
        return self.name
