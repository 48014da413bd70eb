"""The catalogue: the guide's menus and lists, the read API, fixtures, and integrity."""

import shutil

import pytest
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from catalog import selectors
from catalog.integrity import MODELS, catalogue_problems
from catalog.models import ContractPlan, MainContent, Product, ProductGroup, Service

pytestmark = pytest.mark.django_db

ULTIMATE_MENU = [
    "ESET Premium Support Ultimate",
    "HealthCheck",
    "ESET Deployment and Upgrade",
    "ESET MDR Ultimate",
]
LITE_MENU = ["ESET Premium Support", "ESET MDR"]
MALWARE_PROBLEMS_JA = [
    "ウイルスが駆除できませんでした",
    "ウイルスは検出されませんでした",
    "ハッキングされたルーター",
    "ファイルコーダー",
    "ブラウザの問題/アドウェア/望ましくない可能性があるアプリケーション",
    "ブロックされたURL",
    "マルウェアに関するその他の問題",
    "不審な行動の情報",
    "詐欺メール",
    "誤検知/不審な可能性のあるアプリケーションの申告",
]
MALWARE_PROBLEMS_EN = [
    "Virus cannot be removed",
    "Virus was not detected",
    "Hacked router",
    "Filecoder",
    "Browser problems/Adware/Potentially unwanted applications",
    "Blocked URL",
    "Other malware issue",
    "Suspicious behaviour information",
    "Scam email",
    "False positive/Report of a potentially suspicious application",
]


def names(entries):
    return [entry.name for entry in entries]


def plan(code):
    return ContractPlan.objects.get(code=code)


def test_it_offers_the_guides_ultimate_and_lite_menus(catalogue):
    assert names(selectors.services_for_plan(plan("mdr-ultimate"))) == ULTIMATE_MENU
    assert names(selectors.services_for_plan(plan("mdr-lite"))) == LITE_MENU


def test_it_never_offers_a_lite_company_an_ultimate_only_service(catalogue):
    lite = set(selectors.services_for_plan(plan("mdr-lite")).values_list("code", flat=True))
    ultimate_only = {"deployment-upgrade", "healthcheck", "mdr-ultimate"}
    assert lite.isdisjoint(ultimate_only)
    assert "premium-support-ultimate" not in lite


def test_it_lists_the_detection_and_response_services_of_the_guides_menu(catalogue):
    all_names = set(Service.objects.values_list("name_en", flat=True))
    assert {"Detection and Response Essential", "Detection and Response Advanced"} <= all_names


def test_it_asks_instance_ids_for_incident_services_only(catalogue):
    asking = set(Service.objects.filter(asks_instance_ids=True).values_list("code", flat=True))
    assert {"mdr", "mdr-ultimate"} <= asking
    assert asking.isdisjoint({"premium-support", "premium-support-ultimate", "healthcheck"})
    for service in Service.objects.filter(kind="incident"):
        assert service.asks_instance_ids, service.code


def test_it_gives_staged_services_their_ordered_stages(catalogue):
    for code in ("healthcheck", "deployment-upgrade", "eei-initial-optimization"):
        stages = selectors.stages_of(Service.objects.get(code=code))
        assert len(stages) >= 4
        assert [s.position for s in stages] == sorted(s.position for s in stages)
    assert not selectors.stages_of(Service.objects.get(code="premium-support"))
    with translation.override("ja"):
        assert names(selectors.stages_of(Service.objects.get(code="healthcheck")))[0] == (
            "アセスメントフォーム"
        )


def test_it_lists_malwares_ten_problems_in_the_guides_order_in_both_languages(catalogue):
    malware = MainContent.objects.get(code="malware")
    with translation.override("ja"):
        assert malware.name == "マルウェア"
        assert names(selectors.problems_of(malware)) == MALWARE_PROBLEMS_JA
    with translation.override("en"):
        assert malware.name == "Malware"
        assert names(selectors.problems_of(malware)) == MALWARE_PROBLEMS_EN


def test_it_proposes_other_main_contents_each_with_problems(catalogue):
    main_contents = selectors.main_contents()
    assert main_contents.count() >= 7
    for main_content in main_contents:
        assert selectors.problems_of(main_content).count() >= 3, main_content.code


def test_it_has_the_three_example_products_with_versions_and_systems(catalogue):
    endpoint = Product.objects.get(name_en="ESET Endpoint Security")
    versions = [v.version for v in selectors.product_versions(endpoint)]
    assert versions == ["10.0", "10.1", "11.0", "11.1"]
    systems = names(selectors.product_operating_systems(endpoint))
    assert {"Windows 11", "Windows 10"} <= set(systems)
    android = Product.objects.get(name_en="ESET Endpoint Security for Android")
    assert names(selectors.product_operating_systems(android)) == ["Android"]
    macos = Product.objects.get(name_en="ESET Endpoint Security for macOS")
    assert all("macOS" in name for name in names(selectors.product_operating_systems(macos)))
    assert selectors.product_versions(android).exists()
    assert selectors.product_versions(macos).exists()


def test_it_covers_the_eset_business_line_up(catalogue):
    assert Product.objects.active().count() >= 20
    assert ProductGroup.objects.active().count() >= 5
    assert catalogue_problems() == []


def test_it_finds_products_by_part_of_a_name_whatever_the_case(catalogue):
    expected = [
        "ESET Endpoint Security",
        "ESET Endpoint Security for Android",
        "ESET Endpoint Security for macOS",
    ]
    full_width = "".join(chr(ord(c) + 0xFEE0) if c != " " else "\u3000" for c in "endpoint sec")
    for term in ("endpoint sec", "ENDPOINT SEC", full_width, "  Endpoint  Sec "):
        assert set(expected) <= set(names(selectors.product_search(term))), term
    found = names(selectors.product_search("endpoint security android"))
    assert found == ["ESET Endpoint Security for Android"]
    everything = Product.objects.active().filter(group__active=True).count()
    assert len(selectors.product_search("")) == len(selectors.product_search("   ")) == everything
    assert selectors.product_search("%") == []


def test_it_finds_products_by_their_japanese_name(catalogue):
    group = ProductGroup.objects.first()
    Product.objects.create(code="jp-probe", name_ja="暗号化ツール", name_en="Crypt", group=group)
    with translation.override("ja"):
        assert names(selectors.product_search("暗号化")) == ["暗号化ツール"]


def test_it_searches_the_process_copy_without_a_query(catalogue, django_assert_num_queries):
    selectors.product_search("eset endpoint")  # reads the copy, as a worker's first search does
    with django_assert_num_queries(0):
        assert selectors.product_search("eset endpoint")


def test_it_hides_inactive_entries_from_new_forms_but_keeps_them_readable(catalogue):
    android = Product.objects.get(code="eset-endpoint-security-android")
    android.active = False
    android.save()
    assert "ESET Endpoint Security for Android" not in names(
        selectors.product_search("endpoint sec")
    )
    assert Product.objects.get(pk=android.pk).name == "ESET Endpoint Security for Android"

    premium = Service.objects.get(code="premium-support")
    premium.active = False
    premium.save()
    assert names(selectors.services_for_plan(plan("mdr-lite"))) == ["ESET MDR"]

    malware = MainContent.objects.get(code="malware")
    first = selectors.problems_of(malware).first()
    first.active = False
    first.save()
    assert len(selectors.problems_of(malware)) == 9


def test_it_defaults_to_the_normal_priority_and_has_response_targets(catalogue):
    with translation.override("ja"):
        assert names(selectors.priorities()) == ["一般", "深刻", "重大"]
        assert selectors.default_priority().name == "一般"
    with translation.override("en"):
        assert names(selectors.priorities()) == ["Normal", "Serious", "Critical"]
    for service in Service.objects.active():
        for priority in selectors.priorities():
            assert selectors.response_target_minutes(service, priority) > 0


def _snapshot():
    return [serializers.serialize("json", model.objects.order_by("pk")) for model in MODELS]


def test_it_changes_nothing_when_the_fixtures_are_loaded_twice(catalogue):
    before = _snapshot()
    call_command("load_catalogue", verbosity=0)
    assert _snapshot() == before


def test_it_loads_only_into_an_empty_catalogue_when_asked(catalogue):
    Service.objects.filter(code="mdr").update(name_en="ESET MDR (edited by an operator)")
    call_command("load_catalogue", "--if-empty", verbosity=0)
    assert Service.objects.get(code="mdr").name_en == "ESET MDR (edited by an operator)"


@pytest.fixture
def broken_fixtures(tmp_path, settings, catalogue):
    """An empty catalogue and a copy of the real fixtures that a test may break."""
    for model in (ContractPlan, Service, MainContent, Product, ProductGroup):
        model.objects.all().delete()
    for model in MODELS:
        model.objects.all().delete()
    for path in settings.CATALOGUE_FIXTURES_DIR.glob("*.yaml"):
        shutil.copy(path, tmp_path)
    settings.CATALOGUE_FIXTURES_DIR = tmp_path

    def append(text):
        with (tmp_path / "catalog_topics.yaml").open("a") as handle:
            handle.write(text)

    return append


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (
            "- {model: catalog.problem, fields: {main_content: [no-such-thing], code: x,"
            " name_ja: x, name_en: x}}\n",
            "Problem has no main_content",
        ),
        (
            "- {model: catalog.productversion, fields: {product: [no-such-product],"
            " version: '1.0'}}\n",
            "ProductVersion has no product",
        ),
        (
            "- {model: catalog.problem, fields: {code: orphan, name_ja: x, name_en: x}}\n",
            "main_content",
        ),
        (
            "- {model: catalog.maincontent, fields: {code: Not A Code, name_ja: x, name_en: x}}\n",
            "code",
        ),
        (
            "- {model: catalog.maincontent, fields: {code: empty-topic, name_ja: 空,"
            " name_en: Empty}}\n",
            "main content empty-topic has no active problem",
        ),
        (
            "- {model: catalog.productversion, fields: {product: [eset-endpoint-security],"
            " version: 'eleven'}}\n",
            "version",
        ),
    ],
)
def test_it_refuses_fixtures_that_break_the_tree_and_loads_nothing(
    broken_fixtures, broken, message
):
    broken_fixtures(broken)
    with pytest.raises(CommandError, match=message):
        call_command("load_catalogue", verbosity=0)
    assert not Service.objects.exists()
    assert not MainContent.objects.exists()


def test_it_refuses_a_duplicate_code_in_the_fixtures(broken_fixtures):
    broken_fixtures(
        "- model: catalog.problem\n  pk: 999999\n  fields: {main_content: [malware],"
        " code: filecoder, name_ja: x, name_en: x}\n"
    )
    with pytest.raises(CommandError, match=r"(?i)unique"):
        call_command("load_catalogue", verbosity=0)
    assert not Service.objects.exists()


def test_it_knows_where_its_fixtures_live():
    assert (settings.CATALOGUE_FIXTURES_DIR / "catalog_products.yaml").is_file()
