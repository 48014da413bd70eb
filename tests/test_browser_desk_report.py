"""An operator opens "How the desk is doing" from the console's index, reads the charts and
the tables under them, picks another period, sees the numbers change, and downloads the CSV,
in Japanese and in English."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from desk.report import default_period
from tests.helpers import assert_accessible, signed_in_page
from tests.report_data import TOKYO, answered, opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORDS = {
    "ja": {
        "link": "対応状況レポート",
        "whole": "期間全体",
        "start": "開始日",
        "end": "終了日",
        "show": "表示",
        "csv": "CSV をダウンロード",
        "header": "期間または週の開始日,サービス,優先度,受付ケース数",
        "median": "2 時間",
    },
    "en": {
        "link": "How the desk is doing",
        "whole": "Whole period",
        "start": "Start date",
        "end": "End date",
        "show": "Show",
        "csv": "Download as CSV",
        "header": "Period or week from,Service,Priority,Cases opened",
        "median": "2 hours",
    },
}


def at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TOKYO)


@pytest.mark.parametrize(("language", "locale"), [("ja", "ja-JP"), ("en", "en-GB")])
def test_it_walks_an_operator_through_the_report(
    new_page, operator, customer, language, locale, tmp_path
):
    operator.language = language
    operator.save()
    w = WORDS[language]
    start, end = default_period(dt.datetime.now(TOKYO).date())
    recent = end - dt.timedelta(days=10)
    for hours in (1, 2, 3):
        case = opened(customer, at(recent, 10), resolved_at=at(recent, 15))
        answered(case, at(recent, 11), taken=hours * 60, target=120)
    earlier = start - dt.timedelta(days=60)
    opened(customer, at(earlier, 10))

    page = signed_in_page(new_page, operator, locale)
    page.goto("/admin/")
    page.get_by_role("link", name=w["link"]).click()

    expect(page.locator("svg[role=img]")).to_have_count(2)
    whole = page.get_by_test_id("weekly-table").locator("tfoot tr")
    expect(whole.locator("th")).to_have_text(w["whole"])
    expect(whole.locator("td").nth(0)).to_have_text("3")
    expect(whole.locator("td").nth(3)).to_have_text(w["median"])  # the median of 1, 2 and 3 hours
    assert_accessible(page, f"desk report ({language})")

    page.get_by_label(w["start"]).fill(earlier.isoformat())
    page.get_by_label(w["end"]).fill(end.isoformat())
    page.get_by_role("button", name=w["show"]).click()
    expect(whole.locator("td").nth(0)).to_have_text("4")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=w["csv"]).click()
    path = tmp_path / "report.csv"
    download_info.value.save_as(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("\ufeff" + w["header"])
    assert lines[1].startswith(f"{earlier.isoformat()}/{end.isoformat()},ESET Premium Support,")
    assert page.problems == []
