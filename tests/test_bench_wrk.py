"""`make bench` reads wrk's report and writes its Lua scripts (bench/wrk.py): pure functions."""

import re

import pytest

from bench import wrk
from tests.helpers import needs_checkout

pytestmark = needs_checkout("bench/ is a tool of the checkout, not part of the package")

# What wrk 4.1 (Debian) printed for a page of the portal, and for one that failed.
SLOW_PAGE = """\
Running 10s test @ http://127.0.0.1:40123/cases/00001301/?tab=chatter
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    47.16ms   12.02ms 131.41ms   77.43%
    Req/Sec    84.94     14.41   121.00     67.50%
  Latency Distribution
     50%   45.90ms
     75%   52.34ms
     90%   61.08ms
     99%    1.20s
  1699 requests in 10.01s, 40.98MB read
Requests/sec:    169.75
Transfer/sec:      4.09MB
"""
FAILING_PAGE = """\
Running 1s test @ http://127.0.0.1:18923/nothing-here
  2 threads and 8 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.58ms    2.48ms  14.86ms   81.92%
    Req/Sec     0.85k   353.53     1.70k    65.00%
  Latency Distribution
     50%  812.00us
     75%    4.97ms
     90%    7.21ms
     99%   11.79ms
  1697 requests in 1.00s, 861.76KB read
  Socket errors: connect 0, read 2, write 0, timeout 3
  Non-2xx or 3xx responses: 1697
Requests/sec:   1696.21
Transfer/sec:    861.35KB
"""


def test_it_reads_requests_per_second_and_the_latency_percentiles():
    result = wrk.parse(SLOW_PAGE)
    assert result == wrk.WrkResult(
        requests_per_second=169.75, p50_ms=45.9, p99_ms=1200.0, requests=1699, errors=0
    )


def test_it_counts_error_answers_and_socket_errors():
    result = wrk.parse(FAILING_PAGE)
    assert result.p50_ms == pytest.approx(0.812)
    assert result.errors == 1697 + 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [("812.00us", 0.812), ("3.05ms", 3.05), ("1.20s", 1200.0), ("2.00m", 120_000.0)],
)
def test_it_reads_wrk_durations_in_milliseconds(text, expected):
    assert wrk.duration_ms(text) == pytest.approx(expected)


def test_it_refuses_what_is_not_a_latency_report():
    with pytest.raises(ValueError, match="Requests/sec"):
        wrk.parse("unable to connect to 127.0.0.1:1 Connection refused\n")


def test_it_builds_the_command_and_hides_cookie_values_when_showing_it():
    line = wrk.command(
        "http://127.0.0.1:1/",
        duration_s=3,
        headers={"Cookie": "sessionid=secret1; csrftoken=secret2", "HX-Request": "true"},
    )
    assert line[:5] == ["wrk", "-t2", "-c8", "-d3s", "--latency"]
    assert line[-1] == "http://127.0.0.1:1/"
    assert "Cookie: sessionid=secret1; csrftoken=secret2" in line
    shown = wrk.shown(line)
    assert "secret" not in shown
    assert "'Cookie: sessionid=…; csrftoken=…'" in shown


def test_it_writes_a_post_script_with_a_new_uuid_per_request():
    script = wrk.fresh_post_script("body=Hello&confirm=yes", id_field="post_id")
    assert 'wrk.method = "POST"' in script
    assert 'local fields = "body=Hello&confirm=yes"' in script
    assert '"&post_id=" .. id' in script
    # The format makes 8-4-4-4-12 hexadecimal digits: a UUID the form accepts.
    pattern = re.search(r'"(%s-%s-4%s-a%s-[^"]+)"', script).group(1)
    assert pattern == "%s-%s-4%s-a%s-%02x%02x%08x"


def test_it_refuses_a_body_that_is_not_url_encoded():
    with pytest.raises(ValueError, match="URL-encoded"):
        wrk.form_post_script('body="quoted"')


def test_it_shows_a_script_without_the_csrf_token():
    script = wrk.form_post_script("csrfmiddlewaretoken=s3cr3t&action=refresh")
    shown = wrk.shown_script(script)
    assert "s3cr3t" not in shown
    assert 'wrk.body = "csrfmiddlewaretoken=…&action=refresh"' in shown
