"""The classroom journey under locust: every trainee walks the guide's first day at once.

Run by bench/classroom.py in a process of its own (locust patches the whole process for gevent
when imported): the trainees come in on stdin as a JSON list of {"email", "path"} (the path of
their invitation link), one row per step goes out on stdout as JSON.

Each trainee opens their invitation, registers (password and terms), signs out and in again
(password step), connects an authenticator app (the key read from the page, the code computed
as the app would), keeps the recovery codes, files the guide's example case (with the htmx
refreshes a browser sends as the choices narrow) and posts in its Chatter. The class moves
together: nobody starts a chapter before everyone has finished the one before, as when the
trainer says "now press 続行" — the moment the issue is about.
"""

import argparse
import base64
import json
import math
import re
import sys
from collections import defaultdict

from gevent.event import Event
from locust import HttpUser, task
from locust.env import Environment
from locust.exception import StopUser

from bench.classroom_pages import EXAMPLE, JourneyFailed, form_of, pick, totp

PASSWORD = "Kasumi-Gaseki-2025!"  # noqa: S105 - the trainees' own, on a bench database
TIME_LIMIT_SECONDS = 120
REQUEST_TIMEOUT_SECONDS = 60
CHAPTERS = ["registration", "sign_in", "two_factor", "case", "chatter"]


# -- one trainee ----------------------------------------------------------------------------


class Classroom:
    """What the trainees share: their links, and a barrier per chapter."""

    def __init__(self, trainees: list[dict]):
        self.waiting = list(trainees)
        self.size = len(trainees)
        self.arrived: dict[str, int] = defaultdict(int)
        self.ready: dict[str, Event] = defaultdict(Event)
        self.finished = 0
        self.all_finished = Event()

    def together(self, chapter: str) -> None:
        self.arrived[chapter] += 1
        if self.arrived[chapter] == self.size:
            self.ready[chapter].set()
        self.ready[chapter].wait()

    def leave(self) -> None:
        self.finished += 1
        if self.finished == self.size:
            self.all_finished.set()


class Trainee(HttpUser):
    classroom: Classroom  # set before the class starts

    def on_start(self):
        self.client.headers["Accept-Language"] = "ja"
        invited = self.classroom.waiting.pop()
        self.email, self.path = invited["email"], invited["path"]
        self.page = self.case_url = ""

    @task
    def first_day(self):
        failed = False
        for chapter in CHAPTERS:
            # A trainee who got stuck still "arrives", so that nobody waits for them forever.
            self.classroom.together(chapter)
            if not failed:
                try:
                    getattr(self, chapter)()
                except Exception as error:  # any surprise ends this trainee's day, not the class's
                    failed = True
                    # A page it could not read counts as a failure of the chapter.
                    if not (isinstance(error, JourneyFailed) and error.counted):
                        self.environment.events.request.fire(
                            request_type="PAGE",
                            name=f"{chapter}: page not understood",
                            response_time=0,
                            response_length=0,
                            exception=error,
                            context={},
                        )
        self.classroom.leave()
        raise StopUser

    # Each request is named by its step: the stats give p50/p95 per step.
    def go(self, step, method, url, *, expect=200, to=None, data=None, headers=None):
        with self.client.request(
            method,
            url,
            name=step,
            data=data,
            headers=headers,
            allow_redirects=False,
            timeout=REQUEST_TIMEOUT_SECONDS,
            catch_response=True,
        ) as response:
            location = response.headers.get("Location", "")
            if response.status_code != expect or (to is not None and not re.search(to, location)):
                why = f"{step}: {response.status_code} {location}".strip()
                response.failure(why)
                raise JourneyFailed(why, counted=True)
            response.success()
        self.page = response.text
        return location or response.text

    def post_form(self, step, url, form, *, expect=302, to=None, **values):
        return self.go(step, "POST", url, expect=expect, to=to, data=form["values"] | values)

    def registration(self):
        slot = self.go("01 invitation link", "GET", self.path, expect=302, to="set-password-")
        self.go("02 registration page", "GET", slot)
        form = form_of(self.page, field="password1")
        fields = {"password1": PASSWORD, "password2": PASSWORD, "accept_terms": "on"}
        self.post_form("03 registration: continue", slot, form, to="^/$", **fields)
        self.go("04 dashboard (registered)", "GET", "/")

    def sign_in(self):
        logout = "/accounts/logout/"
        self.post_form("05 log out", logout, form_of(self.page, action=logout))
        self.go("06 login page", "GET", "/accounts/login/")
        form = form_of(self.page, field="password")
        verify = "/accounts/login/verify/"
        fields = {"email": self.email, "password": PASSWORD}
        self.post_form("07 password step", "/accounts/login/", form, to=verify, **fields)
        self.go("08 second-factor step", "GET", verify, expect=302, to="/accounts/login/method/")

    def two_factor(self):
        self.go("09 two-factor method", "GET", "/accounts/login/method/")
        setup = "/accounts/two-factor/authenticator/"
        self.go("10 authenticator setup (QR code)", "GET", setup)
        found = re.search(r'data-testid="totp-key">([A-Z2-7 ]+)<', self.page)
        if found is None:
            raise JourneyFailed("no key on the setup page")
        key = base64.b32decode(found.group(1).replace(" ", ""))
        form = form_of(self.page, field="code")
        codes = "/accounts/two-factor/recovery-codes/"
        self.post_form("11 connect the app", setup, form, to=codes, code=totp(key))
        self.go("12 recovery codes", "GET", codes)
        self.post_form("13 codes saved — continue", codes, form_of(self.page, action=""), to="^/$")
        self.go("14 dashboard (signed in)", "GET", "/")

    def case(self):
        new = "/cases/new/"
        self.go("15 case form", "GET", new)
        form = form_of(self.page, action=new)
        values = form["values"] | {"service": pick(form, "service", EXAMPLE["service"])}
        # What htmx sends as the choices narrow: the whole form, marked as a refresh.
        htmx = {"HX-Request": "true", "HX-Target": "case-fields", "HX-Current-URL": new}

        def refresh(step, **changed):
            values.update(changed)
            data = values | {"action": "refresh"}
            self.go(step, "POST", new, data=data, headers=htmx)
            return form_of(f'<form action="{new}">{self.page}</form>', action=new)

        form = refresh("16 case form: service")
        values["subject"] = EXAMPLE["subject"]
        form = refresh("17 case form: product search", product_query=EXAMPLE["product_query"])
        form = refresh("18 case form: product", product=pick(form, "product", EXAMPLE["product"]))
        values["product_version"] = pick(form, "product_version", EXAMPLE["product_version"])
        values["operating_system"] = pick(form, "operating_system", EXAMPLE["operating_system"])
        main = pick(form, "main_content", EXAMPLE["main_content"])
        form = refresh("19 case form: main content", main_content=main)
        values["problem"] = pick(form, "problem", EXAMPLE["problem"])
        values["priority"] = form["values"]["priority"]  # the default, as the guide keeps it
        values["description"] = EXAMPLE["description"]
        data = values | {"action": "create"}
        self.case_url = self.go("20 case create", "POST", new, expect=302, data=data)
        if not re.fullmatch(r"/cases/[^/]+/", self.case_url):
            raise JourneyFailed(f"case create: sent to {self.case_url}")
        self.go("21 case page", "GET", self.case_url)

    def chatter(self):
        tab = self.case_url + "?tab=chatter"
        self.go("22 case page: chatter tab", "GET", tab)
        post = self.case_url + "chatter/post/"
        form = form_of(self.page, action=post)
        body = "ログを添付しました。ご確認ください。"
        self.post_form("23 chatter: share post", post, form, expect=200, body=body)
        confirm = form_of(self.page, action=post, field="confirm")
        self.post_form("24 chatter: yes, share it", post, confirm, to="tab=chatter")
        self.go("25 case page: the thread", "GET", tab)


# -- the class ------------------------------------------------------------------------------


def percentile(times: list[float], share: float) -> float:
    """Nearest rank: the smallest time at least `share` of the requests took no longer than."""
    ordered = sorted(times)
    return ordered[max(1, math.ceil(len(ordered) * share)) - 1]


def journey(base_url: str, trainees: list[dict]) -> list[dict]:
    """Walk every trainee through the day at once; one row per step, in order."""
    classroom = Classroom(trainees)
    Trainee.classroom = classroom
    env = Environment(user_classes=[Trainee], host=base_url.rstrip("/"))
    times: dict[str, list[float]] = defaultdict(list)
    failures: dict[str, int] = defaultdict(int)

    def record(name, response_time, exception, **kwargs):
        times[name].append(response_time)
        if exception is not None:
            failures[name] += 1
            print(f"failed: {exception}", file=sys.stderr)

    env.events.request.add_listener(record)
    runner = env.create_local_runner()
    # Everyone at once (the chapters' barriers line them up again anyway).
    runner.start(classroom.size, spawn_rate=100)
    finished = classroom.all_finished.wait(timeout=TIME_LIMIT_SECONDS)
    runner.quit()
    if not finished:
        raise TimeoutError(
            f"the class did not finish in {TIME_LIMIT_SECONDS} s "
            f"({classroom.finished} of {classroom.size} trainees did)"
        )
    return [
        {
            "step": step,
            "requests": len(taken),
            "failures": failures[step],
            "p50_ms": round(percentile(taken, 0.50)),
            "p95_ms": round(percentile(taken, 0.95)),
            "max_ms": round(max(taken)),
        }
        for step, taken in sorted(times.items())
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the server, e.g. http://127.0.0.1:8000")
    args = parser.parse_args()
    trainees = json.load(sys.stdin)
    try:
        rows = journey(args.url, trainees)
    except TimeoutError as error:
        print(error, file=sys.stderr)
        sys.exit(2)
    json.dump(rows, sys.stdout)


if __name__ == "__main__":
    main()
