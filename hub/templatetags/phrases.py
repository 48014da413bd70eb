"""`phrases`: a narrow heading in Japanese that breaks between phrases, never inside a word."""

from functools import cache

import budoux
from django import template
from django.utils.html import format_html_join
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@cache
def _parser() -> budoux.Parser:
    return budoux.load_default_japanese_parser()


@register.filter
def phrases(text) -> SafeString:
    """`text`, escaped, with a <wbr> between its phrases (BudouX's Japanese model). Styled
    `word-break: keep-all`, it breaks only there and at spaces: 「お問い合わせチケットの / 作成」,
    not 「お問い / 合わせ…」, which Japanese text does by default. Latin text is one phrase."""
    return format_html_join(
        mark_safe("<wbr>"), "{}", ((chunk,) for chunk in _parser().parse(str(text)))
    )
