"""docs/security-tests.md maps every SECURITY.md line to tests: every test it names exists,
and every line of SECURITY.md (A1...F5) has a row."""

import re
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DOC = BASE_DIR / "docs/security-tests.md"


def _named_tests():
    """(file, function or '') pairs named in the doc; `::name` continues the previous file."""
    pairs = []
    for line in DOC.read_text().splitlines():
        current = None
        for match in re.finditer(r"`(tests/[\w/]+\.py)((?:::\w+)?)[^`]*`|`::(\w+)[^`]*`", line):
            if match.group(1):
                current = match.group(1)
                pairs.append((current, match.group(2).lstrip(":")))
            elif current:
                pairs.append((current, match.group(3)))
    return pairs


def test_every_test_the_doc_names_exists():
    missing = []
    pairs = _named_tests()
    assert len(pairs) > 100
    for path, function in pairs:
        source = BASE_DIR / path
        if not source.is_file():
            missing.append(path)
        elif function and not re.search(rf"^(?:async )?def {function}\(", source.read_text(), re.M):
            missing.append(f"{path}::{function}")
    assert missing == []


def test_every_line_of_security_md_has_a_row():
    rows = set(re.findall(r"^\| ([A-F]\d+)", DOC.read_text(), re.M))
    shared = BASE_DIR.parent / "shared" / "SECURITY.md"
    if shared.is_file():
        promised = set(re.findall(r"^- ([A-F]\d+) ", shared.read_text(), re.M))
    else:  # the shared folder sits beside the repository; the list as of writing
        promised = {
            f"{k}{n}"
            for k, top in {"A": 9, "B": 5, "C": 8, "D": 7, "E": 9, "F": 5}.items()
            for n in range(1, top + 1)
        }
    assert sorted(promised - rows) == []
