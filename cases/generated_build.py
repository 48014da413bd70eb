"""Building benchmark data (`manage.py generate_data`): companies, users, cases, threads and
files at the size the Speed goals are measured at, with bulk inserts in the caller's transaction.

Seeded and deterministic: the same seed, sizes and base time (`now`) give the same rows (ids
and case numbers aside, which the database hands out).
"""

import datetime as dt
import hashlib
import random
import uuid
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, LPad
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Company, ServiceSubscription, User
from cases import generated_text as text
from cases import uploads
from cases.generated import (
    BENCH_CUSTOMER,
    BENCH_NAMES,
    BENCH_OPERATOR,
    GENERATED_DOMAIN,
    GENERATED_PREFIX,
    OPERATORS,
    SHORT_CASE_MESSAGES,
    CatalogueIncomplete,
    Sizes,
    lap,
    totp_key,
)
from cases.generated_catalogue import Catalogue
from cases.models import Attachment, Case, CaseStatus, Message
from cases.text import message_html
from catalog.models import FormLayout, Product, ResponseTarget, ServiceKind
from desk.calendars import support_calendar
from desk.clock_history import replay
from desk.models import ResponseRecord
from desk.services import response_record

BIG_COMPANY_PLAN = "mdr-ultimate"  # the plan with the most services: the fullest case form
HISTORY = dt.timedelta(days=730)  # cases were filed over the last two years
BATCH = 1000  # rows per INSERT (SQLite's variable limit lowers it further by itself)
CHUNK = 2000  # cases built, inserted and threaded at a time, so memory stays flat

# Status by age: most old cases are closed, recent ones are spread over the open statuses.
OLD_STATUSES = {
    CaseStatus.RESOLVED: 85,
    CaseStatus.INVALID: 5,
    CaseStatus.WAITING_FOR_CUSTOMER: 5,
    CaseStatus.WAITING_FOR_ESET: 4,
    CaseStatus.NEW: 1,
}
RECENT_STATUSES = {
    CaseStatus.NEW: 20,
    CaseStatus.WAITING_FOR_ESET: 30,
    CaseStatus.WAITING_FOR_CUSTOMER: 25,
    CaseStatus.RESOLVED: 22,
    CaseStatus.INVALID: 3,
}
KIND_WEIGHTS = {"text": 7, "pdf": 2, "png": 1}


def generate(
    *, seed: int, now: dt.datetime, sizes: Sizes, password: str, replacing: Sequence[str] = ()
) -> dict[str, Any]:
    """Make the data; returns the handles the bench harness reads, and `timings`. The caller
    holds the transaction. Files of `replacing` (cleared rows) go once it commits; files this
    run wrote go at once if it fails."""
    generator = _Generator(seed=seed, now=now, sizes=sizes, password=password)
    try:
        handles = generator.run()
    except BaseException:
        uploads.remove(set(generator.stored) - set(replacing))
        raise
    stale = set(replacing) - set(generator.stored)
    transaction.on_commit(lambda: uploads.remove(stale))
    return handles


@dataclass
class _Thread:
    """What a case gets once its row has an id: its posts, files and selected products."""

    case: Case
    messages: int
    attachments: int
    products: list[Product] = field(default_factory=list)


@contextmanager
def _stamped_as_given(*fields: models.DateTimeField) -> Iterator[None]:
    """bulk_create stamps auto_now / auto_now_add fields with the current time; generated rows
    carry the times of their own history (and the same ones in every run)."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _date_field(model: type[models.Model], name: str) -> models.DateTimeField:
    return cast(models.DateTimeField, model._meta.get_field(name))


def _reserved_ids(model: type[models.Model], count: int) -> list[int]:
    """Ids for `count` new rows, taken from the table's sequence on PostgreSQL so that a case
    is inserted with its number (numbering 100,000 cases afterwards cost 15-20 s there, and
    left as many dead rows behind). Elsewhere none: the rows get theirs on insert."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [model._meta.db_table, model._meta.pk.column, count],
        )
        return [pk for (pk,) in cursor.fetchall()]


def _insert(model: type[models.Model], rows: Sequence[models.Model], *key: str) -> None:
    """bulk_create, then make sure every row knows its id: a database that cannot return ids
    from a bulk insert (SQLite before 3.35) leaves them empty, so they are read back by `key`,
    fields unique among the rows."""
    model._default_manager.bulk_create(rows, batch_size=BATCH)
    missing = {tuple(getattr(row, name) for name in key): row for row in rows if row.pk is None}
    firsts = sorted({values[0] for values in missing})
    for start in range(0, len(firsts), 500):
        lookup = {f"{key[0]}__in": firsts[start : start + 500]}
        for *values, pk in model._default_manager.filter(**lookup).values_list(*key, "pk"):
            if row := missing.get(tuple(values)):
                row.pk = pk


class _Generator:
    def __init__(self, *, seed: int, now: dt.datetime, sizes: Sizes, password: str):
        self.seed = seed
        # Reproducible, not secret: the same seed must give the same rows.
        self.rng = random.Random(seed)  # noqa: S311
        self.now = now
        self.sizes = sizes
        self.password = password
        # One hash for every account: hashing thousands would take minutes.
        self.password_hash = make_password(password)
        self.catalogue = Catalogue.load()
        # Read once: each case's clock is replayed from its thread (desk.clock_history).
        self.calendar = support_calendar()
        self.targets = {
            (service, priority): (first, following)
            for service, priority, first, following in ResponseTarget.objects.values_list(
                "service_id", "priority_id", "minutes", "next_minutes"
            )
        }
        self.counts: Counter[str] = Counter()
        self.timings: dict[str, float] = {}
        self.stored: list[str] = []  # files written so far, removed if the transaction fails
        self.html: dict[str, str] = {}  # text -> its HTML (see rendered)
        self.members: dict[int, list[User]] = {}  # company id -> its users, contact first
        self.subscriptions: dict[int, list[ServiceSubscription]] = {}
        self.special: dict[str, Case] = {}
        self.operators: list[User] = []

    def uuid(self) -> uuid.UUID:
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    def run(self) -> dict[str, Any]:
        if problems := self.catalogue.problems():
            raise CatalogueIncomplete("; ".join(problems))
        company_at, case_at = _date_field(Company, "created_at"), _date_field(Case, "created_at")
        with _stamped_as_given(company_at, case_at, _date_field(Case, "updated_at")):
            with lap(self.timings, "accounts"):
                companies = self.companies()
                self.subscribe(companies)
                self.people(companies)
            with lap(self.timings, "cases"):
                self.cases(companies)
            with lap(self.timings, "numbers"):
                self.number(companies)
        long, short = self.special["long"], self.special["short"]
        return {
            "seed": self.seed,
            "customer": self.account(BENCH_CUSTOMER, "customer"),
            "operator": self.account(BENCH_OPERATOR, "operator"),
            "long_case": {
                "number": Case.number_for(long.pk),
                "pk": long.pk,
                "messages": self.sizes.long_case_messages,
                "attachments": self.sizes.long_case_attachments,
            },
            "short_case": {
                "number": Case.number_for(short.pk),
                "pk": short.pk,
                "messages": SHORT_CASE_MESSAGES,
            },
            "big_company": {"pk": companies[0].pk, "cases": self.sizes.big_company_cases},
            "totals": {
                name: self.counts[name]
                for name in ("companies", "users", "cases", "messages", "attachments")
            },
            "timings": self.timings,
        }

    def account(self, email: str, role: str) -> dict[str, str]:
        return {"email": email, "password": self.password, "totp_key": totp_key(self.seed, role)}

    # -- accounts ----------------------------------------------------------------------------

    def companies(self) -> list[Company]:
        """The big company first (the bench customer's, on the fullest plan), then the rest."""
        rng = self.rng
        plans = self.catalogue.plans
        big_plan = next((p for p, _ in plans if p.code == BIG_COMPANY_PLAN), plans[0][0])
        rows = [
            Company(
                name=f"{GENERATED_PREFIX}0000 ベンチ商事株式会社",
                plan=big_plan,
                created_at=self.now - HISTORY - dt.timedelta(days=400),
            )
        ]
        for index in range(1, self.sizes.companies):
            rows.append(
                Company(
                    name=f"{GENERATED_PREFIX}{index:04d} {text.company_name(rng)}",
                    plan=rng.choice(plans)[0],
                    created_at=self.now - HISTORY - dt.timedelta(days=rng.randint(1, 900)),
                )
            )
        _insert(Company, rows, "name")
        self.counts["companies"] = len(rows)
        return rows

    def subscribe(self, companies: list[Company]) -> None:
        """A subscription or two per company (the big one has every service of its plan, with
        no count, so the bench can always file a case), valid over the cases' history."""
        rng, today = self.rng, self.now.date()
        offered = {plan.pk: services for plan, services in self.catalogue.plans}
        rows = []
        for index, company in enumerate(companies):
            services = offered[company.plan_id]
            if index == 0:
                chosen = services
            else:
                chosen = rng.sample(services, min(len(services), rng.choice((1, 1, 2))))
            for service in chosen:
                included = used = None
                if index and service.kind == ServiceKind.PROFESSIONAL:
                    included = rng.randint(2, 20)
                    used = rng.randint(0, included)
                row = ServiceSubscription(
                    company=company,
                    service=service,
                    valid_from=today - HISTORY - dt.timedelta(days=rng.randint(1, 365)),
                    valid_to=today + dt.timedelta(days=rng.randint(-60, 700) if index else 365),
                    sub_services_included=included,
                    sub_services_used=used or 0,
                )
                rows.append(row)
                self.subscriptions.setdefault(company.pk, []).append(row)
        _insert(ServiceSubscription, rows, "company_id", "service_id")

    def people(self, companies: list[Company]) -> None:
        """A few contacts per company (the big one's first is the bench customer) and a team of
        operators (the first is the bench operator), all with the one password hash."""
        rng = self.rng
        rows = []
        for index, company in enumerate(companies):
            for n in range(self.sizes.users_per_company):
                language = "ja" if rng.random() < 0.8 else "en"
                bench = index == 0 and n == 0
                rows.append(
                    self.user(
                        email=BENCH_CUSTOMER if bench else f"c{index:04d}.u{n}@{GENERATED_DOMAIN}",
                        full_name=BENCH_NAMES[BENCH_CUSTOMER]
                        if bench
                        else text.person_name(rng, language),
                        language="ja" if bench else language,
                        company=company,
                        terms_version=settings.TERMS_VERSION,
                        terms_accepted_at=company.created_at + dt.timedelta(days=n + 1),
                    )
                )
        for n in range(OPERATORS):
            rows.append(
                self.user(
                    email=BENCH_OPERATOR if n == 0 else f"operator{n:02d}@{GENERATED_DOMAIN}",
                    full_name=BENCH_NAMES[BENCH_OPERATOR] if n == 0 else f"ESET Operator {n:02d}",
                    language="ja",
                    # Operators work in the admin with every permission, as the demo's and the
                    # tests' operators do.
                    is_staff=True,
                    is_superuser=True,
                )
            )
        _insert(User, rows, "email")
        self.counts["users"] = len(rows)
        for user in rows:
            if user.company_id is not None:
                self.members.setdefault(user.company_id, []).append(user)
        self.operators = rows[-OPERATORS:]
        for role, user in (("customer", rows[0]), ("operator", self.operators[0])):
            TOTPDevice.objects.create(
                user=user, name="authenticator-app", confirmed=True, key=totp_key(self.seed, role)
            )

    def user(self, **fields: Any) -> User:
        joined = fields.get("terms_accepted_at") or self.now - HISTORY - dt.timedelta(days=30)
        return User(
            password=self.password_hash, time_zone="Asia/Tokyo", date_joined=joined, **fields
        )

    # -- cases -------------------------------------------------------------------------------

    def cases(self, companies: list[Company]) -> None:
        """Every case in the order it was filed (so numbers grow with time), in chunks."""
        rng, sizes = self.rng, self.sizes
        span = int(HISTORY.total_seconds())
        plan: list[tuple[int, int, str]] = []  # (seconds before now, company index, role)
        others = sizes.cases - sizes.big_company_cases
        if others:
            # A few companies file most cases, as in any support desk.
            weights = [rng.paretovariate(1.2) for _ in companies[1:]]
            picks = rng.choices(range(1, len(companies)), weights=weights, k=others)
            plan += [(rng.randrange(span), index, "") for index in picks]
        plan += [(rng.randrange(span), 0, "") for _ in range(sizes.big_company_cases - 2)]
        plan += [(60 * 86400, 0, "long"), (2 * 86400, 0, "short")]
        plan.sort(key=lambda entry: -entry[0])
        for start in range(0, len(plan), CHUNK):
            threads = [
                self.case(companies[index], self.now - dt.timedelta(seconds=ago), role)
                for ago, index, role in plan[start : start + CHUNK]
            ]
            rows = [thread.case for thread in threads]
            for case, pk in zip(rows, _reserved_ids(Case, len(rows)), strict=False):
                case.pk, case.number = pk, Case.number_for(pk)
            # Threads before the rows go in: the posts set each case's response clock.
            contents = self.contents(threads)
            _insert(Case, rows, "submission_id")
            self.threads(contents)
        self.counts["cases"] = len(plan)

    def case(self, company: Company, created_at: dt.datetime, role: str) -> _Thread:
        rng, catalogue = self.rng, self.catalogue
        subscription = rng.choice(self.subscriptions[company.pk])
        service = subscription.service
        members = self.members[company.pk]
        creator = members[0] if role or rng.random() < 0.6 else rng.choice(members)
        main_content, problems = rng.choice(catalogue.topics)
        if role == "long":
            status = CaseStatus.WAITING_FOR_ESET
        elif role == "short":
            status = CaseStatus.WAITING_FOR_CUSTOMER
        else:
            weights = RECENT_STATUSES if self.now - created_at < dt.timedelta(30) else OLD_STATUSES
            status = rng.choices(list(weights), weights=list(weights.values()))[0]
        closed = status in (CaseStatus.RESOLVED, CaseStatus.INVALID)
        if role:
            end = self.now - dt.timedelta(minutes=10)
        else:
            active = min(self.now - created_at, dt.timedelta(days=30))
            end = created_at + active * rng.uniform(0.05, 1.0)
        end = end.replace(microsecond=0)
        stages = catalogue.stages.get(service.pk)
        description = text.description(rng)
        asks_ids = service.asks_instance_ids
        # Ids rather than objects: setting a relation costs more than the rest of the row.
        case = Case(
            company_id=company.pk,
            created_by_id=creator.pk,
            subscription_id=subscription.pk,
            service_id=service.pk,
            subject=text.subject(rng),
            eset_protect_instance_id=f"protect-{rng.getrandbits(48):012x}" if asks_ids else "",
            eset_inspect_instance_id=f"inspect-{rng.getrandbits(48):012x}" if asks_ids else "",
            main_content_id=main_content.pk,
            problem_id=rng.choice(problems).pk,
            priority_id=rng.choices(catalogue.priorities, weights=catalogue.priority_weights)[0].pk,
            description=description,
            description_html=self.rendered(description),
            status=status,
            stage_id=rng.choice(stages).pk if stages and rng.random() < 0.7 else None,
            assigned_to_id=rng.choice(self.operators).pk
            if status != CaseStatus.NEW and rng.random() < 0.6
            else None,
            created_at=created_at,
            updated_at=end,
            status_changed_at=created_at if status == CaseStatus.NEW else end,
            closed_at=end if closed else None,
            submission_id=self.uuid(),
        )
        thread = _Thread(case=case, messages=0, attachments=0)
        if service.form_layout == FormLayout.PRODUCT_GROUP:
            # As the form files it: no main content or problem (drawn above all the same, so
            # that a seed gives the other cases what it gave them before).
            case.main_content_id = case.problem_id = None
            group, members_of_group = rng.choice(catalogue.groups)
            case.product_group_id = group.pk
            thread.products = rng.sample(members_of_group, min(len(members_of_group), 3))
        else:
            product, versions, systems = rng.choice(catalogue.products)
            case.product_id = product.pk
            case.product_version_id = rng.choice(versions).pk
            case.operating_system_id = rng.choice(systems).pk
        if role == "long":
            thread.messages = self.sizes.long_case_messages
            thread.attachments = self.sizes.long_case_attachments
        elif role == "short":
            thread.messages = SHORT_CASE_MESSAGES
        elif status != CaseStatus.NEW:  # a post moves a new case on
            thread.messages = self._count(self.sizes.messages_per_case, cap=60)
            thread.attachments = self._count(self.sizes.attachments_per_case, cap=10)
        if role:
            self.special[role] = case
        return thread

    def rendered(self, source: str) -> str:
        """The HTML the portal stores beside a text (bulk_create does not make it). Texts
        repeat, so each is rendered once."""
        if source not in self.html:
            self.html[source] = message_html(source)
        return self.html[source]

    def _count(self, mean: float, *, cap: int) -> int:
        """A geometric count with this mean: most cases have a few, some have many."""
        keep_going = mean / (1 + mean)
        count = 0
        while count < cap and self.rng.random() < keep_going:
            count += 1
        return count

    def contents(self, threads: list[_Thread]) -> list[tuple[_Thread, list, list, list]]:
        """Each thread's posts and files, drawn in the order a seed always drew them, and the
        response clock its posts ran: set on the case row before it is inserted."""
        made = []
        for thread in threads:
            posts = self.posts(thread)
            files = self.files(thread)
            made.append((thread, posts, files, self.clock(thread.case, posts)))
        return made

    def threads(self, made: list[tuple[_Thread, list, list, list]]) -> None:
        messages: list[Message] = []
        attachments: list[Attachment] = []
        chosen, records = [], []
        for thread, posts, files, answers in made:
            case = thread.case
            # Inserted now: the case has its id (SQLite gives it on insert, not before).
            for row in (*posts, *files):
                row.case_id = case.pk
            messages += posts
            attachments += files
            chosen += [
                Case.products.through(case_id=case.pk, product_id=product.pk)
                for product in thread.products
            ]
            records += [
                response_record(case=case, answer=answer, responded_at=at, responder_id=author)
                for answer, at, author in answers
            ]
        Message.objects.bulk_create(messages, batch_size=BATCH)
        Attachment.objects.bulk_create(attachments, batch_size=BATCH)
        Case.products.through.objects.bulk_create(chosen, batch_size=BATCH)
        ResponseRecord.objects.bulk_create(records, batch_size=BATCH)
        self.counts["messages"] += len(messages)
        self.counts["attachments"] += len(attachments)

    def clock(self, case: Case, posts: list[Message]) -> list[tuple[Any, dt.datetime, int]]:
        """Set the case's response clock as its public posts moved it; returns the responses
        it awaited (answer, when, by whom), for the report. Old open cases come out overdue,
        recent ones due soon or later, those waiting for the customer paused or answered."""
        public = [post for post in posts if not post.is_internal]
        replayed = replay(
            calendar=self.calendar,
            targets=self.targets.get((case.service_id, case.priority_id)),
            filed_at=case.created_at,
            posts=[(post.created_at, post.by_operator) for post in public],
            status=case.status,
            status_changed_at=case.status_changed_at,
        )
        for name, value in replayed.fields().items():
            setattr(case, name, value)
        return [(answer, at, public[index].author_id) for answer, at, index in replayed.answers]

    def moments(self, case: Case, count: int) -> list[dt.datetime]:
        """`count` times in the case's life, in order, to the second."""
        span = int((case.updated_at - case.created_at).total_seconds())
        return [
            case.created_at + dt.timedelta(seconds=s)
            for s in sorted(self.rng.randint(60, max(span, 60)) for _ in range(count))
        ]

    def author(self, case: Case, by_operator: bool) -> int:
        """The id of a post's or file's author: the assigned operator (or any), the contact
        who filed the case (or a colleague)."""
        if by_operator:
            return case.assigned_to_id or self.rng.choice(self.operators).pk
        if self.rng.random() < 0.8:
            return case.created_by_id
        return self.rng.choice(self.members[case.company_id]).pk

    def posts(self, thread: _Thread) -> list[Message]:
        """Mostly turn by turn, starting with the customer; the last public post is the side
        the status waits on (a customer's post makes it Waiting for ESET, an operator's
        Waiting for your input)."""
        rng, case = self.rng, thread.case
        sides = []
        by_operator = False
        for _ in range(thread.messages):
            sides.append(by_operator)
            by_operator = not by_operator if rng.random() < 0.75 else by_operator
        if sides and case.status == CaseStatus.WAITING_FOR_ESET:
            sides[-1] = False
        elif sides and case.status == CaseStatus.WAITING_FOR_CUSTOMER:
            sides[-1] = True
        rows = []
        for index, (side, at) in enumerate(zip(sides, self.moments(case, len(sides)), strict=True)):
            internal = side and index < len(sides) - 1 and rng.random() < 0.05
            body = text.message_body(rng, by_operator=side, internal=internal)
            rows.append(
                Message(
                    case_id=case.pk,
                    author_id=self.author(case, side),
                    by_operator=side,
                    is_internal=internal,
                    body=body,
                    body_html=self.rendered(body),
                    created_at=at,
                    post_id=self.uuid(),
                )
            )
        return rows

    def files(self, thread: _Thread) -> list[Attachment]:
        """Tiny files of the allowed kinds, written to the storage uploads.store writes to (the
        download view reads them back), under names drawn from the seed."""
        rng, case = self.rng, thread.case
        rows = []
        for at in self.moments(case, thread.attachments):
            kind = rng.choices(list(KIND_WEIGHTS), weights=list(KIND_WEIGHTS.values()))[0]
            stored_name = self.uuid().hex
            content = text.attachment_content(rng, kind, stored_name[:8])
            self.write(stored_name, content)
            by_operator = rng.random() < 0.3
            rows.append(
                Attachment(
                    case_id=case.pk,
                    uploaded_by_id=self.author(case, by_operator),
                    by_operator=by_operator,
                    name=rng.choice(text.ATTACHMENT_NAMES[kind]),
                    stored_name=stored_name,
                    size=len(content),
                    sha256=hashlib.sha256(content).hexdigest(),
                    kind=kind,
                    created_at=at,
                )
            )
        return rows

    def write(self, stored_name: str, content: bytes) -> None:
        self.stored.append(stored_name)
        uploads.write(stored_name, content)

    def number(self, companies: list[Company]) -> None:
        """Case numbers come from ids (Case.number_for). Where ids could not be reserved they
        are known only after the insert: one UPDATE numbers those cases."""
        number = LPad(
            Cast(F("pk") + Value(settings.CASE_NUMBER_START), output_field=CharField()),
            8,
            Value("0"),
        )
        Case.objects.filter(company__in=[c.pk for c in companies], number__isnull=True).update(
            number=number
        )
