"""Checks that the catalogue tree is whole, beyond what single rows and constraints can say."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q

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

MODELS = [
    Service,
    ContractPlan,
    Stage,
    ProductGroup,
    OperatingSystem,
    Product,
    ProductVersion,
    MainContent,
    Problem,
    Priority,
    ResponseTarget,
]


def catalogue_problems() -> list[str]:
    """Every way the catalogue is broken, as sentences naming the entry; empty when whole."""
    problems = []
    for model in MODELS:
        for entry in model._default_manager.all():
            try:
                # Uniqueness and constraints are the database's job; this adds field checks.
                entry.full_clean(validate_unique=False, validate_constraints=False)
            except ValidationError as error:
                problems.append(f"{model._meta.label} {entry}: {'; '.join(error.messages)}")

    defaults = Priority.objects.active().filter(is_default=True).count()
    if defaults != 1:
        problems.append(f"exactly one active priority must be the default (found {defaults})")

    for product in Product.objects.active().annotate(
        n_versions=Count("versions", filter=Q(versions__active=True), distinct=True),
        n_systems=Count("operating_systems", filter=Q(operating_systems__active=True)),
    ):
        if not product.n_versions:
            problems.append(f"product {product.code} has no active version")
        if not product.n_systems:
            problems.append(f"product {product.code} has no active operating system")

    for main_content in MainContent.objects.active().annotate(
        n_problems=Count("problems", filter=Q(problems__active=True))
    ):
        if not main_content.n_problems:
            problems.append(f"main content {main_content.code} has no active problem")

    targets = set(ResponseTarget.objects.values_list("service__code", "priority__code"))
    active_priorities = list(Priority.objects.active())
    for service in Service.objects.active():
        for priority in active_priorities:
            if (service.code, priority.code) not in targets:
                problems.append(
                    f"service {service.code} has no response target for priority {priority.code}"
                )
    return problems
