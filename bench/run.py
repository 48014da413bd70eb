"""`make bench`: every page of the portal under load, as a ratio to a bare view of the same run,
on SQLite, on PostgreSQL and on PostgreSQL with the shared parts of issue #15 (Redis cache and
sessions, attachments on an S3 bucket, mail through Celery), written to docs/benchmarks.md.

For each database: its own VAR_DIR (var/bench/<db>/), migrate, the catalogue, the data of
`manage.py generate_data` (made once and kept; --fresh makes it again), collectstatic; then
gunicorn with production settings and 2 sync workers on a free port of 127.0.0.1, the bench
customer and operator signed in through the real pages (password, then TOTP code), wrk on
each page with their cookies, the classroom journey (bench/classroom.py) against the same
server, and the SQL queries of each page counted in-process (bench/queries.py). The shared
run (bench/shared.py) uses the PostgreSQL folder and data, runs when Redis answers and is
skipped, saying so, when it does not.

    .venv/bin/python -m bench.run [--db sqlite|postgres|shared|both|all] [--quick] …
"""

import argparse
import contextlib
import datetime as dt
import importlib.metadata
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

from bench import pages as page_list
from bench import report, server, shared, wrk
from bench.pages import ANONYMOUS, CUSTOMER, OPERATOR, Page
from bench.report import DatabaseRun, Measured
from bench.web import BenchError, BenchSkipped, Browser, sign_in

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/bench_hub"
WARM_UP_S = 2
# --small: a quicker data set for trying the bench out; the long and short cases stay as they
# are, as the goals are about them.
SMALL_DATA = ["--companies", "20", "--cases", "3000", "--big-company-cases", "2000"]

# bench/classroom.py's run() in a process of its own: locust patches the standard library
# (gevent) when imported, which this process must not have.
CLASSROOM_CALL = """\
import json, os, sys
from bench.classroom import run
rows = run(sys.argv[1], dict(os.environ), int(sys.argv[2]))
with open(sys.argv[3], "w") as out:
    json.dump(rows, out)
"""


def say(text: str) -> None:
    print(text, flush=True)


def arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db",
        type=runs_of,
        default=runs_of("all"),
        help="sqlite, postgres, shared (PostgreSQL with Redis, the object store and Celery), "
        "both (sqlite,postgres) or all (the three, the default; shared when Redis answers); "
        "several with commas: postgres,shared",
    )
    parser.add_argument("--duration", type=int, default=10, help="seconds of wrk per page")
    parser.add_argument("--quick", action="store_true", help="3 s per page: a smoke run")
    parser.add_argument("--fresh", action="store_true", help="make the data again")
    parser.add_argument("--small", action="store_true", help="fewer companies and cases")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--trainees", type=int, default=20, help="of the classroom journey")
    parser.add_argument("--no-classroom", action="store_true")
    parser.add_argument("--var-dir", type=Path, default=server.ROOT / "var" / "bench")
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES, help="made when missing")
    parser.add_argument(
        "--redis-url",
        default=shared.redis_url(),
        help="the shared run's cache and sessions, EMPTIED when it starts "
        f"(default: $REDIS_URL_BENCH or {shared.DEFAULT_REDIS})",
    )
    parser.add_argument(
        "--broker-url", help="the shared run's Celery broker, EMPTIED too (default: next db)"
    )
    parser.add_argument(
        "--output", type=Path, default=server.ROOT / "docs" / "benchmarks.md", help="the report"
    )
    parser.add_argument(
        "--handles",
        type=Path,
        help="use this handles file (and the data already in the database) instead of "
        "running generate_data",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.duration = 3
    try:
        args.broker_url = args.broker_url or shared.next_database(args.redis_url)
    except BenchError as error:
        parser.error(str(error))
    return args


RUNS = {
    "sqlite": ("sqlite",),
    "postgres": ("postgres",),
    "shared": ("shared",),
    "both": ("sqlite", "postgres"),
    "all": ("sqlite", "postgres", "shared"),
}


def runs_of(value: str) -> tuple[str, ...]:
    """--db: names of RUNS, comma-separated, as the runs they stand for, in their order."""
    chosen: list[str] = []
    for name in value.split(","):
        if name.strip() not in RUNS:
            raise argparse.ArgumentTypeError(f"{name!r} is not one of {', '.join(RUNS)}")
        chosen += [run for run in RUNS[name.strip()] if run not in chosen]
    return tuple(sorted(chosen, key=RUNS["all"].index))


def databases(args: argparse.Namespace) -> list[server.Database]:
    chosen = []
    if "sqlite" in args.db:
        chosen.append(server.Database("SQLite", "sqlite"))
    if "postgres" in args.db:
        chosen.append(server.Database("PostgreSQL", "postgres", args.postgres_url))
    if "shared" in args.db:
        label = report.SHARED_LABEL
        chosen.append(server.Database(label, "postgres", args.postgres_url, shared=True))
    return chosen


def generate_args(args: argparse.Namespace) -> list[str]:
    return ["--seed", str(args.seed), *(SMALL_DATA if args.small else [])]


# -- one database ------------------------------------------------------------------------------


def bench_database(
    database: server.Database, args: argparse.Namespace, versions: dict[str, str]
) -> DatabaseRun:
    run = DatabaseRun(database.label, baseline="PostgreSQL" if database.shared else "")
    var_dir = (args.var_dir / database.slug).absolute()
    env = server.environment(var_dir, database)
    new_database = False
    if database.shared:  # before anything is prepared: skipped at once without Redis
        versions["Redis"] = shared.redis_version(args.redis_url)
        shared.redis_version(args.broker_url)
    if database.url:
        versions["PostgreSQL"], new_database = server.postgres(database.url)
    else:
        new_database = not (var_dir / "db.sqlite3").exists()
    started = time.monotonic()
    say(f"{database.label}: preparing {var_dir}")
    handles = _handles(env, var_dir, args, new_database=new_database)
    prepared = time.monotonic() - started
    say(f"{database.label}: ready in {prepared:.0f} s")
    with contextlib.ExitStack() as parts:
        if database.shared:
            env = parts.enter_context(
                shared.parts(
                    env,
                    var_dir,
                    handles,
                    cache_url=args.redis_url,
                    broker_url=args.broker_url,
                    notes=run.notes,
                    say=say,
                )
            )
        pages = serve(database, args, env, var_dir, handles, run)
        # With the shared parts still on: the in-process count uses the same cache and store.
        counts = count_queries(env, pages, handles)
    for row, counted in zip(run.rows, counts, strict=True):
        row.queries = counted["queries"]
        if counted["status"] != row.status and not row.problem:
            run.notes.append(
                f"{row.name}: in-process answer {counted['status']} (server: {row.status})"
            )
    run.notes.append(
        f"Data: {_totals(handles)}. Took {time.monotonic() - started:.0f} s, of which "
        f"{prepared:.0f} s preparing (migrations, data, static files)."
    )
    return run


def serve(
    database: server.Database,
    args: argparse.Namespace,
    env: dict[str, str],
    var_dir: Path,
    handles: dict[str, Any],
    run: DatabaseRun,
) -> list[Page]:
    """gunicorn on a free port, every page under wrk, the classroom journeys; the pages."""
    port = server.free_port()
    env = env | {"SITE_URL": f"http://127.0.0.1:{port}"}
    say(f"{database.label}: gunicorn on 127.0.0.1:{port}, wrk {args.duration} s per page")
    log = var_dir / ("gunicorn-shared.log" if database.shared else "gunicorn.log")
    with server.gunicorn(env, port, log) as base_url:
        browsers = {CUSTOMER: Browser(base_url), OPERATOR: Browser(base_url)}
        sign_in(browsers[CUSTOMER], handles["customer"])
        sign_in(browsers[OPERATOR], handles["operator"])
        pages = page_list.find(browsers[CUSTOMER], browsers[OPERATOR], handles)
        # Workers that just started are still filling their caches: not what is measured.
        warm_up = wrk.command(base_url + "/bench/bare", duration_s=WARM_UP_S)
        subprocess.run(warm_up, capture_output=True, timeout=WARM_UP_S + 30, check=False)
        scripts = var_dir / "wrk"
        scripts.mkdir(exist_ok=True)
        for page in pages:
            row = measure(page, browsers, base_url, args.duration, scripts)
            run.rows.append(row)
            say(f"  {_progress(row)}")
            if database.shared and page.key == "post" and row.result is not None:
                run.notes.append(shared.drain_note(args.broker_url))
                say(f"  {run.notes[-1]}")
        if database.shared:
            # The classroom is a trainer's laptop: one server, the embedded default.
            run.classroom_note = run.classroom_dev_note = "Not run with the shared parts."
            return pages
        if args.no_classroom:
            run.classroom_note = "Not run (--no-classroom)."
        else:
            run.classroom, run.classroom_note = classroom(base_url, env, args.trainees, var_dir)
    if not args.no_classroom:
        # The classroom's own server: `make run` serves the class from a trainer's laptop.
        dev_port = server.free_port()
        dev_env = env | {"SITE_URL": f"http://127.0.0.1:{dev_port}"}
        say(f"{database.label}: make run's server on 127.0.0.1:{dev_port}")
        with server.runserver(dev_env, dev_port, var_dir / "runserver.log") as dev_url:
            run.classroom_dev, run.classroom_dev_note = classroom(
                dev_url, dev_env, args.trainees, var_dir
            )
    return pages


def _handles(
    env: dict[str, str], var_dir: Path, args: argparse.Namespace, *, new_database: bool
) -> dict[str, Any]:
    if args.handles:
        server.manage(env, "prepare")
        server.collect_static(env, var_dir)
        return dict(json.loads(args.handles.read_text()))
    return server.prepare(
        env,
        var_dir,
        generate=generate_args(args),
        fresh=args.fresh,
        new_database=new_database,
        say=say,
    )


def _totals(handles: dict[str, Any]) -> str:
    totals = handles.get("totals", {})
    return ", ".join(f"{value:,} {name}" for name, value in totals.items()) or "–"


def _progress(row: Measured) -> str:
    if row.result is None:
        return f"{row.name}: {row.problem}"
    return (
        f"{row.name}: {report.rate(row.result.requests_per_second)} req/s, "
        f"p50 {report.ms(row.result.p50_ms)} ms, p99 {report.ms(row.result.p99_ms)} ms"
        + (f", {row.result.errors} errors" if row.result.errors else "")
    )


def measure(
    page: Page, browsers: dict[str, Browser], base_url: str, duration_s: int, scripts: Path
) -> Measured:
    """Probe the page once (it must answer as a person would see it), load the bare view for a
    few seconds, then the page for `duration_s`."""
    browser = browsers.get(page.user) or Browser(base_url)
    row = Measured(page.key, page.name, user=page.user)
    # The probe's cookies (a "shared" message after a post, say) are not the load's.
    prober = browser.copy()
    form = dict(page.form) if page.form is not None else None
    if form is not None and page.fresh_id:
        form[page.fresh_id] = str(uuid.uuid4())
    probe = prober.request(page.method, page.path, form=form, headers=page.headers)
    row.status = page.status = probe.status
    location = probe.headers.get("Location", "")
    if probe.status not in page.expect or page.location_has not in location:
        row.problem = f"answered {probe.status} {location}".strip() + ", not measured"
        return row
    headers = dict(page.headers)
    if page.user != ANONYMOUS:
        headers["Cookie"] = browser.cookie_header()
    script = None
    if page.method == "POST":
        script = scripts / f"{page.key}.lua"
        body = page.body()
        text = (
            wrk.fresh_post_script(body, id_field=page.fresh_id)
            if page.fresh_id
            else wrk.form_post_script(body)
        )
        script.write_text(text)
        row.script = wrk.shown_script(text)
    if page.key not in report.BARE_RUNS:
        bare = _load(
            wrk.command(base_url + "/bench/bare", duration_s=reference_seconds(duration_s))
        )
        row.bare_rps = bare.requests_per_second if isinstance(bare, wrk.WrkResult) else None
    line = wrk.command(base_url + page.path, duration_s=duration_s, headers=headers, script=script)
    row.command = wrk.shown(line)
    loaded = _load(line)
    if isinstance(loaded, wrk.WrkResult):
        row.result = loaded
    else:
        row.problem = loaded
    return row


def reference_seconds(duration_s: int) -> int:
    """How long the bare view is loaded before each page."""
    return max(2, duration_s // 3)


def _load(line: list[str]) -> wrk.WrkResult | str:
    """wrk's numbers, or what went wrong."""
    seconds = int(next(part for part in line if part.startswith("-d"))[2:-1])
    try:
        done = subprocess.run(line, capture_output=True, text=True, timeout=seconds + 60)
        return wrk.parse(done.stdout)
    except (subprocess.TimeoutExpired, ValueError) as error:
        return f"wrk failed: {str(error).splitlines()[0]}"


def count_queries(
    env: dict[str, str], pages: list[Page], handles: dict[str, Any]
) -> list[dict[str, Any]]:
    given = json.dumps({"pages": [page.as_json() for page in pages], "handles": handles})
    # The in-process mail goes nowhere: only the queries are wanted.
    quiet = env | {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    done = subprocess.run(
        [server.PYTHON, "-m", "bench.queries"],
        cwd=server.ROOT,
        env=quiet,
        input=given,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode:
        raise BenchError("counting queries failed:\n" + done.stderr[-3000:])
    return list(json.loads(done.stdout))


def classroom(
    base_url: str, env: dict[str, str], trainees: int, var_dir: Path
) -> tuple[list[dict[str, Any]], str]:
    """The classroom journey of bench/classroom.py against the same server, or why not."""
    say(f"  classroom: {trainees} trainees at once …")
    out = var_dir / "classroom.json"
    out.unlink(missing_ok=True)
    try:
        done = subprocess.run(
            [server.PYTHON, "-c", CLASSROOM_CALL, base_url, str(trainees), str(out)],
            cwd=server.ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except subprocess.TimeoutExpired:
        return [], "The classroom journey took more than 300 s and was stopped."
    if done.returncode or not out.exists():
        tail = "\n".join(done.stderr.strip().splitlines()[-5:])
        return [], f"The classroom journey failed:\n\n```\n{tail}\n```"
    rows = list(json.loads(out.read_text()))
    for row in rows:
        say(f"    {row.get('step')}: p95 {row.get('p95_ms')} ms, {row.get('failures')} failures")
    return rows, ""


# -- the machine -------------------------------------------------------------------------------


def _first_line(command: list[str]) -> str:
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except OSError:
        return "not installed"
    return (done.stdout + done.stderr).strip().splitlines()[0] if done.stdout + done.stderr else ""


def _proc(path: str, key: str) -> str:
    try:
        for line in Path(path).read_text().splitlines():
            if line.startswith(key):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def machine(versions: dict[str, str], load_at_start: str) -> list[tuple[str, str]]:
    memory_kb = _proc("/proc/meminfo", "MemTotal").split()[0]
    memory = f"{int(memory_kb) / 1024**2:.1f} GiB" if memory_kb.isdigit() else memory_kb
    wrk_version = _first_line(["wrk", "--version"]).split("[")[0].strip()
    return [
        ("CPUs (nproc)", str(len(os.sched_getaffinity(0)))),
        ("CPU", _proc("/proc/cpuinfo", "model name")),
        ("RAM", memory),
        ("Load average when the run started", load_at_start),
        ("OS", platform.platform()),
        ("Python", platform.python_version()),
        ("Django", _version("Django")),
        ("SQLite", sqlite3.sqlite_version),
        ("PostgreSQL", versions.get("PostgreSQL", "not run")),
        ("Redis", versions.get("Redis", "not run")),
        ("Celery", _version("celery")),
        ("moto (the object store of the shared run)", _version("moto")),
        ("gunicorn", _version("gunicorn")),
        ("wrk", wrk_version),
        ("locust", _version("locust")),
    ]


def commands(args: argparse.Namespace, argv: list[str]) -> list[str]:
    shown = " ".join(argv)
    return [
        f"make bench{f' BENCH_ARGS={shown!r}' if shown else ''}",
        f"# which runs: .venv/bin/python -m bench.run {shown}".rstrip(),
        "# per database, with VAR_DIR=var/bench/<db> DEBUG=0 BENCH_VIEWS=1 "
        "[DATABASE_URL=postgres://…/bench_hub]:",
        "manage.py prepare && manage.py migrate && manage.py load_catalogue --if-empty",
        f"manage.py generate_data {' '.join(generate_args(args))} --handles "
        "var/bench/<db>/handles.json   # once; kept until --fresh",
        "manage.py collectstatic --noinput",
        "gunicorn hub.wsgi --bind 127.0.0.1:<free port> --workers 2 --worker-class sync",
        f"wrk -t2 -c8 -d{args.duration}s --latency --timeout 10s -H 'Cookie: …' <page>"
        "   # each page, see below",
        *(_shared_commands(args) if "shared" in args.db else []),
    ]


def _shared_commands(args: argparse.Namespace) -> list[str]:
    endpoint = "http://127.0.0.1:<free port>"
    return [
        f"# {report.SHARED_LABEL}: var/bench/postgres and its data, Redis emptied first, and",
        f"python -m moto.server -H 127.0.0.1 -p <free port>   # the object store ({endpoint})",
        "python -m bench.bucket   # the bucket, and the files of the two measured cases",
        f"REDIS_URL={args.redis_url} CELERY_BROKER_URL={args.broker_url} "
        f"STORAGE_URL='{shared.storage_url(endpoint)}' AWS_ACCESS_KEY_ID=… "
        "AWS_SECRET_ACCESS_KEY=… for each of:",
        "celery " + " ".join(shared.WORKER[2:]),
        "gunicorn hub.wsgi …   # as above, and the same wrk commands",
    ]


def main(argv: list[str] | None = None) -> int:
    given = sys.argv[1:] if argv is None else argv
    args = arguments(given)
    if shutil.which("wrk") is None:
        say("wrk is not installed: apt-get install wrk (make bench does it as root).")
        return 2
    load_at_start = Path("/proc/loadavg").read_text().split(" ")[:3]
    date = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    versions: dict[str, str] = {}
    runs = []
    failed = False
    for database in databases(args):
        try:
            run = bench_database(database, args, versions)
        except BenchSkipped as error:
            say(f"{database.label}: SKIPPED, not measured: {error}")
            run = DatabaseRun(database.label, skipped=str(error))
        except BenchError as error:
            say(f"{database.label}: FAILED: {error}")
            failed = True
            run = DatabaseRun(database.label, skipped=str(error))
        runs.append(run)
        if not run.skipped:
            say("")
            say(report.table(run))
            say("")
    text = report.document(
        date=date,
        machine=machine(versions, " ".join(load_at_start)),
        commands=commands(args, given),
        runs=runs,
        duration_s=args.duration,
    )
    args.output.write_text(text)
    say(report.goals_table(runs))
    for run in runs:
        if run.skipped:  # said again at the end: a long run's early lines scroll away
            say(f"\nNot run: {run.label}: {run.skipped.splitlines()[0]}")
    say(f"\nWritten: {args.output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
