"""The operator console speaks the operator's language where Django and django-otp do not: the
two-factor device sections ("Otp_Totp", "TOTP devices"), the yes/no icons' text (alt="True"),
the search magnifier and django-otp's search help."""

import html
import re

import pytest

pytestmark = pytest.mark.django_db

WORDS = {
    "ja": {
        "totp_app": "認証アプリ",
        "static_app": "リカバリーコード",
        "static_model": "リカバリーコード一式",
        "columns": ["ユーザー", "名前", "作成日時", "最終使用日時", "確認済み"],
    },
    "en": {
        "totp_app": "Authenticator apps",
        "static_app": "Recovery codes",
        "static_model": "Recovery code lists",
        "columns": ["User", "Name", "Created", "Last used", "Confirmed"],
    },
}


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_names_the_device_sections_in_the_operators_language(
    operator, operator_client, language
):
    operator.language = language
    operator.save()
    w = WORDS[language]
    index = operator_client.get("/admin/").content.decode()

    sections = dict(re.findall(r'href="/admin/(otp_\w+)/" class="section"[^>]*>([^<]+)</a>', index))
    assert sections == {"otp_totp": w["totp_app"], "otp_static": w["static_app"]}
    assert w["static_model"] in text(index)
    assert "TOTP" not in text(index) and "Otp_" not in index

    listing = text(operator_client.get("/admin/otp_totp/totpdevice/").content.decode())
    for column in w["columns"]:
        assert column in listing


@pytest.mark.parametrize(
    ("language", "yes", "search", "help_text"),
    [
        ("ja", "はい", "検索", "ユーザーのメールアドレスで検索します。"),
        ("en", "Yes", "Search", "Search by the user's email address."),
    ],
)
def test_it_gives_the_consoles_icons_and_search_the_operators_language(
    operator, operator_client, language, yes, search, help_text
):
    operator.language = language
    operator.save()
    users = operator_client.get("/admin/accounts/user/").content.decode()
    assert f'alt="{yes}"' in users and 'alt="True"' not in users
    assert re.search(rf'search[^"]*\.svg" alt="{search}"', users)

    devices = html.unescape(operator_client.get("/admin/otp_totp/totpdevice/").content.decode())
    assert help_text in devices and "Search by user's" not in devices


DEVICE_PAGE_WORDS = {
    "ja": {
        "sections": ["基本情報", "日時", "設定", "状態", "試行回数の制限"],
        "labels": ["秘密鍵", "時間ステップ", "開始時刻（T0）", "桁数", "許容ステップ数"],
        "state": ["時刻のずれ", "連続失敗回数"],
        "help": ["1つの確認コードが有効な秒数です。", "この二要素認証でログインするユーザーです。"],
    },
    "en": {
        "sections": ["Identity", "Dates", "Configuration", "State", "Throttling"],
        "labels": ["Secret key", "Time step", "Start time (T0)", "Digits", "Tolerance"],
        "state": ["Drift", "Failed attempts"],
        "help": [
            "How many seconds each verification code is valid for.",
            "The user who logs in with this second factor.",
        ],
    },
}
# What django-otp writes on these pages, English whatever the language.
DJANGO_OTP_ENGLISH = [
    "Timestamps",
    "Key:",
    "Step:",
    "T0:",
    "The time step in seconds.",
    "The user that this device belongs to.",
    "The human-readable name of this device.",
    "Is this device ready for use?",
    "Number of successive failed attempts.",
]


def headings(page: str) -> list[str]:
    return [text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", page, re.S)]


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_writes_the_authenticator_apps_change_and_add_pages_in_the_operators_language(
    operator, operator_client, language
):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    operator.language = language
    operator.save()
    w = DEVICE_PAGE_WORDS[language]
    device = TOTPDevice.objects.filter(user=operator).first()
    change = html.unescape(
        operator_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/change/").content.decode()
    )
    add = html.unescape(operator_client.get("/admin/otp_totp/totpdevice/add/").content.decode())

    for page in (change, add):
        assert [h for h in headings(page) if h in w["sections"]] == w["sections"]
        shown = text(page)
        for words in (w["state"], w["help"]):
            assert all(word in shown for word in words), words
        assert not [english for english in DJANGO_OTP_ENGLISH if english in shown]
    assert all(label in text(add) for label in w["labels"]), "the key is shown while adding"
    assert all(label in text(change) for label in w["labels"][1:])
    if language == "ja":
        assert not {"Identity", "Configuration", "Throttling", "Drift"} & set(text(change).split())


@pytest.mark.parametrize("language", ["ja", "en"])
def test_it_writes_the_recovery_code_change_and_add_pages_in_the_operators_language(
    operator, operator_client, language
):
    from django_otp.plugins.otp_static.models import StaticDevice

    operator.language = language
    operator.save()
    w = DEVICE_PAGE_WORDS[language]
    device = StaticDevice.objects.create(user=operator, name="backup")
    for url in (
        f"/admin/otp_static/staticdevice/{device.pk}/change/",
        "/admin/otp_static/staticdevice/add/",
    ):
        page = html.unescape(operator_client.get(url).content.decode())
        assert [h for h in headings(page) if h in w["sections"]] == w["sections"][:2]
        shown = text(page)
        assert w["help"][1] in shown
        assert not [english for english in DJANGO_OTP_ENGLISH if english in shown]
