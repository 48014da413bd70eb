import datetime as dt
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import ProtectedError

from accounts.models import User
from cases import generated, generated_build
from catalog.models import Service

DEFAULT_PASSWORD = "Bench-Passw0rd!"  # noqa: S105 - generated benchmark accounts only


def base_time(value: str) -> dt.datetime:
    """--now: an ISO date or date and time; without a zone it is UTC."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError as error:
        raise CommandError(f"--now {value!r} is not an ISO date or date and time") from error
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


@contextmanager
def sqlite_cache(kib: int) -> Iterator[None]:
    """A larger SQLite page cache for the run: with the default 2 MB a transaction this size
    spills pages to the journal again and again (64 MB: 41 s instead of 51 s for the default
    size here). Only this connection's memory; restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


class Command(BaseCommand):
    help = (
        "Fill the database with seeded, deterministic benchmark data: companies, users, cases, "
        "threads and files, a big company with the bench customer, a long and a short case. "
        "Refuses when generated data exists unless --reset (which removes it first, and only it)."
    )

    def add_arguments(self, parser):
        sizes = generated.Sizes()
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--now",
            type=base_time,
            default=None,
            help="the moment the history ends (ISO; default: today 00:00 UTC); same seed and "
            "same --now give the same rows",
        )
        for name, kind in [
            ("companies", int),
            ("cases", int),
            ("big_company_cases", int),
            ("long_case_messages", int),
            ("long_case_attachments", int),
            ("users_per_company", int),
            ("messages_per_case", float),
            ("attachments_per_case", float),
        ]:
            default = getattr(sizes, name)
            parser.add_argument(
                "--" + name.replace("_", "-"), type=kind, default=default, help=f"({default})"
            )
        parser.add_argument("--password", default=DEFAULT_PASSWORD, help="of every account")
        parser.add_argument("--handles", type=Path, help="write the bench harness's JSON here")
        parser.add_argument(
            "--reset", action="store_true", help="remove generated data first (only it)"
        )

    def handle(self, *args, seed, now, password, handles, reset, **options):
        if not (settings.DEBUG or settings.BENCH_VIEWS):
            # Its operators are superusers whose password is in the source and whose
            # authenticator key follows from the seed: never on a real portal's database.
            raise CommandError(
                "generate_data makes superusers with a known password and authenticator key: "
                "it runs only for a development (DEBUG=1) or benchmark (BENCH_VIEWS=1) server's "
                "database."
            )
        started = time.perf_counter()
        sizes = generated.Sizes(**{k: options[k] for k in generated.Sizes.__dataclass_fields__})
        if problems := sizes.problems():
            raise CommandError("; ".join(problems))
        self.check_password(password)
        if now is None:
            now = dt.datetime.combine(dt.date.today(), dt.time(), tzinfo=dt.UTC)
        if not Service.objects.exists():
            call_command("load_catalogue", verbosity=0)
        timings: dict[str, float] = {}
        try:
            with sqlite_cache(64 * 1024), transaction.atomic():
                stale = self.clear(reset, timings)
                result = generated_build.generate(
                    seed=seed, now=now, sizes=sizes, password=password, replacing=stale
                )
                timings |= result.pop("timings")
                commit_started = time.perf_counter()
            # PostgreSQL checks the foreign keys of every row here (they are deferred).
            timings["commit"] = time.perf_counter() - commit_started
        except ProtectedError as error:
            raise CommandError(
                "Not reset: generated and real data are mixed (a real account wrote in a "
                f"generated case, or the other way round); nothing was changed. {error}"
            ) from error
        except generated.CatalogueIncomplete as error:
            raise CommandError(str(error)) from error
        with generated.lap(timings, "analyze"):
            generated.analyze()
        if handles:
            handles.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
        totals = result["totals"]
        spent = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        self.stdout.write(
            f"Generated {totals['companies']} companies, {totals['users']} users, "
            f"{totals['cases']} cases, {totals['messages']} messages, "
            f"{totals['attachments']} attachments (seed {seed}) in "
            f"{time.perf_counter() - started:.1f} s ({spent})."
        )

    def clear(self, reset: bool, timings: dict[str, float]) -> list[str]:
        """Remove the generated data when asked to, refuse to add to it otherwise."""
        if reset:
            with generated.lap(timings, "reset"):
                return generated.clear()
        if generated.exists():
            raise CommandError(
                "Generated data is already in this database: run again with --reset to replace it."
            )
        return []

    def check_password(self, password: str) -> None:
        for email, name in generated.BENCH_NAMES.items():
            try:
                validate_password(password, User(email=email, full_name=name))
            except ValidationError as error:
                raise CommandError("--password: " + " ".join(error.messages)) from error
