"""The goals of issue #14 and the tables of docs/benchmarks.md: pure functions of the results."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bench.wrk import WrkResult

BARE = "bare"
# The bare view is loaded first and last, in full, beside the short loads before each page.
BARE_RUNS = ("bare", "bare_end")
CLASSROOM_P95_MS = 1000.0
# The bare view loaded with a signed-in session: what the session, user and second-factor
# layers cost every signed-in page before its view runs. A second ratio, beside the goals'.
SIGNED_IN_BARE = {"customer": "bare_signed_in", "operator": "bare_operator"}
# The run of issue #15's shared parts (bench/shared.py), set beside the embedded PostgreSQL run.
SHARED_LABEL = "PostgreSQL, shared parts"


@dataclass
class Measured:
    """One page on one database: wrk's numbers and the in-process query count."""

    key: str
    name: str
    status: int | None = None
    result: WrkResult | None = None
    queries: int | None = None
    command: str = ""
    script: str = ""  # wrk's Lua script, for a POST
    problem: str = ""
    user: str = "anonymous"  # bench/pages.py: whose session the load sends
    # The bare view's requests/s in a short load just before this page's: the machine's speed
    # drifts during a run (a shared machine's most), and a ratio of neighbours cancels it.
    bare_rps: float | None = None


@dataclass
class DatabaseRun:
    label: str
    rows: list[Measured] = field(default_factory=list)
    # One row per step of the classroom journey (bench/classroom.py's run()), or a note why not.
    classroom: list[dict[str, Any]] = field(default_factory=list)
    classroom_note: str = ""
    # The same journey against `make run`'s server (runserver), which a trainer's class uses.
    classroom_dev: list[dict[str, Any]] = field(default_factory=list)
    classroom_dev_note: str = ""
    skipped: str = ""
    notes: list[str] = field(default_factory=list)
    # The label of the run this one is set beside, page by page (the shared run: "PostgreSQL").
    baseline: str = ""

    def row(self, key: str) -> Measured | None:
        return next((row for row in self.rows if row.key == key), None)


@dataclass(frozen=True)
class Goal:
    """At least `ratio` × the requests/s of the reference, for each (page, reference) pair."""

    label: str
    ratio: float
    pairs: tuple[tuple[str, str], ...]


def _tabs(size: str) -> tuple[str, ...]:
    return tuple(f"{size}_{tab}" for tab in ("details", "chatter", "attachments"))


GOALS = (
    Goal(
        "Case page of the 1,000-message case (each tab) ≥ 0.15× bare",
        0.15,
        tuple((page, BARE) for page in _tabs("long")),
    ),
    Goal(
        "Case list of the 10,000-case company ≥ 0.15× bare",
        0.15,
        (("list", BARE), ("list_filtered", BARE)),
    ),
    Goal("Admin case page of the 1,000-message case ≥ 0.10× bare", 0.10, (("admin_case", BARE),)),
    Goal(
        "1,000-message case within 0.8× of the 5-message case (each tab)",
        0.8,
        tuple(zip(_tabs("long"), _tabs("short"), strict=True)),
    ),
    Goal("Chatter polling with nothing new ≥ 0.5× bare", 0.5, (("poll", BARE),)),
)


def bare_mean(run: DatabaseRun) -> float | None:
    """The bare view's requests/s: the mean of its runs at the start and at the end."""
    measured = [
        row.result.requests_per_second for k in BARE_RUNS if (row := run.row(k)) and row.result
    ]
    return sum(measured) / len(measured) if measured else None


def ratio(run: DatabaseRun, key: str, reference: str = BARE) -> float | None:
    """A page's requests/s as a share of the bare view's loaded just before it (else of the
    bare view's mean); against another page, the quotient of both pages' shares."""
    page = run.row(key)
    if page is None or page.result is None:
        return None
    if reference != BARE:
        mine, theirs = ratio(run, key), ratio(run, reference)
        return mine / theirs if mine is not None and theirs else None
    base = page.bare_rps or bare_mean(run)
    return page.result.requests_per_second / base if base else None


def signed_in_ratio(run: DatabaseRun, key: str) -> float | None:
    """A signed-in page's requests/s as a share of the bare view's with the same session."""
    page = run.row(key)
    reference = SIGNED_IN_BARE.get(page.user) if page is not None else None
    if reference is None or reference == key:
        return None
    return ratio(run, key, reference)


def added_ms(baseline: DatabaseRun, run: DatabaseRun, key: str) -> float | None:
    """What `run` adds to one request of page `key` over `baseline` (negative: saves), in ms of
    the machine's time at the baseline's bare speed. Each run's page is counted in bare-view
    requests (1 / × bare), which cancels the machine's drift between the runs; the difference
    is turned into ms by the baseline's bare view (1,000 / its req/s). None unless both runs
    measured the page without failed requests."""
    if not (_clean(baseline, key) and _clean(run, key)):
        return None
    mine, theirs, bare = ratio(run, key), ratio(baseline, key), bare_mean(baseline)
    if not mine or not theirs or not bare:
        return None
    return (1 / mine - 1 / theirs) * 1000 / bare


def _clean(run: DatabaseRun, key: str) -> bool:
    row = run.row(key)
    return row is not None and row.result is not None and not row.result.errors


def pair_met(run: DatabaseRun, key: str, reference: str, wanted: float) -> bool:
    """Met when measured, without failed requests, at or above the ratio."""
    value = ratio(run, key, reference)
    page = run.row(key)
    failed = page is None or page.result is None or page.result.errors > 0 or bool(page.problem)
    # Rounded: a quotient of quotients is a hair off the ratio it equals.
    return value is not None and not failed and round(value, 6) >= wanted


def goals_of(key: str) -> list[tuple[Goal, str]]:
    return [(goal, ref) for goal in GOALS for page, ref in goal.pairs if page == key]


def goal_met(run: DatabaseRun, goal: Goal) -> bool:
    return all(pair_met(run, page, ref, goal.ratio) for page, ref in goal.pairs)


def classroom_met(rows: Sequence[dict[str, Any]]) -> bool:
    return bool(rows) and all(_step_met(row) for row in rows)


def _step_met(row: dict[str, Any]) -> bool:
    return float(row.get("p95_ms", 1e12)) <= CLASSROOM_P95_MS and not int(row.get("failures", 0))


# -- formatting --------------------------------------------------------------------------------


def rate(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:,.1f}"


def times(value: float) -> str:
    return f"{value:.3f}×" if value < 0.1 else f"{value:.2f}×"


def ms(value: float) -> str:
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def signed_ms(value: float) -> str:
    sign = "−" if value < 0 else "+"
    size = abs(value)
    return sign + (f"{size:.2f}" if size < 10 else ms(size))


def yes_no(met: bool) -> str:
    return "met" if met else "**not met**"


def _reference_name(reference: str) -> str:
    return "bare" if reference == BARE else "5-msg"


def table(run: DatabaseRun) -> str:
    """The markdown table of one database: every page, as a ratio to the bare view."""
    lines = [
        "| Page | HTTP | req/s | bare req/s | × bare | × signed-in bare | p50 ms | p99 ms "
        "| queries | goal | met? |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in run.rows:
        goals = goals_of(row.key)
        cells = [row.name, str(row.status or "–")]
        if row.result is None:
            cells += ["–", "–", "–", "–", "–", "–"]
        else:
            value = ratio(run, row.key)
            signed_in = signed_in_ratio(run, row.key)
            base = row.bare_rps or bare_mean(run)
            cells += [
                rate(row.result.requests_per_second),
                rate(base) if base else "–",
                times(value) if value is not None else "–",
                times(signed_in) if signed_in is not None else "–",
                ms(row.result.p50_ms),
                ms(row.result.p99_ms),
            ]
        cells.append("–" if row.queries is None else str(row.queries))
        cells.append(", ".join(f"≥ {g.ratio:g}× {_reference_name(ref)}" for g, ref in goals))
        met = [pair_met(run, row.key, ref, g.ratio) for g, ref in goals]
        cells.append(yes_no(all(met)) if met else "")
        lines.append("| " + " | ".join(cells) + " |")
    problems = [f"- {row.name}: {row.problem}" for row in run.rows if row.problem]
    problems += [
        f"- {row.name}: {row.result.errors} of {row.result.requests} requests failed"
        for row in run.rows
        if row.result is not None and row.result.errors
    ]
    return "\n".join(lines + (["", *problems] if problems else []))


def shared_table(baseline: DatabaseRun, run: DatabaseRun) -> str:
    """Each page of `run` beside the same page of `baseline`: `baseline → run` in each cell."""
    lines = [
        "| Page | req/s | p50 ms | × bare | added ms per request | queries |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in run.rows:
        before = baseline.row(row.key)
        added = added_ms(baseline, run, row.key)
        cells = [
            row.name,
            _side_by_side(before, row, lambda m: rate(m.result.requests_per_second)),
            _side_by_side(before, row, lambda m: ms(m.result.p50_ms)),
            " → ".join(_ratio_cell(r, row.key) for r in (baseline, run)),
            "–" if added is None else signed_ms(added),
            " → ".join(
                "–" if m is None or m.queries is None else str(m.queries) for m in (before, row)
            ),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _side_by_side(before: Measured | None, after: Measured, shown: Any) -> str:
    return " → ".join(
        "–" if m is None or m.result is None else str(shown(m)) for m in (before, after)
    )


def _ratio_cell(run: DatabaseRun, key: str) -> str:
    value = ratio(run, key)
    return "–" if value is None else times(value)


def classroom_table(rows: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| Step | requests | failures | p50 ms | p95 ms | max ms | goal | met? |",
        "|---|---:|---:|---:|---:|---:|---|---|",
    ]
    for row in rows:
        cells = [str(row.get("step", "?"))]
        cells += [str(row.get("requests", "–")), str(row.get("failures", "–"))]
        cells += [ms(float(row[k])) if k in row else "–" for k in ("p50_ms", "p95_ms", "max_ms")]
        cells += ["p95 ≤ 1 s", yes_no(_step_met(row))]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _goal_cell(run: DatabaseRun, goal: Goal) -> str:
    if run.skipped:
        return "not run"
    measured = [
        (page, ratio(run, page, ref), pair_met(run, page, ref, goal.ratio))
        for page, ref in goal.pairs
    ]
    if any(value is None for _page, value, _met in measured):
        return "not measured"
    worst_page, worst, _met = min(measured, key=lambda item: item[1] or 0.0)
    where = f" ({worst_page})" if len(measured) > 1 else ""
    cell = f"{times(worst or 0.0)}{where}: {yes_no(goal_met(run, goal))}"
    signed_in = [signed_in_ratio(run, page) for page, ref in goal.pairs if ref == BARE]
    if signed_in and None not in signed_in:
        cell += f" (× signed-in bare: {times(min(v for v in signed_in if v is not None))})"
    return cell


def goals_table(runs: Sequence[DatabaseRun]) -> str:
    """One line per goal of the issue, the worst page's ratio on each database."""
    lines = [
        "| Goal | " + " | ".join(run.label for run in runs) + " |",
        "|---|" + "---|" * len(runs),
    ]
    for goal in GOALS:
        lines.append(
            f"| {goal.label} | " + " | ".join(_goal_cell(run, goal) for run in runs) + " |"
        )
    for server, journey in (("gunicorn", "classroom"), ("make run", "classroom_dev")):
        cells = [_classroom_cell([] if run.skipped else getattr(run, journey)) for run in runs]
        lines.append(
            f"| Classroom of trainees ({server}): every step ≤ 1 s at p95 | "
            + " | ".join(cells)
            + " |"
        )
    return "\n".join(lines)


def _classroom_cell(rows: Sequence[dict[str, Any]]) -> str:
    if not rows:
        return "not run"
    worst = max(float(row.get("p95_ms", 0)) for row in rows)
    return f"worst p95 {ms(worst)} ms: {yes_no(classroom_met(rows))}"


SHARED_TEXT = (
    "The same pages, data and wrk loads on the same PostgreSQL database, with the parts that "
    "several servers share switched on: Redis for the cache (kept markup, the catalogue's "
    "version) and the sessions (`cached_db`: read from Redis, written to both), the "
    "attachments on an S3 bucket (moto's server) and the notification mail handed to a Celery "
    "worker through Redis rather than to a thread of the web worker. Each cell is `embedded → "
    "shared`. `added ms per request` is what the shared parts add to one request of the page "
    "(negative: what they save), in the machine's time: each run's page counted in the "
    "bare-view requests it takes (1 / × bare, which cancels the machine's drift between the "
    "runs), the difference in ms at the embedded run's bare speed (1,000 / its bare req/s; "
    "with both workers busy, about half a request's CPU time on these 2 cores). Redis, moto "
    "and the worker run on the same cores as gunicorn, so their CPU is part of the cost. The "
    "attachment download is the access check, the file opened (a file on the disk; a GetObject "
    "over HTTP from the bucket) and its few bytes streamed back: the object store's cost per "
    "download. moto is a Python server on the same cores, so the store's own work is counted "
    "here, which a real store does elsewhere, while a network's round trip to it is not; large "
    "files stream in flat memory either way (tests/test_storage_s3.py). Sharing a post queues "
    "the notification emails after commit: embedded, a thread of the web worker sends them; "
    "shared, the request publishes a task per "
    "email to Redis and the worker sends them, so that row is the publish against the thread "
    "(the notes say how soon the worker had sent them). Queries are counted in-process with "
    "the same settings: a signed-in page reads its session from Redis, one query fewer."
)


def _shared_section(runs: Sequence[DatabaseRun], run: DatabaseRun) -> Iterable[str]:
    """`run` beside its baseline run, when both were measured."""
    if run.skipped:
        return
    yield f"## {run.label} beside {run.baseline} (issue #15)"
    yield ""
    baseline = next((r for r in runs if r.label == run.baseline and not r.skipped), None)
    if baseline is None:
        yield f"Not compared: {run.baseline} was not measured in this run (see `--db`)."
        yield ""
        return
    yield SHARED_TEXT
    yield ""
    yield shared_table(baseline, run)
    yield ""


def _section(run: DatabaseRun) -> Iterable[str]:
    yield f"## {run.label}"
    yield ""
    if run.skipped:
        yield f"Not run: {run.skipped}"
        yield ""
        return
    yield table(run)
    yield ""
    for note in run.notes:
        yield f"- {note}"
    if run.notes:
        yield ""
    yield f"### {run.label}: the classroom journey under gunicorn"
    yield ""
    yield classroom_table(run.classroom) if run.classroom else run.classroom_note
    yield ""
    yield f"### {run.label}: the classroom journey under `make run`'s server"
    yield ""
    yield classroom_table(run.classroom_dev) if run.classroom_dev else run.classroom_dev_note
    yield ""
    yield f"<details><summary>wrk commands ({run.label})</summary>"
    yield ""
    yield "```sh"
    yield from (row.command for row in run.rows if row.command)
    yield "```"
    yield ""
    for row in run.rows:
        if row.script:
            yield f"{row.name}, the `-s` script:"
            yield ""
            yield "```lua"
            yield row.script.rstrip()
            yield "```"
            yield ""
    yield "</details>"
    yield ""


def document(
    *,
    date: str,
    machine: Sequence[tuple[str, str]],
    commands: Sequence[str],
    runs: Sequence[DatabaseRun],
    duration_s: int,
) -> str:
    """docs/benchmarks.md."""
    head = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`bench/run.py`) on {date}. Each page is loaded by wrk for "
        f"{duration_s} s with 2 threads and 8 connections against gunicorn (2 sync workers, "
        "production settings, DEBUG off) on 127.0.0.1, signed in through the real sign-in "
        "pages (password, then TOTP code). `× bare` is the page's requests/s divided by those "
        'of a bare `HttpResponse(b"ok")` view behind the full middleware stack, loaded for '
        "a few seconds just before the page (`bare req/s`), so that the machine's speed and "
        "its drift during the run cancel out; the bare view's own rows are loaded in full at "
        "the start and at the end. A page compared with another (the 1,000-message case with "
        "the 5-message one) compares their `× bare`. `× signed-in bare` divides a signed-in "
        "page by the bare view loaded with the same session (customer or operator): what the "
        "page costs beyond the session, user and second-factor layers every signed-in request "
        "pays; the goals are judged on `× bare`. Queries are counted in-process "
        "(Django's test client, same settings and database) on a second, warm request.",
        "",
        "## Machine",
        "",
        "| | |",
        "|---|---|",
        *(f"| {name} | {value} |" for name, value in machine),
        "",
        "## Commands",
        "",
        "```sh",
        *commands,
        "```",
        "",
        "## Goals (issue #14)",
        "",
        goals_table(runs),
        "",
    ]
    body = [
        line
        for run in runs
        for line in [*(_shared_section(runs, run) if run.baseline else ()), *_section(run)]
    ]
    return "\n".join(head + body).rstrip() + "\n"
