"""The dependency rule of the apps (issue 19), read from the source with `ast`.

Each app may import the apps listed for it in DEPENDS_ON and nothing else of ours; an
app below another never imports it, and siblings never import each other: they plug
into the app below through hooks it discovers by module name (members.plugins:
`<app>.personal_data`, `<app>.audiences`, `<app>.member_groups`). `talentnet/` holds
configuration only. Migrations are left out: they follow the models' relations. The demo
data (`demo`, installed with DEBUG on only) sits above everything: it may import every app,
and no app imports it, nor Faker, which production does not install.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# The rule, as data: who may import whom (their own modules aside).
#
#   core  <-  members  <-  messaging, announcements  <-  chapters, pncs, programs
#        <-  counterparts (<-  internships), news, surveys  <-  figures  <-  api  <-  demo
DEPENDS_ON = {
    "core": set(),
    "members": {"core"},
    "messaging": {"core", "members"},
    "announcements": {"core", "members"},
    "chapters": {"core", "members", "announcements"},
    "pncs": {"core", "members", "announcements"},
    "programs": {"core", "members", "announcements"},
    "counterparts": {"core", "members", "messaging", "pncs"},
    "internships": {"core", "members", "pncs", "counterparts"},
    "news": {"core", "members", "announcements", "chapters", "pncs"},
    "surveys": {"core", "members", "announcements", "chapters"},
    "figures": {
        "core",
        "members",
        "messaging",
        "announcements",
        "chapters",
        "pncs",
        "programs",
        "counterparts",
        "surveys",
        "internships",
    },
    # The partner API and webhooks (issue 25): on top, beside figures; nobody imports it.
    "api": {
        "core",
        "members",
        "messaging",
        "announcements",
        "chapters",
        "pncs",
        "programs",
        "counterparts",
        "news",
        "figures",
    },
    "demo": {
        "api",
        "core",
        "members",
        "messaging",
        "announcements",
        "chapters",
        "pncs",
        "programs",
        "counterparts",
        "internships",
        "news",
        "surveys",
        "figures",
    },
}
APPS = tuple(DEPENDS_ON)
# The one piece of configuration an app may import: the Celery app (for its tasks and
# for the health check's broker round trip).
CONFIGURATION_IMPORTS = {"talentnet.celery"}
# What talentnet/ may hold: settings, URLs, the Celery app, the WSGI/ASGI entry points,
# gunicorn's configuration (the production web server's, issue 17).
CONFIGURATION_FILES = {
    "gunicorn.conf.py",
    "__init__.py",
    "settings.py",
    "urls.py",
    "celery.py",
    "wsgi.py",
    "asgi.py",
    # STORAGES for STORAGE_BACKEND=s3, built from the environment (a part of settings.py).
    "object_storage.py",
}
# Module-level import cycles allowed: a model and its queryset, none else.
ALLOWED_CYCLE_SUFFIXES = {frozenset({"models", "querysets"})}


def _modules(app, root=ROOT):
    for path in sorted((root / app).rglob("*.py")):
        if "migrations" not in path.relative_to(root).parts:
            yield path


def _module_name(path, root=ROOT):
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path, *, top_level_only=False, root=ROOT):
    """(line, dotted name) of every absolute import of `path`, relative ones resolved."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    package = _module_name(path, root).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            yield node.lineno, module
            for alias in node.names:  # `from package import module`
                yield node.lineno, f"{module}.{alias.name}"


def test_the_rule_names_every_app_and_only_apps():
    on_disk = {
        path.parent.name for path in ROOT.glob("*/apps.py") if path.parent.name != "talentnet"
    }
    assert on_disk == set(APPS)
    for app, depends in DEPENDS_ON.items():
        assert depends <= set(APPS) - {app}, app


def _violations(root=ROOT):
    """Every import of one of our apps that the rule does not allow, as "file:line name"."""
    found = []
    for app in APPS:
        if not (root / app).is_dir():
            continue
        for path in _modules(app, root):
            for line, name in _imported(path, root=root):
                top = name.split(".")[0]
                if top == app or top not in (*APPS, "talentnet"):
                    continue
                if top == "talentnet":
                    if name in CONFIGURATION_IMPORTS or name.rsplit(".", 1)[0] in (
                        CONFIGURATION_IMPORTS
                    ):
                        continue
                elif top in DEPENDS_ON[app]:
                    continue
                found.append(f"{path.relative_to(root)}:{line} imports {name}")
    return found


def test_no_app_imports_an_app_it_must_not():
    found = _violations()
    assert not found, "\n".join(found)


def test_the_rule_reports_a_sibling_an_app_below_and_talentnet_beyond_configuration(tmp_path):
    for app, source in {
        "pncs": "from chapters.models import Chapter\n",
        "members": "def f():\n    from announcements import services\n",
        "core": "from talentnet.settings import DEBUG\nfrom talentnet.celery import app\n",
        "chapters": "from announcements.audiences import Audience\nfrom . import models\n",
    }.items():
        (tmp_path / app).mkdir()
        (tmp_path / app / "module.py").write_text(source)
    assert sorted(_violations(tmp_path)) == [
        "core/module.py:1 imports talentnet.settings",
        "core/module.py:1 imports talentnet.settings.DEBUG",
        "members/module.py:2 imports announcements",
        "members/module.py:2 imports announcements.services",
        "pncs/module.py:1 imports chapters.models",
        "pncs/module.py:1 imports chapters.models.Chapter",
    ]


def test_talentnet_holds_configuration_only():
    held = {
        str(path.relative_to(ROOT / "talentnet"))
        for path in (ROOT / "talentnet").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert held <= CONFIGURATION_FILES, held - CONFIGURATION_FILES


def _reachable(graph, start):
    seen, stack = set(), [start]
    while stack:
        for nxt in graph[stack.pop()]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return seen


def test_no_module_level_import_cycle_but_a_model_and_its_queryset():
    modules = {_module_name(path): path for app in APPS for path in _modules(app)}
    graph = {
        name: {
            imported
            for _line, imported in _imported(path, top_level_only=True)
            if imported in modules and imported != name
        }
        for name, path in modules.items()
    }
    reach = {name: _reachable(graph, name) for name in graph}
    cycles = set()
    for name in graph:
        if name in reach[name]:
            members = frozenset(m for m in reach[name] if name in reach[m])
            if frozenset(m.rsplit(".", 1)[-1] for m in members) not in ALLOWED_CYCLE_SUFFIXES:
                cycles.add(tuple(sorted(members)))
    assert not cycles, sorted(cycles)


def test_another_apps_module_is_imported_inside_a_function_only_in_ready():
    """Imports of another app inside a function hide a dependency; only AppConfig.ready()
    needs them (the app registry is not ready when apps.py is imported)."""
    found = []
    for app in APPS:
        for path in _modules(app):
            if path.name == "apps.py":
                continue
            top_level = {line for line, _name in _imported(path, top_level_only=True)}
            for line, name in _imported(path):
                top = name.split(".")[0]
                if top in (*APPS, "talentnet") and top != app and line not in top_level:
                    found.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not found, "\n".join(found)


def test_faker_is_imported_by_the_demo_app_only_and_production_does_not_install_it():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for app in APPS
        if app != "demo"
        for path in _modules(app)
        for line, name in _imported(path)
        if name.split(".")[0] == "faker"
    ]
    assert not found, found
    assert any(
        name.split(".")[0] == "faker" for path in _modules("demo") for _l, name in _imported(path)
    )

    def pinned(lock):
        text = (ROOT / lock).read_text(encoding="utf-8")
        return {line.split("==")[0] for line in text.splitlines() if "==" in line}

    assert "faker" not in pinned("requirements.lock")  # the Dockerfile's
    assert "faker" in pinned("requirements-dev.lock")  # `make run`'s and the tests'
