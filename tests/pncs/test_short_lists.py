"""The search's short choice lists are checkboxes, not multi-selects (issue 22)."""

import pytest
from django.urls import reverse

from tests.factories import coordinator

pytestmark = pytest.mark.django_db


def test_short_lists_are_checkboxes_and_the_states_a_list_box(client):
    client.force_login(coordinator())
    html = client.get(reverse("pncs:search")).content.decode()
    for name in ("sector", "education", "language", "contribution"):
        assert f'type="checkbox" name="{name}"' in html, name
        assert f'<select name="{name}"' not in html, name
    assert '<select name="state"' in html and "multiple" in html
    checked = client.get(reverse("pncs:search"), {"sector": "tic"}).content.decode()
    assert 'name="sector" value="tic"' in checked
    tic = checked[checked.index('name="sector" value="tic"') :]
    assert tic[: tic.index(">")].find("checked") != -1
