"""Fixtures of the announcements tests: the chapters tests' two chapters, each with its
officer, and IME staff (announcements are sent by officers and IME staff alike)."""

from tests.chapters.conftest import (  # noqa: F401 - fixtures, found by name
    a_member,
    chapter_a,
    chapter_b,
    ime_staff,
    officer_a,
    officer_b,
)
