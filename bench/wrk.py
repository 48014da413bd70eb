"""wrk, Debian's HTTP load generator: the command for one page, its Lua scripts for POSTs, and
what its `--latency` report says."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

THREADS = 2
CONNECTIONS = 8


@dataclass(frozen=True)
class WrkResult:
    requests_per_second: float
    p50_ms: float
    p99_ms: float
    requests: int
    # Answers of 400 and above plus socket errors (connect, read, write, timeout): a page that
    # fails fast would otherwise look fast.
    errors: int


_MS_PER_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def duration_ms(text: str) -> float:
    """wrk's durations ("812.00us", "3.05ms", "1.20s", "2.00m") in milliseconds."""
    found = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(us|ms|s|m|h)", text.strip())
    if found is None:
        raise ValueError(f"not a wrk duration: {text!r}")
    return float(found.group(1)) * _MS_PER_UNIT[found.group(2)]


def parse(output: str) -> WrkResult:
    """Read the report of `wrk --latency`; ValueError when it is not one."""

    def field(pattern: str) -> str:
        found = re.search(pattern, output, re.MULTILINE)
        if found is None:
            raise ValueError(f"wrk output without {pattern!r}:\n{output}")
        return found.group(1)

    errors = 0
    if non_2xx := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(non_2xx.group(1))
    if sockets := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        errors += sum(int(count) for count in sockets.groups())
    return WrkResult(
        requests_per_second=float(field(r"^Requests/sec:\s+([0-9.]+)")),
        p50_ms=duration_ms(field(r"^\s+50%\s+(\S+)")),
        p99_ms=duration_ms(field(r"^\s+99%\s+(\S+)")),
        requests=int(field(r"^\s+(\d+) requests in ")),
        errors=errors,
    )


def command(
    url: str,
    *,
    duration_s: int,
    headers: Mapping[str, str] = {},
    script: Path | None = None,
) -> list[str]:
    """`wrk -t2 -c8 -dNs --latency` for one URL, each header as `-H`."""
    line = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{duration_s}s", "--latency"]
    # A request slower than this counts as an error rather than a latency.
    line += ["--timeout", "10s"]
    for name, value in headers.items():
        line += ["-H", f"{name}: {value}"]
    if script is not None:
        line += ["-s", str(script)]
    return [*line, url]


def shown(line: list[str]) -> str:
    """The command as docs/benchmarks.md prints it: cookie values are session secrets."""
    parts = []
    for part in line:
        if part.lower().startswith("cookie:"):
            names = [cookie.split("=", 1)[0].strip() for cookie in part[7:].split(";")]
            part = "Cookie: " + "; ".join(f"{name}=…" for name in names)
        parts.append(f"'{part}'" if any(c in part for c in " ;…&?") else part)
    return " ".join(parts)


def shown_script(text: str) -> str:
    """A Lua script as docs/benchmarks.md prints it: without the session's CSRF token."""
    return re.sub(r"(csrfmiddlewaretoken=)[^&\"]+", r"\1…", text)


def _lua_string(text: str) -> str:
    # Bodies are URL-encoded: no quotes, backslashes or line breaks to escape.
    if re.search(r'["\\\n\r]', text):
        raise ValueError(f"not URL-encoded: {text!r}")
    return f'"{text}"'


_FORM_POST = """\
wrk.method = "POST"
wrk.body = {body}
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
"""

# Every request gets a post_id of its own (a new post, as a person sharing one would send):
# random per thread, with the thread's number and a counter so that no two can be equal.
_FRESH_POST = """\
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
local fields = {body}
local threads = 0
local counter = 0

function setup(thread)
  threads = threads + 1
  thread:set("number", threads)
end

function init(args)
  math.randomseed(os.time() * 1000 + number)
end

local function hex(digits)
  local out = {{}}
  for i = 1, digits do out[i] = string.format("%x", math.random(0, 15)) end
  return table.concat(out)
end

function request()
  counter = counter + 1
  local id = string.format(
    "%s-%s-4%s-a%s-%02x%02x%08x", hex(8), hex(4), hex(3), hex(3), number, 0, counter
  )
  return wrk.format(nil, nil, nil, fields .. "&{field}=" .. id)
end
"""


def form_post_script(body: str) -> str:
    """A POST of the same URL-encoded body every time."""
    return _FORM_POST.format(body=_lua_string(body))


def fresh_post_script(body: str, *, id_field: str) -> str:
    """A POST of `body` plus `id_field`=<a new UUID> for each request."""
    return _FRESH_POST.format(body=_lua_string(body), field=id_field)
