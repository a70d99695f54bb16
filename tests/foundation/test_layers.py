"""The layout's promises (README, "Architecture"), read from the code's own imports, function-local ones
included: no import cycle between the project's modules, the domain app never imports the editorial app or the
web layer, and the NLP package is plain Python that knows nothing of Django or of the rest of the project."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("articles", "briefs", "web", "workbench")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _project_modules() -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                modules[_module_name(path)] = path
    return modules


def _imported_names(path: Path, module: str) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _graph() -> dict[str, set[str]]:
    modules = _project_modules()
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets = set()
        for name in _imported_names(path, module):
            # The longest project module that the imported name is, or lies inside.
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module and not module.startswith(name + "."):
                targets.add(name)
        graph[module] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_reader_sees_every_import_including_function_local_ones():
    graph = _graph()
    # articles.nlp.claims imports articles.nlp.embeddings inside a function (the model loads on first use).
    assert "articles.nlp.embeddings" in graph["articles.nlp.claims"]
    assert "articles.nlp.facts" in graph["articles.nlp.claims"]


def test_a_cycle_is_found_when_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_the_project_modules():
    assert _cycles(_graph()) == []


@pytest.mark.parametrize(
    ("layer", "forbidden"),
    [
        ("articles", ("briefs", "web")),
        ("briefs", ("web",)),
        ("workbench", ("articles", "briefs")),
    ],
)
def test_lower_layers_never_import_upper_ones(layer, forbidden):
    offending = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        if module.split(".")[0] == layer
        for target in targets
        if target.split(".")[0] in forbidden
    )
    assert offending == []


def test_the_nlp_package_needs_neither_django_nor_the_rest_of_the_project():
    modules = _project_modules()
    offending = []
    for module, path in modules.items():
        if not module.startswith("articles.nlp"):
            continue
        for name in _imported_names(path, module):
            top = name.split(".")[0]
            if top == "django" or (
                top in PACKAGES and not name.startswith(("articles.nlp", "articles.rules"))
            ):
                offending.append(f"{module} -> {name}")
    assert sorted(offending) == []
