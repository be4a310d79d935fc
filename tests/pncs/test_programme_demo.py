"""The demo shows the work programmes: lines for the nine PNCS under the seed's headings and
for three chapters, statutes public and private, progress computed from the demo's rows."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from chapters.models import Chapter, ChapterLine
from demo.management.commands.seed_demo import Command as SeedDemo
from members.progress import PNCS, compute_progress
from pncs.models import Pncs, WorkLine

pytestmark = pytest.mark.django_db


def test_seed_demo_writes_programmes_for_every_pncs_and_some_chapters_once(settings):
    settings.DEBUG = True
    call_command(SeedDemo(), members=15)
    counts = (WorkLine.objects.count(), ChapterLine.objects.count())
    call_command(SeedDemo(), members=15)
    assert (WorkLine.objects.count(), ChapterLine.objects.count()) == counts
    year = timezone.localdate().year
    assert set(WorkLine.objects.filter(year=year).values_list("pncs", flat=True)) == set(
        Pncs.objects.values_list("pk", flat=True)
    )
    assert len(set(WorkLine.objects.values_list("heading", flat=True))) == 6
    assert ChapterLine.objects.values("chapter").distinct().count() == 3
    houston = Chapter.objects.get(slug="houston")
    assert houston.statutes and houston.statutes_public
    assert not Chapter.objects.get(slug="silicon-valley").statutes_public
    lines = list(WorkLine.objects.all())
    compute_progress(lines, subject=PNCS, owner_attr="pncs_id")
    assert sum(line.achieved for line in lines) > 0  # the demo's own rows are counted
