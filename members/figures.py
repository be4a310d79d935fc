"""The members app's aggregates for the network's figures (composed by the figures app,
which members never imports). Plain, language-neutral data: codes, ids and counts."""

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth

from .completeness import ITEMS, completeness_score
from .models import Contribution, Profile, ProfileSector, Sector


def _grouped(queryset, column) -> dict:
    return {
        key: n
        for key, n in queryset.order_by().values_list(column).annotate(n=Count("pk"))
        if key is not None
    }


def member_aggregates(profiles) -> dict:
    """Totals, growth by month and the breakdowns of a Profile queryset (a fixed number of
    GROUP BY queries, whatever its size)."""
    totals = profiles.aggregate(
        total=Count("pk"), verified=Count("pk", filter=Q(user__email_verified=True))
    )
    growth = [
        (month.strftime("%Y-%m"), n)
        for month, n in profiles.order_by()
        .annotate(month=TruncMonth("user__date_joined"))
        .values_list("month")
        .annotate(n=Count("pk"))
        .order_by("month")
        if month is not None
    ]
    base_ids = profiles.values("pk")
    by_sector = _grouped(ProfileSector.objects.filter(profile_id__in=base_ids), "sector_id")
    by_contribution = _grouped(
        Profile.contributions.through.objects.filter(profile_id__in=base_ids), "contribution_id"
    )
    completeness = (
        profiles.order_by()
        .annotate(score=completeness_score())
        .values_list("score")
        .annotate(n=Count("pk"))
    )
    return {
        "total": totals["total"],
        "verified": totals["verified"],
        "growth": growth,
        "by_country": _grouped(profiles.exclude(country=""), "country"),
        "by_state": _grouped(profiles.exclude(state_of_origin=""), "state_of_origin"),
        "by_education": _grouped(profiles.exclude(education_level=""), "education_level"),
        "by_sector": {str(k): v for k, v in by_sector.items()},
        "by_contribution": {str(k): v for k, v in by_contribution.items()},
        # How many profiles have each number of the completeness items filled.
        "completeness": {str(score): n for score, n in completeness},
        "completeness_items": len(ITEMS),
    }


def reference() -> dict:
    """Names of sectors and contribution types, so rendering needs no query."""
    return {
        "sectors": [
            {"id": pk, "name_es": es, "name_en": en}
            for pk, es, en in Sector.objects.order_by("order").values_list(
                "pk", "name_es", "name_en"
            )
        ],
        "contributions": [
            {"id": pk, "name_es": es, "name_en": en}
            for pk, es, en in Contribution.objects.order_by("order").values_list(
                "pk", "name_es", "name_en"
            )
        ],
    }
