"""Data migrations use the historical models only: no migration imports live app code to
run (a later change of that code would change what an old migration does, or break it).

Allowed, and why:
- the standard library and Django;
- at module level, plain `import <app>.<module>` of a first-party package whose name is
  used only in the `Migration` class (never in a function): makemigrations writes these
  references to the callables and classes a field's state needs (upload_to, validators,
  storage, a GeneratedField's expression); they describe the schema, they run no data code;
- the field classes of the libraries the models use (django_countries, simple_history),
  written there by makemigrations for the same reason;
- `importlib.import_module` of a migration of the same app (reusing its frozen SQL).
"""

import ast
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
FIRST_PARTY = {
    path.name
    for path in BASE_DIR.iterdir()
    if (path / "__init__.py").is_file() and path.name != "tests"
}
FIELD_LIBRARIES = {"django_countries", "simple_history"}


def _problems(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    app = path.parent.parent.name
    problems = []
    bound = {}  # name bound by a module-level first-party `import a.b` -> its line
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.Lambda)]
    in_function = {id(n) for f in functions for n in ast.walk(f)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = (
                [alias.name for alias in node.names]
                if isinstance(node, ast.Import)
                else [node.module or ""]
            )
            for module in modules:
                root = module.split(".")[0]
                if root in sys.stdlib_module_names or root == "django":
                    continue
                if root in FIELD_LIBRARIES and id(node) not in in_function:
                    continue
                if (
                    root in FIRST_PARTY
                    and isinstance(node, ast.Import)
                    and id(node) not in in_function
                ):
                    bound[root] = node.lineno
                    continue
                problems.append(f"{path.name}:{node.lineno} imports {module}")
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
        ):
            target = (
                node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else ""
            )
            if not str(target).startswith(f"{app}.migrations."):
                problems.append(f"{path.name}:{node.lineno} import_module({target!r})")
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in bound and id(node) in in_function:
            problems.append(
                f"{path.name}:{node.lineno} runs {node.id} (imported line {bound[node.id]})"
            )
    return problems


def test_migrations_import_no_live_app_code_to_run():
    migrations = sorted(BASE_DIR.glob("*/migrations/0*.py"))
    assert len(migrations) > 25
    problems = [p for path in migrations for p in _problems(path)]
    assert problems == []


def test_the_migration_rule_catches_a_data_migration_calling_live_code(tmp_path):
    """The rule can fail: an import of live code to run, in each of its forms."""
    app = tmp_path / "members" / "migrations"
    app.mkdir(parents=True)
    cases = {
        "0001_from.py": "from members.roles import ROLE_PERMISSIONS\n",
        "0002_inside.py": "def run(apps, schema_editor):\n    import members.roles\n",
        "0003_called.py": (
            "import members.roles\n\ndef run(apps, schema_editor):\n"
            "    members.roles.grant_role_permissions()\n"
        ),
        "0004_other_app.py": "from importlib import import_module\nimport_module('pncs.migrations.0001_initial')\n",
        "0005_library.py": "import faker\n",
    }
    for name, source in cases.items():
        (app / name).write_text(source)
        assert _problems(app / name), name
    (app / "0006_fine.py").write_text(
        "import members.models\nfrom django.db import migrations\n\n"
        "class Migration(migrations.Migration):\n    x = members.models.User\n"
    )
    assert _problems(app / "0006_fine.py") == []
