"""Audit (SECURITY.md D5): staff edits of profiles and staff exports leave audit rows (who,
when, which fields, how many rows) that copy no personal data. Coordinators' searches and
exports: tests/pncs/test_search.py and test_exports.py (mapped in docs/security-tests.md)."""

import logging

import pytest
from django.contrib.admin.models import LogEntry

from members.models import Profile

from .world import build_world

pytestmark = pytest.mark.django_db


def _change_form_data(client, url):
    """The admin change form's current values, as the browser would post them back."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self):
            super().__init__()
            self.data = {}
            self._select = None
            self._textarea = None

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            name = a.get("name")
            if tag == "input" and name and a.get("type") not in ("submit", "file", "button"):
                if a.get("type") in ("checkbox", "radio"):
                    if "checked" in a:
                        self.data.setdefault(name, []).append(a.get("value", "on"))
                else:
                    self.data[name] = a.get("value", "")
            elif tag == "select" and name:
                self._select = name
            elif tag == "option" and self._select and "selected" in a:
                self.data.setdefault(self._select, []).append(a.get("value", ""))
            elif tag == "textarea" and name:
                self._textarea = name
                self.data[name] = ""

        def handle_endtag(self, tag):
            if tag == "select":
                self._select = None
            if tag == "textarea":
                self._textarea = None

        def handle_data(self, data):
            if self._textarea:
                self.data[self._textarea] += data

    parser = Form()
    parser.feed(client.get(url).content.decode())
    return parser.data


def test_a_staff_edit_of_a_profile_is_audited_without_personal_data(client):
    world = build_world()
    staff = world.user("ime_staff")
    owner = world.user("member")
    client.force_login(staff)
    url = world.urls["admin:members_profile_change"]
    data = _change_form_data(client, url)
    data["headline"] = "Titular nuevo confidencial"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Profile.objects.get(pk=owner.pk).headline == "Titular nuevo confidencial"

    entry = LogEntry.objects.get(object_id=str(owner.pk), content_type__model="profile")
    assert entry.user == staff
    assert "headline" in entry.change_message or "Titular" in entry.get_change_message()
    stored = f"{entry.object_repr} {entry.change_message}"
    for personal in ("Titular nuevo confidencial", owner.profile.display_name, owner.email):
        assert personal not in stored, personal
    history = Profile.history.filter(user_id=owner.pk).latest("history_date")
    assert history.history_user == staff


def test_a_staff_export_is_audited_with_its_row_count_only(client, caplog):
    world = build_world()
    client.force_login(world.user("ime_staff"))
    caplog.set_level(logging.INFO, logger="talentnet.audit")
    owner = world.user("member")
    response = client.post(
        world.urls["admin:members_profile_changelist"],
        {"action": "export_profiles_csv", "_selected_action": [owner.pk]},
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)
    lines = [r.getMessage() for r in caplog.records if r.name == "talentnet.audit"]
    assert lines == [f"staff profile export: user={world.user('ime_staff').pk} rows=1"]
    assert owner.email not in caplog.text and owner.profile.given_names not in caplog.text
