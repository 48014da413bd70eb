"""Benchmark data (`manage.py generate_data`): what is generated, and how it goes again.

Generated rows are marked so that a reset removes them and nothing else: companies by a name
prefix, accounts by their domain under the reserved .example top-level domain. The rows are
built by cases.generated_build.
"""

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, models

from accounts.models import Company, ServiceSubscription, User
from cases.models import Attachment, Case, Message
from desk.models import CaseViewer, ResponseRecord
from hub.models import OutboundEmail

GENERATED_PREFIX = "[generated] "
GENERATED_DOMAIN = "generated.example"
BENCH_CUSTOMER = f"bench.customer@{GENERATED_DOMAIN}"
BENCH_OPERATOR = f"bench.operator@{GENERATED_DOMAIN}"
BENCH_NAMES = {BENCH_CUSTOMER: "ベンチ 顧客", BENCH_OPERATOR: "ESET ベンチ オペレーター"}
OPERATORS = 10
SHORT_CASE_MESSAGES = 5


class CatalogueIncomplete(Exception):
    """The catalogue lacks what a case needs (run load_catalogue)."""


@dataclass(frozen=True)
class Sizes:
    companies: int = 1000
    cases: int = 100_000
    big_company_cases: int = 10_000
    long_case_messages: int = 1000
    long_case_attachments: int = 100
    users_per_company: int = 3
    messages_per_case: float = 2.5
    attachments_per_case: float = 0.2

    def problems(self) -> list[str]:
        """What makes these sizes impossible, as lines for the person who asked for them."""
        found = []
        if self.companies < 1:
            found.append("--companies must be at least 1 (the big company)")
        if self.big_company_cases < 2:
            found.append("--big-company-cases must be at least 2 (the long and the short case)")
        if self.cases < self.big_company_cases:
            found.append("--cases must be at least --big-company-cases")
        if self.companies == 1 and self.cases != self.big_company_cases:
            found.append("with one company every case is the big company's")
        if self.users_per_company < 1:
            found.append("--users-per-company must be at least 1")
        if min(self.long_case_messages, self.long_case_attachments) < 0:
            found.append("the long case's sizes cannot be negative")
        if not 0 <= self.messages_per_case <= 50 or not 0 <= self.attachments_per_case <= 10:
            found.append("--messages-per-case is 0-50 and --attachments-per-case 0-10")
        return found


def generated_companies() -> models.QuerySet[Company]:
    return Company.objects.filter(name__startswith=GENERATED_PREFIX)


def generated_users() -> models.QuerySet[User]:
    return User.objects.filter(email__endswith=f"@{GENERATED_DOMAIN}")


def exists() -> bool:
    return generated_companies().exists() or generated_users().exists()


def totp_key(seed: int, role: str) -> str:
    """The bench account's authenticator key (hex, as TOTPDevice.key), derived from the seed so
    the bench harness can compute codes without reading the database."""
    return hashlib.sha256(f"services-hub generate_data {seed} {role}".encode()).hexdigest()[:40]


def clear() -> list[str]:
    """Remove every generated row; returns the stored names of its files, for `generate` to
    remove once the transaction commits (a new run with the same seed writes the same names).

    Raises ProtectedError when a real account wrote in a generated case or a generated account
    in a real one: nothing is removed then (the caller's transaction rolls back)."""
    company_ids = list(generated_companies().values_list("pk", flat=True))
    cases = Case.objects.filter(company__in=company_ids)
    attachments = Attachment.objects.filter(case__in=cases)
    stored = list(attachments.values_list("stored_name", flat=True))
    # Children first, each in one statement, then the cases in one more: Django's collector
    # would load all 100,000 cases to look for what cascades from them (twice the time).
    attachments.delete()
    Message.objects.filter(case__in=cases).delete()
    Case.products.through.objects.filter(case__in=cases).delete()
    ResponseRecord.objects.filter(case__in=cases).delete()
    CaseViewer.objects.filter(case__in=cases).delete()
    Case.objects.filter(follows__in=cases).update(follows=None)
    cases._raw_delete(cases.db)
    emails = list(generated_users().values_list("email", flat=True))
    OutboundEmail.objects.filter(to__in=emails).delete()
    generated_users().delete()  # devices go with them
    Company.objects.filter(pk__in=company_ids).delete()
    return stored


def analyze() -> None:
    """After the commit, on PostgreSQL: VACUUM ANALYZE the tables just filled, so that the
    planner knows their sizes and the bench measures pages, not an autovacuum that happens to
    start in the middle of it. (VACUUM cannot run in a transaction; inside one, nothing.)"""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return
    filled: list[type[models.Model]] = [Company, ServiceSubscription, User, Case, Message]
    filled += [Case.products.through, Attachment]
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in filled)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {tables}")


@contextmanager
def lap(timings: dict[str, float], name: str) -> Iterator[None]:
    """Record in `timings` how long the block took, for the command's summary line."""
    started = time.perf_counter()
    yield
    timings[name] = time.perf_counter() - started
