"""The profile page names time zones in the reader's language: 「(UTC+09:00) 東京」, "(UTC+09:00)
Tokyo", never the IANA name "Asia/Tokyo"."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from accounts import time_zones

pytestmark = pytest.mark.django_db
PROFILE = reverse("accounts:profile")


def options(html: str) -> dict[str, str]:
    select = html.split('name="time_zone"', 1)[1].split("</select>", 1)[0]
    return dict(re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select))


def selected(html: str) -> str:
    select = html.split('name="time_zone"', 1)[1].split("</select>", 1)[0]
    return re.search(r'<option value="([^"]+)"[^>]*selected', select).group(1)


@pytest.mark.parametrize(
    ("language", "tokyo", "bratislava", "utc"),
    [
        ("ja", "(UTC+09:00) 東京", "ブラチスラバ", "(UTC) 協定世界時"),
        ("en", "(UTC+09:00) Tokyo", "Bratislava", "(UTC) Coordinated Universal Time"),
    ],
)
def test_it_names_the_time_zones_in_the_readers_language(
    customer, customer_client, language, tokyo, bratislava, utc
):
    customer.language = language
    customer.save()
    html = customer_client.get(PROFILE).content.decode()
    shown = options(html)

    assert shown["Asia/Tokyo"] == tokyo
    assert re.fullmatch(r"\(UTC\+0[12]:00\) " + bratislava, shown["Europe/Bratislava"])
    assert shown["UTC"] == utc
    assert selected(html) == "Asia/Tokyo"
    if language == "ja":
        # Every name is Japanese: the offset aside, no Latin letters are left.
        latin = {z: label for z, label in shown.items() if re.search(r"[A-Za-z]", label[11:])}
        assert latin == {}


def test_it_orders_the_time_zones_by_offset(customer_client):
    shown = list(options(customer_client.get(PROFILE).content.decode()).values())
    offsets = [label.split(")", 1)[0] for label in shown[1:]]  # UTC itself comes first

    def minutes(offset):
        sign, hours, mins = offset[4], int(offset[5:7]), int(offset[8:10])
        return (-1 if sign == "-" else 1) * (hours * 60 + mins)

    assert [minutes(o) for o in offsets] == sorted(minutes(o) for o in offsets)


def test_it_offers_canonical_zones_and_shows_an_old_name_as_its_zone(customer, customer_client):
    with translation.override("ja"):
        zones = dict(time_zones.time_zone_choices())
    assert "Asia/Kolkata" in zones and "Asia/Calcutta" not in zones
    assert not {"Etc/GMT-9", "US/Pacific", "Japan", "EST5EDT"} & set(zones)

    customer.time_zone = "Asia/Calcutta"  # stored before the list was canonical
    customer.save()
    assert selected(customer_client.get(PROFILE).content.decode()) == "Asia/Kolkata"


def test_it_saves_the_chosen_zone(customer, customer_client):
    response = customer_client.post(
        PROFILE, {"time_zone": "America/New_York", "language": "ja", "notify_own_cases_only": ""}
    )
    assert response.status_code == 302
    customer.refresh_from_db()
    assert customer.time_zone == "America/New_York"
