"""Fill the database with fictitious demo content. Idempotent: run it as often as you like.

One module of this app per domain, each exposing `seed(*, stdout, rng, members)`, run in
the order of DOMAINS: members first (the others draw on the demo members), figures last
(its snapshot counts everything else).
"""

import random

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo import (
    api,
    chapters,
    counterparts,
    duplicates,
    figures,
    internships,
    jornada_support,
    members,
    messaging,
    news,
    pncs,
    programmes,
    programs,
    surveys,
    workbench,
)

DOMAINS = [
    ("members", members),
    ("messaging", messaging),
    ("chapters", chapters),
    ("pncs", pncs),
    ("jornada_support", jornada_support),
    ("programs", programs),
    ("counterparts", counterparts),
    ("internships", internships),
    ("news", news),
    ("programmes", programmes),
    ("duplicates", duplicates),
    ("workbench", workbench),
    ("surveys", surveys),
    ("figures", figures),
    ("api", api),
]


class Command(BaseCommand):
    help = "Create idempotent, fictitious demo data (chapters, program, Jornada, members)."

    def add_arguments(self, parser):
        parser.add_argument("--members", type=int, default=300, help="how many demo members")
        parser.add_argument(
            "--allow-production",
            action="store_true",
            help="run even when DEBUG is off (never on a real deployment)",
        )

    def handle(self, *args, members, allow_production, **options):
        if not settings.DEBUG and not allow_production:
            raise CommandError("seed_demo creates known demo accounts; it runs only with DEBUG on.")
        for label, module in DOMAINS:
            # One generator per domain, seeded by its name: each one's data is stable run to run.
            rng = random.Random(f"talentnet-demo-{label}")
            module.seed(stdout=self.stdout, rng=rng, members=members)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
