"""The pncs app's aggregates for the network's figures (composed by the figures app, which
pncs never imports): searches, exports, opportunities and interest per PNCS."""

from django.db.models import Count, Q

from .models import Interest, Opportunity, Pncs, SearchAudit


def pncs_aggregates(*, since=None, sector_id=None, country="") -> dict:
    """One row per PNCS (or that sector's): activity within the period (`since`)."""
    pncs = Pncs.objects.all()
    if sector_id:
        pncs = pncs.filter(sector_id=sector_id)
    audits = SearchAudit.objects.all()
    opportunities = Opportunity.objects.filter(pncs__in=pncs)
    interests = Interest.objects.filter(opportunity__pncs__in=pncs)
    if since:
        audits = audits.filter(created_at__gte=since)
        opportunities = opportunities.filter(created_at__gte=since)
        interests = interests.filter(created_at__gte=since)
    if country:
        opportunities = opportunities.filter(country=country)
        interests = interests.filter(opportunity__country=country)
    # A search is counted for every PNCS its author coordinates (SearchAudit has no PNCS).
    searches = {}
    for pncs_id, action, n in (
        audits.order_by().values_list("user__coordinated_pncs", "action").annotate(n=Count("pk"))
    ):
        kind = "searches" if action == SearchAudit.Action.SEARCH else "exports"
        entry = searches.setdefault(pncs_id, {"searches": 0, "exports": 0})
        entry[kind] += n
    open_ids = Opportunity.objects.open().values("pk")
    opps = {
        pncs_id: (opened, total)
        for pncs_id, opened, total in opportunities.order_by()
        .values_list("pncs_id")
        .annotate(opened=Count("pk", filter=Q(pk__in=open_ids)), total=Count("pk"))
        .values_list("pncs_id", "opened", "total")
    }
    interest = {
        pncs_id: (n, accepted)
        for pncs_id, n, accepted in interests.order_by()
        .values_list("opportunity__pncs_id")
        .annotate(n=Count("pk"), accepted=Count("pk", filter=Q(status=Interest.Status.ACCEPTED)))
        .values_list("opportunity__pncs_id", "n", "accepted")
    }
    rows = []
    for row in pncs.order_by("sector__order").values(
        "pk", "sector_id", "sector__name_es", "sector__name_en"
    ):
        pk = row["pk"]
        rows.append(
            {
                "id": pk,
                "sector": row["sector_id"],
                "name_es": row["sector__name_es"],
                "name_en": row["sector__name_en"],
                "searches": searches.get(pk, {}).get("searches", 0),
                "exports": searches.get(pk, {}).get("exports", 0),
                "opportunities_open": opps.get(pk, (0, 0))[0],
                "opportunities": opps.get(pk, (0, 0))[1],
                "interests": interest.get(pk, (0, 0))[0],
                "accepted": interest.get(pk, (0, 0))[1],
            }
        )
    return {"list": rows}
