"""The 商品ID box's product search: a part of a name in English or Japanese (katakana,
hiragana, the reading), whatever its width and case, the guide's order, and the suggestions
view htmx asks as the customer types."""

import re

import pytest
import yaml
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from catalog import search, selectors
from catalog.models import Product, ProductGroup
from tests.factories import create_user, with_authenticator
from tests.helpers import GUIDE_SUGGESTIONS, force_sign_in

pytestmark = pytest.mark.django_db
SUGGEST = reverse("cases:product_suggestions")
ENDPOINT = [
    "ESET Endpoint Antivirus",
    "ESET Endpoint Antivirus for Linux",
    "ESET Endpoint Antivirus for macOS",
    *GUIDE_SUGGESTIONS,
]


def found(term: str) -> list[str]:
    return [product.name_en for product in selectors.product_search(term)]


def suggested(client, term: str) -> list[str]:
    response = client.get(SUGGEST, {"product_query": term}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return re.findall(r'<li role="option"[^>]*>([^<]*)</li>', response.content.decode())


def test_it_suggests_what_the_guide_shows_in_its_order(catalogue):
    assert found("ESET Endpoint Security") == GUIDE_SUGGESTIONS


@pytest.mark.parametrize(
    "term",
    [
        "ESET Endpoint Security",
        "eset endpoint security",
        "ＥＳＥＴ　Ｅｎｄｐｏｉｎｔ　Ｓｅｃｕｒｉｔｙ",  # typed with a Japanese IME: full width
        "ｅｓｅｔ ｅｎｄｐｏｉｎｔ ｓｅｃ",
        "  endpoint   SEC ",
        "EndpointSecurity",
        "イーセット エンドポイント セキュリティ",
        "エンドポイントセキュリティー",  # the long-vowel mark, as many type it
        "えんどぽいんと せきゅりてぃ",  # hiragana, before the IME converts it
        "ｴﾝﾄﾞﾎﾟｲﾝﾄ ｾｷｭﾘﾃｨ",  # half-width katakana
    ],
)
def test_it_ignores_width_case_spaces_and_kana(catalogue, term):
    assert found(term) == GUIDE_SUGGESTIONS, term


def test_it_finds_a_product_by_a_part_of_its_japanese_reading(catalogue):
    assert found("エンドポイント") == found("endpoint")
    assert set(ENDPOINT) <= set(found("エンドポイント"))
    assert found("アンドロイド") == ["ESET Endpoint Security for Android"]
    assert found("プロテクト オンプレ") == ["ESET PROTECT On-Prem"]
    assert found("さーば") == found("サーバー") != []


def test_it_lists_names_that_start_with_the_term_first_then_by_name(catalogue):
    group = ProductGroup.objects.get(code="endpoint")
    Product.objects.create(
        code="probe", name_ja="Security Probe", name_en="Security Probe", group=group
    )
    security = found("security")
    assert security[0] == "Security Probe"
    assert security[1:] == sorted(security[1:], key=str.casefold)
    assert "ESET Cloud Office Security" in security


def test_it_sorts_by_the_name_the_reader_sees(catalogue):
    group = ProductGroup.objects.get(code="endpoint")
    for code, ja, en in (("a", "ん製品", "Alpha tool"), ("b", "あ製品", "Beta tool")):
        Product.objects.create(code=code, name_ja=ja, name_en=en, reading_ja="テスト", group=group)
    with translation.override("en"):
        assert [p.name for p in selectors.product_search("テスト")] == ["Alpha tool", "Beta tool"]
    with translation.override("ja"):
        assert [p.name for p in selectors.product_search("テスト")] == ["あ製品", "ん製品"]


def test_it_finds_nothing_for_what_no_name_holds(catalogue):
    for term in ("%", "_", "eset%", "ESET Endpoint Security for iOS", "<script>"):
        assert found(term) == [], term


def test_it_offers_only_active_products_of_active_groups(catalogue):
    Product.objects.filter(code="eset-endpoint-security-android").update(active=False)
    assert "ESET Endpoint Security for Android" not in found("endpoint security")
    ProductGroup.objects.filter(code="endpoint").update(active=False)
    assert found("endpoint security") == []


def test_it_finds_a_product_added_or_renamed_at_once(catalogue):
    found("eset")  # the process's copy is read
    product = Product.objects.get(code="eset-bridge")
    product.reading_ja = "イーセット ブリッジ ゲートウェイ"
    product.save()
    assert found("ゲートウェイ") == ["ESET Bridge"]


def test_it_knows_the_japanese_reading_of_every_product_of_the_fixtures():
    path = settings.CATALOGUE_FIXTURES_DIR / "catalog_products.yaml"
    products = [
        entry["fields"]
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))
        if entry["model"] == "catalog.product"
    ]
    unread = [fields["code"] for fields in products if not fields.get("reading_ja")]
    assert unread == []
    for fields in products:
        assert re.fullmatch(r"[\u30a0-\u30ff ]+", fields["reading_ja"]), fields["code"]


def test_it_normalises_both_sides_alike():
    assert search.search_key("ＥＳＥＴ") == search.search_key("eset") == "eset"
    assert search.search_key("ぷろてくと") == search.search_key("ﾌﾟﾛﾃｸﾄ") == "プロテクト"
    assert search.query_words("ー・ -") == []


# -- the suggestions view ----------------------------------------------------------------


def test_it_suggests_to_a_signed_in_customer_in_their_language(customer_client, customer):
    assert suggested(customer_client, "ESET Endpoint Security") == GUIDE_SUGGESTIONS
    response = customer_client.get(SUGGEST, {"product_query": "ESET Endpoint Security"})
    content = response.content.decode()
    option = 'role="option" id="product-option-{pk}" class="hub-combobox-option" data-value="{pk}"'
    endpoint = Product.objects.get(code="eset-endpoint-security")
    assert option.format(pk=endpoint.pk) in content
    status = re.search(
        r'<div id="product-suggestions-status" hx-swap-oob="innerHTML">(.*?)</div>', content, re.S
    )
    with translation.override(customer.language):
        three = translation.ngettext(
            "%(counter)s product matches.", "%(counter)s products match.", 3
        ) % {"counter": 3}
    assert three in status.group(1)


def test_it_says_when_nothing_matches_and_when_the_list_is_cut(customer_client, customer):
    with translation.override(customer.language):
        none = translation.gettext("No product matches. Try another part of its name.")
        cut = translation.gettext(
            "The first %(shown)s are listed: type more of the name to narrow them down."
        ) % {"shown": 20}
    response = customer_client.get(SUGGEST, {"product_query": "no such product"})
    assert none in response.content.decode()
    assert suggested(customer_client, "no such product") == []
    content = customer_client.get(SUGGEST, {"product_query": "eset"}).content.decode()
    assert len(re.findall(r'role="option"', content)) == 20
    assert cut in content


def test_it_shows_product_names_as_text(customer_client, catalogue):
    group = ProductGroup.objects.get(code="endpoint")
    name = "<script>x</script>"
    Product.objects.create(code="xss", name_ja=name, name_en=name, group=group)
    content = customer_client.get(SUGGEST, {"product_query": "script"}).content.decode()
    assert "<script>x" not in content
    assert "&lt;script&gt;x&lt;/script&gt;" in content


@pytest.mark.parametrize(
    "query",
    ["%00", "endpoint%00", "%ED%A0%80", "%FF", "9" * 10_000, "%E2%80%AEytiruces", "%E3%80%80" * 50],
)
def test_it_answers_odd_terms_without_error(customer_client, query):
    response = customer_client.get(f"{SUGGEST}?product_query={query}")
    # A NUL is refused before any view (hub.middleware); the rest search as typed.
    assert response.status_code == (400 if "%00" in query else 200)


def test_it_suggests_only_to_a_signed_in_company_member(client, customer_client, catalogue):
    assert client.get(SUGGEST, {"product_query": "eset"}).status_code == 302
    operator = create_user(email="op@eset.example", is_staff=True)
    with_authenticator(operator)
    assert force_sign_in(client, operator).get(SUGGEST).status_code == 403
    assert customer_client.post(SUGGEST, {"product_query": "eset"}).status_code == 405
