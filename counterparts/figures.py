"""The counterparts app's aggregates for the network's figures (composed by the figures app,
which counterparts never imports): the impact ledger's engagements by sector, kind, state
and the member's country of residence, the members engaged and the organisations served.
Raw counts: the figures app publishes them through its one disclosure rule."""

from django.db.models import Count

from .models import Engagement


def _counts(queryset, field) -> dict:
    return {
        str(key): n
        for key, n in queryset.order_by().values_list(field).annotate(n=Count("pk"))
        if key is not None
    }


def engagement_aggregates(*, sector_id=None) -> dict:
    """A fixed number of aggregate queries, whatever the rows."""
    engagements = Engagement.objects.all()
    if sector_id:
        engagements = engagements.filter(sector_id=sector_id)
    reach = engagements.aggregate(
        total=Count("pk"),
        members=Count("member", distinct=True),
        organizations=Count("organization", distinct=True),
    )
    return {
        **reach,
        "by_sector": _counts(engagements, "sector_id"),
        "by_kind": _counts(engagements, "kind"),
        "by_state": _counts(engagements, "state"),
        "by_country": _counts(engagements, "member__country"),
    }
