"""The shape of the code, checked: contexts form a graph without circles, the platform imports no
context, nobody reaches into another context's private modules, every event has exactly one model
(its producer's) and every consumer parses with it, and the composition root wires every context.

The import graph is read from the source (every ``import`` that runs, at the top of a module or in a
function; ``if TYPE_CHECKING:`` blocks are annotations only and do not count).
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
from collections.abc import Iterator
from pathlib import Path

import functions
import shared
from shared.bootstrap import CONTEXTS
from shared.platform.events import Event, EventHandlers

ROOT = Path(shared.__file__).parent
# Packages of shared/ that are not contexts: the platform and the HTTP edge are below every context.
BELOW_CONTEXTS = {"platform", "http"}
# Modules of shared/ that wire contexts together (the composition root and the runtimes it feeds).
ASSEMBLY = {"bootstrap", "containers", "worker", "localrun", "cli", "placement", "_adapters", "http.app"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _runtime_imports(tree: ast.AST, modules: set[str]) -> Iterator[str]:
    """The modules a module imports when it runs: ``from package import module`` names the module (the
    package's ``__init__`` runs too, but as the package's own entry, not as a dependency)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(child) for child in ast.walk(node))
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                yield full if full in modules else node.module
        elif isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        imported = {m for m in _runtime_imports(ast.parse(path.read_text()), set(modules)) if m in modules}
        graph[name] = imported - {name}
    return graph


GRAPH = _graph()
CONTEXT_NAMES = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()} - BELOW_CONTEXTS


def _context_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in CONTEXT_NAMES else None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph.get(node, ())):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
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


def test_no_module_imports_itself_in_a_circle() -> None:
    assert _cycles(GRAPH) == []


def test_contexts_depend_on_each_other_without_a_circle() -> None:
    between: dict[str, set[str]] = {name: set() for name in CONTEXT_NAMES}
    for module, imported in GRAPH.items():
        source = _context_of(module)
        for target in filter(None, map(_context_of, imported)):
            if source is not None and target != source:
                between[source].add(target)
    assert _cycles(between) == []


def test_the_platform_and_the_edge_import_no_context_and_no_composition_root() -> None:
    wrong = {
        (module, target)
        for module, imported in GRAPH.items()
        if module.split(".")[1:2]
        and module.split(".")[1] in BELOW_CONTEXTS
        and module.removeprefix("shared.") not in ASSEMBLY
        for target in imported
        if _context_of(target) is not None or target.removeprefix("shared.") in ASSEMBLY
    }
    assert wrong == set()


def test_contexts_never_import_the_composition_root() -> None:
    wrong = {
        (module, target)
        for module, imported in GRAPH.items()
        if _context_of(module) is not None
        for target in imported
        if target.removeprefix("shared.") in ASSEMBLY
    }
    assert wrong == set()


def test_no_context_imports_another_contexts_private_modules() -> None:
    # The composition root may: it builds every adapter, a context's too (question drafts' generators).
    wrong = {
        (module, target)
        for module, imported in GRAPH.items()
        if module.removeprefix("shared.") not in ASSEMBLY
        for target in imported
        if _context_of(target) not in (None, _context_of(module)) and target.rsplit(".", 1)[-1].startswith("_")
    }
    assert wrong == set()


def test_the_circle_finder_finds_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


# --- event contracts ----------------------------------------------------------------------------


def _import_all_of_shared() -> None:
    for info in pkgutil.walk_packages(shared.__path__, "shared."):
        importlib.import_module(info.name)


def _event_models() -> list[type[Event]]:
    _import_all_of_shared()
    found: list[type[Event]] = []
    pending = list(Event.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if "TYPE" in vars(model):
            found.append(model)
    return found


def test_every_event_type_has_exactly_one_model_defined_in_its_producers_events_module() -> None:
    models = _event_models()
    types = [m.TYPE for m in models]
    assert sorted(types) == sorted(set(types)), "an event type is modelled twice"
    for model in models:
        assert model.__module__.endswith(".events"), f"{model.TYPE} is defined outside an events.py"
        assert model.model_fields["type"].default == model.TYPE


def test_the_topic_carries_exactly_the_modelled_events() -> None:
    assert {m.TYPE for m in _event_models()} == {
        "LessonCompleted",
        "CourseCompleted",
        "CourseProgressChanged",
        "QuizGraded",
        "EnrollmentCreated",
        "VideoTranscoded",
    }


def _consumer_handlers() -> list[tuple[str, EventHandlers]]:
    _import_all_of_shared()
    found = []
    for info in pkgutil.walk_packages(shared.__path__, "shared."):
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, EventHandlers):
                found.append((f"{info.name}.{name}", value))
    return found


def test_every_consumer_parses_with_the_producers_model() -> None:
    consumers = _consumer_handlers()
    assert len(consumers) >= 5  # enrollment, learning, notifications, reporting, billing (and credentials)
    producers = set(_event_models())
    for name, handlers in consumers:
        assert handlers.models, f"{name} handles no event"
        assert set(handlers.models) <= producers, f"{name} parses with a model of its own"


def test_no_event_handler_reads_an_events_type_by_hand() -> None:
    offenders = [
        str(path.relative_to(ROOT.parent))
        for path in ROOT.glob("*/handlers.py")
        if any(s in path.read_text() for s in ('get("type") ==', '["type"] ==', 'get("type") in'))
    ]
    assert offenders == []


# --- the manifests ------------------------------------------------------------------------------


def test_every_context_folder_has_one_spec_in_the_composition_root() -> None:
    assert sorted(spec.name for spec in CONTEXTS) == sorted(CONTEXT_NAMES)
    for spec in CONTEXTS:
        package = importlib.import_module(f"shared.{spec.name}")
        assert package.SPEC is spec
        assert "SPEC" in package.__all__


def test_every_blueprint_module_is_named_by_exactly_one_spec_or_the_platform() -> None:
    modules = {
        f"functions.{info.name}"
        for info in pkgutil.iter_modules(functions.__path__)
        if hasattr(importlib.import_module(f"functions.{info.name}"), "bp")
    }
    named = [module for spec in CONTEXTS for module in spec.triggers] + list(functions.PLATFORM_TRIGGERS)
    assert sorted(named) == sorted(modules)


def test_job_names_are_unique_across_the_platform() -> None:
    names = [job.name for s in CONTEXTS for job in (*s.consumers, *s.feeds, *s.upkeep())]
    assert len(names) == len(set(names))
