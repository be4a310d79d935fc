"""What the pncs app stores about a member: part of their data download, erased with their
account. Called by members' services through the `<app>.personal_data` hook."""

from members.services import (
    forget_old_search_terms,
    forget_search_terms,
    identifying_words,
    neutralise_admin_log,
)
from members.services.merging import MergeRule, move_rows

from .models import (
    Affiliation,
    Interest,
    MemberExport,
    MemberSearchIndex,
    Opportunity,
    SearchAudit,
    WorkLine,
)


def _iso(value):
    return value.isoformat() if value else None


def export(user) -> dict:
    """The member's answers to opportunities and their declared affiliations, JSON-ready."""
    interests = Interest.objects.filter(member=user).select_related("opportunity")
    return {
        "interests": [
            {
                "opportunity": i.opportunity.title_es,
                "status": i.status,
                "message": i.message,
                "created_at": _iso(i.created_at),
                "decided_at": _iso(i.decided_at),
            }
            for i in interests
        ],
        "affiliations": [
            {"institution": a.institution, "relation": a.relation, "created_at": _iso(a.created_at)}
            for a in Affiliation.objects.filter(member=user)
        ],
        # Work programmes (issue 21): the lines of action the member is responsible for.
        "work_lines_responsible": [
            {"pncs": line.pncs.sector.name, "year": line.year, "line": line.title_es}
            for line in WorkLine.objects.filter(responsible=user).select_related("pncs__sector")
        ],
    }


def erase(user) -> None:
    """Account cancellation: messages removed, affiliations and the search row deleted
    (its entries by sector with it: the database's trigger, pncs migration 0008).
    Interest rows stay (anonymous) so coordinators' counts of answers survive; audits of
    searches and exports forget the terms that named the member. A
    coordinator's own exports (files of other members' data) are deleted with their files.
    """
    from .exports import exports_storage

    Interest.objects.filter(member=user).update(message="")
    neutralise_admin_log(Interest.objects.filter(member=user))
    neutralise_admin_log(Affiliation.objects.filter(member=user))
    # Coordinators who searched or exported by the member's name: the audit rows stay
    # (who, when, how many), the terms that name the member go.
    words = identifying_words(user)
    forget_search_terms(SearchAudit.objects.all(), words=words)
    forget_search_terms(MemberExport.objects.exclude(user=user), words=words, query_field="query")
    Affiliation.objects.filter(member=user).delete()
    # The lines of action stay (the PNCS's programme), without the person responsible.
    WorkLine.objects.filter(responsible=user).update(responsible=None)
    MemberSearchIndex.objects.filter(profile_id=user.pk).delete()
    exports = MemberExport.objects.filter(user=user)
    storage = exports_storage()
    for name in exports.exclude(file_name="").values_list("file_name", flat=True):
        storage.delete(name)
    exports.delete()


def forget_search_terms_before(cutoff) -> int:
    """Retention (settings.SEARCH_TERMS_RETENTION_DAYS): the audit of coordinators'
    searches and exports, and the exports asked for, keep who, when, the other filters and
    how many rows, but not the text searched (names, most often) after the cutoff."""
    return forget_old_search_terms(
        SearchAudit.objects.all(), date_field="created_at", cutoff=cutoff
    ) + forget_old_search_terms(
        MemberExport.objects.all(), date_field="created_at", cutoff=cutoff, query_field="query"
    )


INTEREST_ADVANCE = {
    Interest.Status.ACCEPTED: 0,
    Interest.Status.SHORTLISTED: 1,
    Interest.Status.PENDING: 2,
    Interest.Status.DECLINED: 3,
}


def merge(*, kept, merged) -> list[dict]:
    """Account merge (members.services.merging): answers to opportunities, affiliations
    and a coordinator's searches and exports move to the kept account. Both answered one
    opportunity: the accepted answer stays (else shortlisted, received, the earlier)."""
    return move_rows(
        [
            MergeRule(
                Interest,
                "member",
                unique_with=("opportunity",),
                rank=lambda i: (INTEREST_ADVANCE.get(i.status, 9), i.created_at, i.pk),
                describe=lambda i: i.opportunity.title_es,
            ),
            MergeRule(
                Affiliation,
                "member",
                unique_with=("institution_key",),
                describe=lambda a: a.institution,
            ),
            MergeRule(Interest, "decided_by"),
            MergeRule(SearchAudit, "user"),
            MergeRule(MemberExport, "user"),
            MergeRule(Opportunity, "created_by"),
            MergeRule(WorkLine, "responsible"),
        ],
        kept=kept,
        merged=merged,
    )
