"""Enumerate every URL pattern of the project as a concrete path an anonymous visitor can try."""

import re
import uuid
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

# Values for path converters: they name nothing that exists, so object pages answer 404.
CONVERTER_SAMPLES = {
    "int": "987654",
    "slug": "no-such-thing",
    "str": "no-such-thing",
    "path": "no/such/thing",
    "uuid": str(uuid.UUID(int=0)),
}
_CONVERTER = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the route itself when unnamed
    route: str  # the pattern text, e.g. "chapters/<slug:slug>/"
    path: str  # a concrete path to request


def _fill(route: str) -> str | None:
    if route.startswith("^"):
        # A regular expression (the admin's app index): only plain literal parts can be filled.
        literal = route.lstrip("^").rstrip("$")
        literal = re.sub(r"\(\?P<[^>]+>([^)]*)\)", lambda m: m.group(1).split("|")[0], literal)
        return None if re.search(r"[\\\[\](){}*+?]", literal) else literal
    return _CONVERTER.sub(lambda m: CONVERTER_SAMPLES.get(m.group("conv") or "str", "x"), route)


def walk(patterns=None, prefix="", namespace=""):
    """Yield a Route for every leaf pattern under `patterns` (default: the root URLconf)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for pattern in patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from walk(pattern.url_patterns, prefix + text, ns)
        elif isinstance(pattern, URLPattern):
            route = prefix + text
            base = pattern.name or route
            name = f"{namespace}:{base}" if namespace and pattern.name else base
            filled = _fill(prefix) if prefix.startswith("^") else prefix
            leaf = _fill(text)
            if filled is None or leaf is None:
                continue
            yield Route(name=name, route=route, path="/" + filled + leaf)
