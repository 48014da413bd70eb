"""`make bench` judges the goals of issue #14 and writes docs/benchmarks.md (bench/report.py)."""

import pytest

from bench import report
from bench.report import DatabaseRun, Measured
from bench.wrk import WrkResult
from tests.helpers import needs_checkout

pytestmark = needs_checkout("bench/ is a tool of the checkout, not part of the package")


def loaded(key: str, rps: float, *, errors: int = 0, queries: int = 5) -> Measured:
    result = WrkResult(
        requests_per_second=rps, p50_ms=12.345, p99_ms=150.0, requests=int(rps * 10), errors=errors
    )
    return Measured(key, key.replace("_", " "), 200, result, queries, f"wrk … /{key}")


def a_run(**rates: float) -> DatabaseRun:
    rates = {"bare": 1000.0, "bare_end": 1000.0} | rates
    return DatabaseRun("SQLite", [loaded(key, rps) for key, rps in rates.items()])


def test_it_divides_by_the_bare_view_loaded_just_before_the_page():
    run = a_run(bare=900.0, bare_end=1100.0, poll=600.0)
    run.row("poll").bare_rps = 800.0  # the machine was busier by then
    assert report.ratio(run, "poll") == 0.75


def test_it_divides_by_the_mean_of_the_bare_view_at_the_start_and_the_end_otherwise():
    run = a_run(bare=900.0, bare_end=1100.0, poll=600.0)
    assert report.ratio(run, "poll") == 0.6
    assert report.ratio(run, "bare") == 0.9


def test_it_compares_the_long_case_with_the_short_one_each_against_its_bare_view():
    run = a_run(long_chatter=160.0, short_chatter=200.0)
    assert report.ratio(run, "long_chatter", "short_chatter") == pytest.approx(0.8)
    run.row("long_chatter").bare_rps = 500.0  # twice as busy: 0.32× against 0.2×
    assert report.ratio(run, "long_chatter", "short_chatter") == pytest.approx(1.6)
    run.row("long_chatter").bare_rps = None
    assert report.pair_met(run, "long_chatter", "short_chatter", 0.8)
    assert not report.pair_met(run, "long_chatter", "short_chatter", 0.81)


def test_it_counts_a_page_with_failed_requests_as_not_met():
    run = a_run()
    run.rows.append(loaded("poll", 900.0, errors=3))
    assert report.ratio(run, "poll") == 0.9
    assert not report.pair_met(run, "poll", "bare", 0.5)


def test_it_writes_a_row_per_page_with_its_goal():
    run = a_run(poll=400.0, admin_list=12.5)
    text = report.table(run)
    lines = text.splitlines()
    assert lines[0] == (
        "| Page | HTTP | req/s | bare req/s | × bare | × signed-in bare | p50 ms | p99 ms "
        "| queries | goal | met? |"
    )
    assert (
        "| poll | 200 | 400 | 1,000 | 0.40× | – | 12.3 | 150 | 5 | ≥ 0.5× bare | **not met** |"
    ) in lines
    assert "| admin list | 200 | 12.5 | 1,000 | 0.013× | – | 12.3 | 150 | 5 |  |  |" in lines


def test_it_divides_a_signed_in_page_by_the_bare_view_with_the_same_session_too():
    run = a_run(bare_signed_in=200.0, bare_operator=100.0, poll=150.0, admin_case=20.0)
    run.row("bare_signed_in").user = run.row("poll").user = "customer"
    run.row("bare_operator").user = run.row("admin_case").user = "operator"
    assert report.signed_in_ratio(run, "poll") == pytest.approx(0.75)
    assert report.signed_in_ratio(run, "admin_case") == pytest.approx(0.2)
    assert report.signed_in_ratio(run, "bare_signed_in") is None  # not against itself
    assert report.signed_in_ratio(run, "bare") is None  # a visitor's page has no such ratio
    assert "| poll | 200 | 150 | 1,000 | 0.15× | 0.75× |" in report.table(run)
    # The goal stays judged against the visitor's bare view; the other ratio is shown beside it.
    assert "| 0.15×: **not met** (× signed-in bare: 0.75×) |" in report.goals_table([run])


def test_it_says_why_a_page_was_not_measured():
    run = a_run()
    run.rows.append(Measured("post", "share a post", 403, problem="answered 403, not measured"))
    text = report.table(run)
    assert "| share a post | 403 | – | – | – | – | – | – | – |  |  |" in text
    assert "- share a post: answered 403, not measured" in text


def test_it_sums_up_each_goal_by_its_worst_page_on_each_database():
    sqlite = a_run(long_details=300.0, long_chatter=100.0, long_attachments=200.0)
    postgres = DatabaseRun("PostgreSQL", skipped="no PostgreSQL server answers")
    text = report.goals_table([sqlite, postgres])
    assert text.splitlines()[0] == "| Goal | SQLite | PostgreSQL |"
    assert (
        "| Case page of the 1,000-message case (each tab) ≥ 0.15× bare "
        "| 0.10× (long_chatter): **not met** | not run |"
    ) in text
    assert "| Chatter polling with nothing new ≥ 0.5× bare | not measured | not run |" in text


def test_it_holds_every_classroom_step_to_one_second_at_p95():
    rows = [
        {"step": "registration", "requests": 20, "failures": 0, "p50_ms": 300, "p95_ms": 900},
        {"step": "password step", "requests": 20, "failures": 0, "p50_ms": 700, "p95_ms": 1200},
    ]
    assert not report.classroom_met(rows)
    assert report.classroom_met(rows[:1])
    assert not report.classroom_met([rows[0] | {"failures": 1}])
    text = report.classroom_table(rows)
    assert "| registration | 20 | 0 | 300 | 900 | – | p95 ≤ 1 s | met |" in text
    assert "| password step | 20 | 0 | 700 | 1,200 | – | p95 ≤ 1 s | **not met** |" in text


def test_it_writes_the_whole_document():
    run = a_run(poll=600.0)
    run.rows[-1].script = 'wrk.method = "POST"\n'
    run.classroom_note = "Not run (--no-classroom)."
    run.classroom_dev = [{"step": "03 registration", "requests": 20, "p95_ms": 1200.0}]
    text = report.document(
        date="2026-11-30 08:00 UTC",
        machine=[("CPUs (nproc)", "2"), ("PostgreSQL", "15.2")],
        commands=["make bench"],
        runs=[run, DatabaseRun("PostgreSQL", skipped="no PostgreSQL server answers at …")],
        duration_s=10,
    )
    assert text.startswith("# Benchmarks\n")
    assert "on 2026-11-30 08:00 UTC" in text
    assert "| CPUs (nproc) | 2 |" in text
    assert "```sh\nmake bench\n```" in text
    assert "## Goals (issue #14)" in text
    assert "| Chatter polling with nothing new ≥ 0.5× bare | 0.60×: met | not run |" in text
    assert "## SQLite\n\n| Page |" in text
    assert "Not run (--no-classroom)." in text
    # The class's own server (`make run`) is held to the same second as gunicorn.
    assert "| Classroom of trainees (gunicorn): every step ≤ 1 s at p95 | not run |" in text
    assert (
        "| Classroom of trainees (make run): every step ≤ 1 s at p95 "
        "| worst p95 1,200 ms: **not met** | not run |"
    ) in text
    assert "### SQLite: the classroom journey under `make run`'s server" in text
    assert "<summary>wrk commands (SQLite)</summary>" in text
    assert "wrk … /poll" in text
    assert 'poll, the `-s` script:\n\n```lua\nwrk.method = "POST"\n```' in text
    assert "## PostgreSQL\n\nNot run: no PostgreSQL server answers at …" in text
    assert text.endswith("\n") and not text.endswith("\n\n")
