"""Every URL pattern of the project, found by walking the resolvers, and a concrete address for each."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver

ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")
REGEX_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>[^)]*\)")


@dataclass(frozen=True)
class UrlPattern:
    route: str  # the whole pattern as written, e.g. "stories/<slug:slug>/brief/publish/"
    name: str | None  # "namespace:name", or None for an unnamed pattern

    @property
    def is_admin(self) -> bool:
        return self.route.startswith("admin/")

    def path(self, values: dict[str, object]) -> str:
        """A concrete address: each parameter replaced by values[name]; a KeyError names a missing sample."""

        def value(match: re.Match) -> str:
            name = match.group("name")
            if name not in values:
                raise KeyError(f"no sample value for <{name}> in {self.route!r}: add one to the test")
            return str(values[name])

        text = ROUTE_PARAMETER.sub(value, REGEX_GROUP.sub(value, self.route))
        return "/" + text.replace("^", "").replace("$", "")


def all_url_patterns() -> list[UrlPattern]:
    def walk(patterns, prefix: str, namespace: str):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}{pattern.name}" if pattern.name else None
                yield UrlPattern(route=prefix + str(pattern.pattern), name=name)

    return list(walk(get_resolver().url_patterns, "", ""))
