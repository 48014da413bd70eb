from typing import ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog.models import (
    ContractPlan,
    MainContent,
    OperatingSystem,
    Priority,
    Problem,
    Product,
    ProductGroup,
    ProductVersion,
    ResponseTarget,
    Service,
    Stage,
)
from catalog.response_targets import first_response_text, next_response_text
from desk.calendars import support_calendar


@admin.action(description=_("Activate selected entries"))
def activate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_active(modeladmin, request, queryset, True)


@admin.action(description=_("Deactivate selected entries (kept on old cases)"))
def deactivate(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet) -> None:
    _set_active(modeladmin, request, queryset, False)


def _set_active(
    modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet, active: bool
) -> None:
    count = queryset.update(active=active)
    text = (
        ngettext("%(count)d entry activated.", "%(count)d entries activated.", count)
        if active
        else ngettext("%(count)d entry deactivated.", "%(count)d entries deactivated.", count)
    )
    modeladmin.message_user(request, text % {"count": count}, messages.SUCCESS)


class CatalogAdmin(admin.ModelAdmin):
    """Shared list layout: both names, the code, position and the active flag."""

    # Typed as any length so that each catalogue's admin can list its own columns.
    list_display: tuple[str, ...] = ("name_ja", "name_en", "code", "position", "active")
    list_editable: ClassVar[tuple[str, ...]] = ("position", "active")
    list_filter: ClassVar[tuple[str, ...]] = ("active",)
    search_fields = ("name_ja", "name_en", "code")
    ordering: ClassVar[tuple[str, ...]] = ("position", "id")
    actions = [activate, deactivate]


class StageInline(admin.TabularInline):
    model = Stage
    fields = ("position", "code", "name_ja", "name_en", "active")
    ordering = ("position", "id")
    extra = 0


class ShownAsColumn:
    """The minutes an operator types, in the words the customer reads on the case."""

    @admin.display(description=_("shown to customers as"))
    def shown_as(self, target: ResponseTarget) -> str:
        # An inline's empty row has no minutes yet; the words appear once it is saved.
        if not (target.minutes and target.next_minutes):
            return ""
        return format_html(
            "{}<br>{}",
            first_response_text(target.minutes, support_calendar()),
            next_response_text(target.next_minutes),
        )


class ResponseTargetInline(ShownAsColumn, admin.TabularInline):
    model = ResponseTarget
    fields = ("priority", "minutes", "next_minutes", "shown_as")
    readonly_fields = ("shown_as",)
    extra = 0


@admin.register(Service)
class ServiceAdmin(CatalogAdmin):
    list_display = (
        "name_ja",
        "name_en",
        "code",
        "kind",
        "form_layout",
        "asks_instance_ids",
        "position",
        "active",
    )
    list_filter = ("active", "kind", "form_layout", "asks_instance_ids", "plans")
    inlines = [StageInline, ResponseTargetInline]


@admin.register(ContractPlan)
class ContractPlanAdmin(CatalogAdmin):
    filter_horizontal = ("services",)


@admin.register(ProductGroup)
class ProductGroupAdmin(CatalogAdmin):
    pass


@admin.register(OperatingSystem)
class OperatingSystemAdmin(CatalogAdmin):
    pass


class ProductVersionInline(admin.TabularInline):
    model = ProductVersion
    fields = ("position", "version", "active")
    ordering = ("position", "id")
    extra = 0


@admin.register(Product)
class ProductAdmin(CatalogAdmin):
    list_display = ("name_ja", "name_en", "code", "group", "position", "active")
    list_filter = ("active", "group", "operating_systems")
    list_select_related = ("group",)
    filter_horizontal = ("operating_systems",)
    inlines = [ProductVersionInline]


class ProblemInline(admin.TabularInline):
    model = Problem
    fields = ("position", "code", "name_ja", "name_en", "active")
    ordering = ("position", "id")
    extra = 0


@admin.register(MainContent)
class MainContentAdmin(CatalogAdmin):
    inlines = [ProblemInline]


@admin.register(Problem)
class ProblemAdmin(CatalogAdmin):
    list_display = ("name_ja", "name_en", "code", "main_content", "position", "active")
    list_filter = ("active", "main_content")
    list_select_related = ("main_content",)
    ordering = ("main_content__position", "position", "id")


@admin.register(Priority)
class PriorityAdmin(CatalogAdmin):
    list_display = ("name_ja", "name_en", "code", "is_default", "position", "active")


@admin.register(ResponseTarget)
class ResponseTargetAdmin(ShownAsColumn, admin.ModelAdmin):
    list_display = ("service", "priority", "minutes", "next_minutes", "shown_as")
    list_editable = ("minutes", "next_minutes")
    list_filter = ("service", "priority")
    list_select_related = ("service", "priority")
    ordering = ("service__position", "priority__position")


@admin.register(Stage)
class StageAdmin(CatalogAdmin):
    list_display = ("name_ja", "name_en", "code", "service", "position", "active")
    list_filter = ("active", "service")
    list_select_related = ("service",)
    ordering = ("service__position", "position", "id")


@admin.register(ProductVersion)
class ProductVersionAdmin(admin.ModelAdmin):
    list_display = ("product", "version", "position", "active")
    list_editable = ("position", "active")
    list_filter = ("active", "product__group", "product")
    list_select_related = ("product",)
    search_fields = ("version", "product__name_en", "product__name_ja", "product__code")
    ordering = ("product__position", "position", "id")
    actions = [activate, deactivate]
