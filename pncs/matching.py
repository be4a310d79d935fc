"""Matching members and opportunities: a deterministic, explainable score computed in SQL.

score = 3 * shared sector
      + 2 * matching expertise tags (at most 3 count)
      + 1 * matching contribution types (at most 3 count)
      + 1 * lives in the opportunity's country, or (in person only) is willing to travel
Ties are broken by the smaller id, so the same data always gives the same order.
"""

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from members.models import Profile, ProfileSector

from .models import Affiliation, Opportunity

SECTOR_POINTS = 3
EXPERTISE_POINTS = 2
CONTRIBUTION_POINTS = 1
PLACE_POINTS = 1
MAX_COUNTED = 3
SUGGESTIONS = 20
FOR_YOU = 5


@dataclass
class Match:
    obj: object
    score: int
    reasons: list[str] = field(default_factory=list)


def _count(through, owner: str, other: str, owner_ref: str, ids):
    """Subquery: how many of `ids` the row's owner has in this m2m table."""
    if not ids:
        return Value(0, output_field=IntegerField())
    sub = (
        through.objects.filter(**{owner: OuterRef(owner_ref), f"{other}__in": ids})
        .order_by()
        .values(owner)
        .annotate(n=Count("*"))
        .values("n")
    )
    return Coalesce(Subquery(sub, output_field=IntegerField()), 0)


def _score():
    """The score (the module's formula, written once) from the four parts each side
    annotates first: m_sector and m_place (0 or 1), m_expertise and m_contribution (counts)."""
    return (
        SECTOR_POINTS * F("m_sector")
        + EXPERTISE_POINTS * Least("m_expertise", Value(MAX_COUNTED))
        + CONTRIBUTION_POINTS * Least("m_contribution", Value(MAX_COUNTED))
        + PLACE_POINTS * F("m_place")
    )


def _one_if(condition):
    return Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())


def suggest_members(opportunity: Opportunity, *, limit: int = SUGGESTIONS) -> list[Match]:
    """The members (who allowed PNCS contact) that fit this opportunity best, with reasons."""
    tags = list(opportunity.expertise.values_list("pk", flat=True))
    contributions = list(opportunity.contributions.values_list("pk", flat=True))
    expertise_through = Profile.expertise.through
    contribution_through = Profile.contributions.through
    in_sector = Exists(
        ProfileSector.objects.filter(profile_id=OuterRef("pk"), sector_id=opportunity.sector_id)
    )
    candidates = Q(in_sector)
    if tags:
        candidates |= Q(
            Exists(
                expertise_through.objects.filter(
                    profile_id=OuterRef("pk"), expertisetag_id__in=tags
                )
            )
        )
    if contributions:
        candidates |= Q(
            Exists(
                contribution_through.objects.filter(
                    profile_id=OuterRef("pk"), contribution_id__in=contributions
                )
            )
        )
    place = Q(country=opportunity.country) if opportunity.country else Q(pk__in=[])
    if not opportunity.is_remote:
        place |= Q(willing_to_travel=True)
    queryset = (
        Profile.objects.contactable_by_pncs()
        .filter(candidates)
        .exclude(user__pncs_interests__opportunity=opportunity)
        .annotate(
            m_sector=_one_if(in_sector),
            m_expertise=_count(expertise_through, "profile_id", "expertisetag_id", "pk", tags),
            m_contribution=_count(
                contribution_through, "profile_id", "contribution_id", "pk", contributions
            ),
            m_place=_one_if(place),
        )
        .annotate(score=_score())
    )
    if opportunity.kind == Opportunity.Kind.COMMITTEE and opportunity.institution_key:
        # A declared tie to the project's institution is a conflict of interest.
        queryset = queryset.exclude(
            Exists(
                Affiliation.objects.filter(
                    member_id=OuterRef("user_id"), institution_key=opportunity.institution_key
                )
            )
        )
    profiles = list(queryset.select_related("user").order_by("-score", "pk")[:limit])
    ids = [p.pk for p in profiles]
    tag_names = _names_by_owner(
        expertise_through, "profile_id", "expertisetag__name", ids, "expertisetag_id", tags
    )
    contribution_names = _names_by_owner(
        contribution_through,
        "profile_id",
        _contribution_label(),
        ids,
        "contribution_id",
        contributions,
    )
    matches = []
    for profile in profiles:
        reasons = []
        if profile.m_sector:
            reasons.append(
                _("Comparte el sector: %(sector)s") % {"sector": opportunity.sector.name}
            )
        if tag_names.get(profile.pk):
            reasons.append(
                _("Especialidad: %(tags)s") % {"tags": ", ".join(sorted(tag_names[profile.pk]))}
            )
        if contribution_names.get(profile.pk):
            reasons.append(
                _("Puede aportar: %(kinds)s")
                % {"kinds": ", ".join(sorted(contribution_names[profile.pk]))}
            )
        if profile.m_place:
            if opportunity.country and profile.country == opportunity.country:
                reasons.append(_("Vive en %(country)s") % {"country": profile.country.name})
            else:
                reasons.append(_("Dispuesto a viajar a México"))
        matches.append(Match(obj=profile, score=profile.score, reasons=reasons))
    return matches


def _names_by_owner(through, owner, label, owner_ids, other, other_ids):
    """{owner id: [label of each matched row]} for the matched pairs only (one query)."""
    if not owner_ids or not other_ids:
        return {}
    result = {}
    pairs = through.objects.filter(**{f"{owner}__in": owner_ids, f"{other}__in": other_ids})
    for owner_id, name in pairs.values_list(owner, label):
        result.setdefault(owner_id, []).append(name)
    return result


def _contribution_label():
    return (
        "contribution__name_en"
        if (get_language() or "").startswith("en")
        else ("contribution__name_es")
    )


def opportunities_for(profile: Profile, *, limit: int = FOR_YOU) -> list[Match]:
    """The open opportunities that fit this member best, with reasons."""
    sectors = list(profile.profile_sectors.values_list("sector_id", flat=True))
    tags = list(profile.expertise.values_list("pk", flat=True))
    contributions = list(profile.contributions.values_list("pk", flat=True))
    conflicts = list(
        Affiliation.objects.filter(member_id=profile.user_id).values_list(
            "institution_key", flat=True
        )
    )
    expertise_through = Opportunity.expertise.through
    contribution_through = Opportunity.contributions.through
    in_sector = Q(sector_id__in=sectors) if sectors else Q(pk__in=[])
    place = Q(country=profile.country) if profile.country else Q(pk__in=[])
    if profile.willing_to_travel:
        place |= Q(is_remote=False)
    queryset = (
        Opportunity.objects.open()
        .exclude(interests__member_id=profile.user_id)
        .exclude(kind=Opportunity.Kind.COMMITTEE, institution_key__in=conflicts or [""])
        .annotate(
            m_sector=_one_if(in_sector),
            m_expertise=_count(expertise_through, "opportunity_id", "expertisetag_id", "pk", tags),
            m_contribution=_count(
                contribution_through, "opportunity_id", "contribution_id", "pk", contributions
            ),
            m_place=_one_if(place),
        )
        .annotate(score=_score())
        .filter(Q(m_sector=1) | Q(m_expertise__gt=0) | Q(m_contribution__gt=0))
        .select_related("sector", "pncs")
        .order_by("-score", "pk")
    )
    opportunities = list(queryset[:limit])
    ids = [o.pk for o in opportunities]
    tag_names = _names_by_owner(
        expertise_through, "opportunity_id", "expertisetag__name", ids, "expertisetag_id", tags
    )
    contribution_names = _names_by_owner(
        contribution_through,
        "opportunity_id",
        _contribution_label(),
        ids,
        "contribution_id",
        contributions,
    )
    matches = []
    for opportunity in opportunities:
        reasons = []
        if opportunity.m_sector:
            reasons.append(_("Tu sector: %(sector)s") % {"sector": opportunity.sector.name})
        if tag_names.get(opportunity.pk):
            reasons.append(
                _("Tu especialidad: %(tags)s")
                % {"tags": ", ".join(sorted(tag_names[opportunity.pk]))}
            )
        if contribution_names.get(opportunity.pk):
            reasons.append(
                _("Lo que puedes aportar: %(kinds)s")
                % {"kinds": ", ".join(sorted(contribution_names[opportunity.pk]))}
            )
        if opportunity.m_place:
            if profile.country and opportunity.country == profile.country:
                reasons.append(_("En tu país de residencia"))
            else:
                reasons.append(_("Puedes viajar"))
        matches.append(Match(obj=opportunity, score=opportunity.score, reasons=reasons))
    return matches
