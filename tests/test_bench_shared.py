"""`make bench`'s run with the shared parts of issue #15 (bench/shared.py), set beside the
embedded PostgreSQL run in docs/benchmarks.md (bench/report.py)."""

import argparse

import pytest

from bench import report, run, shared
from bench.report import DatabaseRun, Measured
from bench.web import BenchError
from bench.wrk import WrkResult
from hub.env import storage_from_url
from tests.helpers import needs_checkout

pytestmark = needs_checkout("bench/ is a tool of the checkout, not part of the package")


def loaded(key: str, rps: float, *, queries: int = 5, errors: int = 0) -> Measured:
    result = WrkResult(
        requests_per_second=rps, p50_ms=rps / 100, p99_ms=50.0, requests=int(rps), errors=errors
    )
    return Measured(key, key.replace("_", " "), 200, result, queries)


def a_run(label: str, bare: float, **pages: float) -> DatabaseRun:
    rows = [loaded(key, rps) for key, rps in ({"bare": bare} | pages | {"bare_end": bare}).items()]
    return DatabaseRun(label, rows)


def test_it_counts_what_the_shared_parts_add_per_request_in_bare_requests():
    embedded = a_run("PostgreSQL", 1000.0, download=500.0)  # 2 bare requests' time: 2 ms
    shared_run = a_run(report.SHARED_LABEL, 1000.0, download=250.0)  # 4: 4 ms
    assert report.added_ms(embedded, shared_run, "download") == pytest.approx(2.0)
    assert report.added_ms(shared_run, embedded, "download") == pytest.approx(-2.0)


def test_it_cancels_the_machine_being_slower_during_the_shared_run():
    embedded = a_run("PostgreSQL", 1000.0, bare_signed_in=400.0)
    # Everything at half speed, the page included: the parts added nothing.
    slower = a_run(report.SHARED_LABEL, 500.0, bare_signed_in=200.0)
    assert report.added_ms(embedded, slower, "bare_signed_in") == pytest.approx(0.0)
    # Against the bare view loaded just before it, as the ratios are.
    slower.row("bare_signed_in").bare_rps = 400.0
    assert report.added_ms(embedded, slower, "bare_signed_in") == pytest.approx(-0.5)


def test_it_adds_nothing_up_for_a_page_that_failed_or_was_not_measured_on_either_side():
    embedded = a_run("PostgreSQL", 1000.0, download=500.0, post=100.0)
    shared_run = a_run(report.SHARED_LABEL, 1000.0, post=90.0)
    shared_run.rows.append(loaded("download", 900.0, errors=12))  # fast 404s of missing files
    assert report.added_ms(embedded, shared_run, "download") is None
    assert report.added_ms(embedded, shared_run, "poll") is None
    assert report.added_ms(embedded, shared_run, "post") is not None


def test_it_shows_each_page_embedded_then_shared():
    embedded = a_run("PostgreSQL", 1000.0, bare_signed_in=400.0)
    shared_run = a_run(report.SHARED_LABEL, 1000.0, bare_signed_in=500.0)
    embedded.row("bare_signed_in").queries = 3
    shared_run.row("bare_signed_in").queries = 2  # the session read from Redis
    shared_run.rows.append(Measured("download", "download", 404, problem="answered 404"))
    lines = report.shared_table(embedded, shared_run).splitlines()
    assert lines[0] == "| Page | req/s | p50 ms | × bare | added ms per request | queries |"
    assert "| bare signed in | 400 → 500 | 4.0 → 5.0 | 0.40× → 0.50× | −0.50 | 3 → 2 |" in lines
    assert "| download | – → – | – → – | – → – | – | – → – |" in lines


def test_it_signs_the_difference_and_keeps_two_decimals_for_small_ones():
    assert report.signed_ms(0.123) == "+0.12"
    assert report.signed_ms(-0.5) == "−0.50"
    assert report.signed_ms(12.34) == "+12.3"
    assert report.signed_ms(-250.0) == "−250"


def document(runs: list[DatabaseRun]) -> str:
    return report.document(date="today", machine=[], commands=[], runs=runs, duration_s=3)


def test_it_writes_the_shared_run_beside_the_embedded_one():
    embedded = a_run("PostgreSQL", 1000.0, poll=600.0)
    shared_run = a_run(report.SHARED_LABEL, 1000.0, poll=500.0)
    shared_run.baseline = "PostgreSQL"
    shared_run.notes.append("Object store: 3 files copied in 0.1 s.")
    text = document([embedded, shared_run])
    heading = "## PostgreSQL, shared parts beside PostgreSQL (issue #15)"
    assert (
        text.index("## PostgreSQL\n")
        < text.index(heading)
        < text.index("## PostgreSQL, shared parts\n")
    )
    assert "| poll | 600 → 500 | 6.0 → 5.0 | 0.60× → 0.50× | +0.33 | 5 → 5 |" in text
    assert "- Object store: 3 files copied in 0.1 s." in text
    assert "| Goal | PostgreSQL | PostgreSQL, shared parts |" in text


def test_it_says_when_there_is_nothing_to_set_the_shared_run_beside():
    shared_run = a_run(report.SHARED_LABEL, 1000.0, poll=500.0)
    shared_run.baseline = "PostgreSQL"
    alone = document([shared_run])
    assert "Not compared: PostgreSQL was not measured in this run (see `--db`)." in alone
    skipped = DatabaseRun(report.SHARED_LABEL, skipped="no Redis answers at redis://…/5")
    skipped.baseline = "PostgreSQL"
    text = document([a_run("PostgreSQL", 1000.0), skipped])
    assert "beside PostgreSQL (issue #15)" not in text
    assert "## PostgreSQL, shared parts\n\nNot run: no Redis answers at redis://…/5" in text


def test_it_puts_the_broker_on_the_next_database_of_the_same_server():
    assert shared.next_database("redis://127.0.0.1:6379/5") == "redis://127.0.0.1:6379/6"
    assert (
        shared.next_database("redis://:pw@redis.example:6380") == "redis://:pw@redis.example:6380/1"
    )
    assert (
        shared.next_database("rediss://h/9?ssl_cert_reqs=none")
        == "rediss://h/10?ssl_cert_reqs=none"
    )
    with pytest.raises(BenchError, match="--broker-url"):
        shared.next_database("redis://h/cache")


def test_it_takes_redis_from_redis_url_bench_else_db_5_of_the_local_server():
    assert shared.redis_url({}) == "redis://127.0.0.1:6379/5"
    assert shared.redis_url({"REDIS_URL_BENCH": "redis://r:6379/3"}) == "redis://r:6379/3"


def test_it_switches_every_shared_part_on_with_a_storage_url_the_portal_accepts():
    env = shared.environment(
        {"VAR_DIR": "/v", "DATABASE_URL": "postgres://p/bench_hub"},
        cache_url="redis://r/5",
        broker_url="redis://r/6",
        endpoint="http://127.0.0.1:9123",
    )
    assert env["VAR_DIR"] == "/v" and env["DATABASE_URL"] == "postgres://p/bench_hub"
    assert env["REDIS_URL"] == "redis://r/5" and env["CELERY_BROKER_URL"] == "redis://r/6"
    assert env["AWS_ACCESS_KEY_ID"] and env["AWS_SECRET_ACCESS_KEY"]
    options = storage_from_url("STORAGE_URL", env["STORAGE_URL"])["OPTIONS"]
    assert options["bucket_name"] == shared.BUCKET
    assert options["endpoint_url"] == "http://127.0.0.1:9123"
    assert options["addressing_style"] == "path"


def test_it_runs_the_chosen_runs_in_their_order():
    assert run.runs_of("all") == ("sqlite", "postgres", "shared")
    assert run.runs_of("shared,postgres") == ("postgres", "shared")
    assert run.runs_of("both") == ("sqlite", "postgres")
    with pytest.raises(argparse.ArgumentTypeError, match="'redis' is not one of"):
        run.runs_of("postgres,redis")
    args = run.arguments(["--db", "shared", "--redis-url", "redis://r/2"])
    assert [d.label for d in run.databases(args)] == [report.SHARED_LABEL]
    assert run.databases(args)[0].shared and run.databases(args)[0].slug == "postgres"
    assert args.broker_url == "redis://r/3"
    assert [d.label for d in run.databases(run.arguments([]))] == [
        "SQLite",
        "PostgreSQL",
        report.SHARED_LABEL,
    ]
