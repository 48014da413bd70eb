"""The URL configuration walked through every include, for the sweeps that must cover it all."""

from django.urls import URLPattern, URLResolver, get_resolver


def walk(resolver=None, prefix="", namespace=""):
    """(qualified name or None, full pattern) of every URL, through every include."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            # The admin's instance is "otpadmin"; everybody reverses it by its app, "admin".
            inner = entry.app_name or entry.namespace
            yield from walk(entry, pattern, f"{namespace}{inner}:" if inner else namespace)
        elif isinstance(entry, URLPattern):
            yield (f"{namespace}{entry.name}" if entry.name else None), pattern


def named_urls() -> set[str]:
    return {name for name, _ in walk() if name}
