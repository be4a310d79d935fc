"""The demo leaves a snapshot for `make run`; the admin lists snapshots read-only."""

import io
import random

import pytest

from demo import figures as demo
from figures.models import FigureSnapshot
from figures.services import refresh_figures
from tests.factories import member

pytestmark = pytest.mark.django_db


def test_demo_seed_computes_a_snapshot_of_the_demo_network():
    member(country="DE")
    out = io.StringIO()
    demo.seed(stdout=out, rng=random.Random(1), members=0)
    assert FigureSnapshot.objects.newest().data["members"]["by_country"] == {"DE": 1}
    assert "figures: snapshot computed" in out.getvalue()


def test_admin_lists_snapshots_and_allows_no_edit(admin_client, admin_user):
    from tests.factories import with_totp

    with_totp(admin_user)  # superusers need a second factor before the admin
    snapshot = refresh_figures()
    response = admin_client.get("/admin/figures/figuresnapshot/")
    assert response.status_code == 200
    assert admin_client.get("/admin/figures/figuresnapshot/add/").status_code == 403
    change = admin_client.get(f"/admin/figures/figuresnapshot/{snapshot.pk}/change/")
    assert change.status_code == 200
    assert 'name="_save"' not in change.content.decode()
