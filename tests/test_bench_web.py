"""`make bench` signs in with real codes and finds htmx's URLs in the pages (bench/web.py)."""

from django_otp.plugins.otp_totp.models import TOTPDevice

from bench.web import Tags, totp_code
from tests.helpers import needs_checkout
from tests.helpers import totp_code as app_code

pytestmark = needs_checkout("bench/ is a tool of the checkout, not part of the package")


def test_it_computes_the_code_an_authenticator_app_shows(monkeypatch):
    device = TOTPDevice(key="3132333435363738393031323334353637383930")
    monkeypatch.setattr("time.time", lambda: 1_764_000_000.0)
    assert totp_code(device.key, 1_764_000_000.0) == app_code(device)
    # RFC 6238's SHA-1 test vector (its key is the hex above), last six digits.
    assert totp_code(device.key, 59) == "287082"


def test_it_reads_attributes_fields_and_options_from_a_page():
    tags = Tags.of(
        '<form action="/cases/00001001/chatter/post/"><input type="hidden" '
        'name="csrfmiddlewaretoken" value="tok"><select name="service"><option value="">–'
        '</option><option value="3" selected>Premium</option></select></form>'
        '<div id="chatter-poll" hx-get="/cases/00001001/chatter/updates/?after=7&amp;s=new">'
    )
    assert tags.value("csrfmiddlewaretoken") == "tok"
    assert tags.options["service"] == ["", "3"]
    poll = tags.first(id="chatter-poll")
    assert poll is not None and poll["hx-get"] == "/cases/00001001/chatter/updates/?after=7&s=new"
    post = tags.first(action_="/chatter/post/")
    assert post is not None and post["action"] == "/cases/00001001/chatter/post/"
    assert tags.first(id="nothing") is None
