"""An approval request names the browser as a person does (「Chrome (Windows)」), not by its raw
User-Agent header."""

import pytest
from django.test import Client
from django.utils import translation

from hub.user_agents import describe
from tests.phone import Phone, approval_page, pair

CHROME_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
EXAMPLES = {
    CHROME_WINDOWS: "Chrome (Windows)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0": "Edge (Windows)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Safari/605.1.15": "Safari (macOS)",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
    "Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1": "Chrome (iOS)",
    "Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/18.1 Mobile/15E148 Safari/604.1": "Safari (iPadOS)",
    "Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36": "Samsung Internet (Android)",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0": (
        "Firefox (Linux)"
    ),
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36": "Chrome (ChromeOS)",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36 OPR/114.0.0.0": "Opera (Windows)",
}


@pytest.mark.parametrize(("header", "name"), EXAMPLES.items())
def test_it_names_common_browsers_and_systems(header, name):
    assert describe(header) == name


@pytest.mark.parametrize(
    ("language", "unknown"), [("ja", "不明なブラウザ"), ("en", "Unknown browser")]
)
def test_it_says_unknown_in_the_readers_language(language, unknown):
    with translation.override(language):
        assert describe("") == unknown
        assert describe("curl/8.5.0") == unknown
        assert describe("SomeBot/1.0 (Windows NT 10.0)") == f"{unknown} (Windows)"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "unknown"), [("ja", "不明なブラウザ"), ("en", "Unknown browser")]
)
def test_it_shows_the_browser_of_an_approval_request_by_name(make_user, company, language, unknown):
    newcomer = make_user(email="newcomer@example.co.jp", full_name="新人", company=company)
    phone = Phone(Client(headers={"accept-language": language}))
    pair(Client(), phone, newcomer)

    approval_page(Client(headers={"user-agent": CHROME_WINDOWS}), newcomer)
    approval_page(Client(headers={"user-agent": "curl/8.5.0"}), newcomer)
    shown = [approval["browser"] for approval in phone.state().json()["approvals"]]

    assert shown == [unknown, "Chrome (Windows)"]  # newest first
