"""Staff figures refresh on demand (a button) as well as on schedule (issue 22)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from figures.models import FigureSnapshot
from figures.services import refresh_figures

pytestmark = pytest.mark.django_db


def test_the_dashboard_has_a_refresh_button_that_computes_a_new_snapshot(client, ime_staff):
    client.force_login(ime_staff())
    old = refresh_figures(now=timezone.now() - datetime.timedelta(minutes=20))
    FigureSnapshot.objects.filter(pk=old.pk).update(
        computed_at=timezone.now() - datetime.timedelta(minutes=20)
    )
    page = client.get(reverse("figures_staff")).content.decode()
    assert f'action="{reverse("figures_staff_refresh")}"' in page and "Recalcular ahora" in page
    response = client.post(reverse("figures_staff_refresh"), follow=True)
    assert "Recalculando las cifras." in response.content.decode()
    newest = FigureSnapshot.objects.newest()
    assert newest.pk != old.pk  # the task ran (inline under CELERY_TASK_ALWAYS_EAGER)
    assert timezone.now() - newest.computed_at < datetime.timedelta(minutes=1)


def test_a_refresh_right_after_one_is_not_queued_again(client, ime_staff):
    client.force_login(ime_staff())
    refresh_figures()
    count = FigureSnapshot.objects.count()
    response = client.post(reverse("figures_staff_refresh"), follow=True)
    assert "ya están al día" in response.content.decode()
    assert FigureSnapshot.objects.count() == count


def test_a_refresh_is_a_post_for_ime_staff_only(client, ime_staff):
    from tests.factories import member

    client.force_login(member())
    assert client.post(reverse("figures_staff_refresh")).status_code == 403
    client.force_login(ime_staff())
    assert client.get(reverse("figures_staff_refresh")).status_code == 405
