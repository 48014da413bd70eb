"""The classroom: a class of trainees walking the guide's first day at once against one server.

    python bench/classroom.py --url http://127.0.0.1:8000 --trainees 20

The trainer's own command makes the invitations (`manage.py demo --trainees N --csv`, one
training company per trainee, as in class), run with this process's environment so that it
writes to the server's database; the journey itself (bench/classroom_journey.py) runs under
locust in a process of its own and answers one row per step: requests, failures, p50, p95 and
the slowest, in milliseconds. The goal is every step within 1 s at p95.
"""

import argparse
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

CHECKOUT = Path(__file__).resolve().parent.parent
# The journey stops itself after 120 s; this is for a journey that cannot even do that.
HARD_LIMIT_SECONDS = 180
GOAL_P95_MS = 1000


def invite(env: dict[str, str], trainees: int) -> list[dict]:
    """`trainees` fresh invitations, as the trainer makes them: [{"email", "path"}]."""
    # The command is trainer mode's (it refuses otherwise); the server needs no trainer mode.
    demo = {"DEMO_MODE": "1", "DEMO_ALLOW_PRODUCTION": "1"}
    printed = subprocess.run(
        [sys.executable, str(CHECKOUT / "manage.py"), "demo", "--trainees", str(trainees), "--csv"],
        env=env | demo,
        cwd=CHECKOUT,
        capture_output=True,
        text=True,
        check=True,
        timeout=HARD_LIMIT_SECONDS,
    ).stdout
    rows = csv.DictReader(io.StringIO(printed))
    return [{"email": row["email"], "path": urlsplit(row["url"]).path} for row in rows]


def run(base_url: str, env: dict[str, str], trainees: int = 20) -> list[dict]:
    """Invite `trainees` and walk them all through the day at once against `base_url`.

    `env` is the whole environment manage.py runs with against the server's database
    (VAR_DIR, DATABASE_URL, SECRET_KEY, ...). Returns one row per step, in order:
    {"step", "requests", "failures", "p50_ms", "p95_ms", "max_ms"}. Raises RuntimeError when
    the class does not finish within 120 s.
    """
    invited = invite(env, trainees)
    # A process of its own: importing locust patches the whole process for gevent. What went
    # wrong (a failed step, the time limit) it says on our stderr.
    walked = subprocess.run(
        [sys.executable, "-m", "bench.classroom_journey", "--url", base_url],
        input=json.dumps(invited),
        cwd=CHECKOUT,
        stdout=subprocess.PIPE,
        text=True,
        timeout=HARD_LIMIT_SECONDS,
    )
    if walked.returncode != 0:
        raise RuntimeError(f"the classroom journey stopped (exit status {walked.returncode})")
    return json.loads(walked.stdout)


def table(rows: list[dict]) -> str:
    lines = [
        f"{'step':<36} {'requests':>8} {'failures':>8} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}"
    ]
    for row in rows:
        slow = "  > 1 s" if row["p95_ms"] > GOAL_P95_MS else ""
        lines.append(
            f"{row['step']:<36} {row['requests']:>8} {row['failures']:>8} "
            f"{row['p50_ms']:>7} {row['p95_ms']:>7} {row['max_ms']:>7}{slow}"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--trainees", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(args.url, dict(os.environ), args.trainees)
    print(json.dumps(rows, ensure_ascii=False, indent=1) if args.json else table(rows))
    if any(row["failures"] for row in rows):
        sys.exit(1)


if __name__ == "__main__":
    main()
