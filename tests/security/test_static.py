"""Static checks (SECURITY.md C1, and the issue's "static check"): ruff's security rules are
on; no template marks anything safe or turns autoescaping off; Python marks HTML safe only in
the reviewed places listed here (never on user data)."""

import re
import tomllib
from pathlib import Path

from tests.test_architecture import APPS

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APP_DIRS = [*APPS, "talentnet", "templates"]  # every app (the architecture test's list)

# file -> number of reviewed uses of mark_safe / SafeString / SafeData in it, and why.
REVIEWED_PY = {
    # plugged_sections (the dashboard's and pages' extension points) joins the output of
    # autoescaping templates (each already safe HTML).
    "core/templatetags/layout.py": 1,
    # A news post's body: Markdown sanitised by nh3 as announcements are (markdown_to_html).
    "news/views.py": 1,
    # An announcement body: staff Markdown rendered and sanitised by nh3 (markdown_to_html).
    "announcements/mail.py": 1,
    # The admin preview shows that same sanitised body, cut from the autoescaped email page.
    "announcements/admin.py": 1,
}
UNSAFE_TEMPLATE = re.compile(r"\|\s*safe(seq)?\b|{%\s*autoescape\s+off\s*%}")
UNSAFE_PY = re.compile(r"\bmark_safe\s*\(|\bSafeString\s*\(|\bSafeText\s*\(|\bSafeData\s*\(")


def _files(suffix):
    for folder in APP_DIRS:
        for path in (BASE_DIR / folder).rglob(f"*{suffix}"):
            if "migrations" not in path.parts:
                yield path


def test_ruff_security_rules_are_on():
    config = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())
    lint = config["tool"]["ruff"]["lint"]
    assert "S" in lint["select"]
    # No security rule is ignored project-wide, S101 (assert) included: app code never uses
    # an assert as a guard (python -O removes it); the test-only exceptions stay in tests/.
    assert [rule for rule in lint["ignore"] if rule.startswith("S")] == []
    assert "S101" in lint["per-file-ignores"]["tests/**"]
    for pattern, rules in lint.get("per-file-ignores", {}).items():
        if any(rule.startswith("S") for rule in rules):
            assert pattern.startswith("tests/") or "management/commands" in pattern, pattern


def test_no_template_marks_anything_safe_or_turns_autoescape_off():
    offenders = []
    for path in _files(".html"):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if UNSAFE_TEMPLATE.search(line):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    for path in _files(".txt"):  # email text parts are not HTML, but keep them plain too
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if "autoescape off" in line and "email" not in str(path):
                offenders.append(f"{path.relative_to(BASE_DIR)}:{number}: {line.strip()}")
    assert not offenders, offenders


def test_python_marks_html_safe_only_where_reviewed():
    found = {}
    for path in _files(".py"):
        count = len(UNSAFE_PY.findall(path.read_text()))
        if count:
            found[str(path.relative_to(BASE_DIR))] = count
    assert found == REVIEWED_PY, (
        "a new mark_safe/SafeString: make sure no user data reaches it (format_html escapes "
        f"its arguments), then list it in REVIEWED_PY: {found}"
    )
