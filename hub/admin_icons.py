"""Yes / no icons of the operator console that speak the operator's language.

Django's admin draws a boolean as an icon whose alt text is Python's True, False or None, in
English whatever the language (django.contrib.admin.templatetags.admin_list._boolean_icon,
which the change list, the read-only fields and the delete summary all call by that name)."""

from django.contrib.admin.templatetags import admin_list
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext


def boolean_icon(value: bool | None) -> str:
    icon, text = {
        True: ("yes", gettext("Yes")),
        False: ("no", gettext("No")),
        None: ("unknown", gettext("Unknown")),
    }[value]
    return format_html('<img src="{}" alt="{}">', static(f"admin/img/icon-{icon}.svg"), text)


def install() -> None:
    admin_list._boolean_icon = boolean_icon  # type: ignore[attr-defined]  # private, unstubbed
