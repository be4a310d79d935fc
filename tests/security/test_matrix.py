"""Role x URL matrix (SECURITY.md B4, B2): every page that exists, for anonymous, the owner
of the private objects, another member, an officer of the objects' chapter and of another,
a coordinator of the objects' PNCS and of another, IME staff and a superuser (privileged roles
with TOTP). A GET of each cell answers the expected status; a URL of the project that is not
in the matrix fails the test. Other people's private objects answer 404 to a POST and stay
unchanged; removing a role takes effect on the next request."""

import pytest
from django.contrib.auth.models import Group

from chapters.models import Officer
from core.access import IME_STAFF
from pncs.models import Affiliation, Interest
from programs.models import Application

from .urlwalk import walk
from .world import ROLES, build_world

pytestmark = pytest.mark.django_db

LOGIN = "login"  # 302 to /accounts/login/ (or the admin's login)
SAME = "redirect /"  # set_language sends a GET back to the home page
ME = "redirect /me/"  # already accepted the notice in force
ONBOARD = "redirect /me/welcome/"  # no profile yet: onboarding first
EDIT = "redirect /me/edit/"  # onboarding done: the edit page instead
MINE = "redirect /programs/mine/"  # already applied
MFA = "second factor"  # 302 to TOTP set-up: the account sees others' data, has no 2nd factor
STUDENT = "redirect student profile"  # no student profile yet: the student's registration

REDIRECTS = {
    SAME: "/",
    ME: "/me/",
    ONBOARD: "/me/welcome/",
    EDIT: "/me/edit/",
    MINE: "/programs/mine/",
}

# URL name -> expected status for each role, in the order of ROLES:
# anonymous, member (owner), other member, officer (own chapter), officer (another),
# coordinator (own PNCS), coordinator (another), IME staff, superuser, program staff,
# officer (own chapter) without a second factor, IME staff without a second factor.
MATRIX = {
    "healthz": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "livez": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "set_language": (SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME, SAME),
    "members:home": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:privacy": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:contact": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:privacy_accept": (LOGIN, ME, ME, ME, ME, ME, ME, ME, ME, ME, ME, ME),
    "members:directory": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, MFA, MFA),
    "members:profile": (LOGIN, 200, 404, 404, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "members:me": (
        LOGIN,
        200,
        200,
        200,
        200,
        ONBOARD,
        ONBOARD,
        ONBOARD,
        ONBOARD,
        200,
        200,
        ONBOARD,
    ),
    "members:onboarding": (LOGIN, EDIT, EDIT, EDIT, EDIT, 200, 200, 200, 200, EDIT, EDIT, 200),
    "members:profile_edit": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:preferences": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:expertise_suggestions": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:country_suggestions": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:my_data": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:choices": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:export": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "members:arco_request": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:delete": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Merging one's two accounts (issue 26): any signed-in member (re-authenticated); the
    # confirmation link's signed token authorises, signed in or not; a tampered one is 400.
    "members:merge_start": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "members:merge_confirm": (200,) * 12,
    "members:merge_confirm (tampered)": (400,) * 12,
    "members:workbench": (LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 200, MFA, MFA),
    # Threads (messaging): the owner takes part; everyone else gets 404, roles included.
    "messaging:inbox": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "messaging:preferences": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "messaging:thread": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "messaging:block": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "messaging:unblock": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "messaging:share": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "messaging:report": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    # Writing to a member from their profile: only whoever may open the profile (here the
    # owner's, shown to IME only), never to oneself.
    "messaging:write_to_member": (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200, 404, MFA, MFA),
    # Organisations (counterparts): public list and verified page; the owner manages; the
    # coordinators review (of the organisation's sector: coord_own; another sees its list).
    "counterparts:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "counterparts:detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "counterparts:register": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "counterparts:mine": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "counterparts:review_list": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "counterparts:review": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "counterparts:invitation": (LOGIN, 403, 200, 403, 403, 403, 403, 403, 403, 403, 403, 403),
    "counterparts:manage": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:edit": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:remove_person": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # Requests for expertise: the organisation's people; the PNCS of the request's sector
    # (and IME) triage and invite; the invited member answers.
    "counterparts:request_list": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:request_create": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:request_detail": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:request_edit": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "counterparts:triage_list": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "counterparts:triage": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "counterparts:triage_invite": (LOGIN, 403, 403, 403, 403, 405, 405, 405, 405, 403, 403, MFA),
    "counterparts:member_invitations": (
        LOGIN,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    "counterparts:member_invitation": (
        LOGIN,
        200,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
        404,
    ),
    # Internships (issue 20): public list and published page; the host (the owner) follows
    # their placements and decides applications with the PNCS of the sector (coord_own)
    # and IME; nobody else sees an application or a CV (404). No role here is a student:
    # the student pages send them to the student's registration.
    "internships:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "internships:detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "internships:apply": (
        LOGIN,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
    ),
    "internships:offer": (
        LOGIN,
        200,
        200,
        200,
        200,
        ONBOARD,
        ONBOARD,
        ONBOARD,
        ONBOARD,
        200,
        200,
        ONBOARD,
    ),
    "internships:host_list": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "internships:host_placement": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "internships:host_edit": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "internships:review_list": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "internships:review": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "internships:application": (LOGIN, 200, 404, 404, 404, 200, 404, 200, 200, 404, MFA, MFA),
    "internships:application_cv": (LOGIN, 200, 404, 404, 404, 200, 404, 200, 200, 404, MFA, MFA),
    "internships:student_home": (
        LOGIN,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
    ),
    "internships:student_profile": (
        LOGIN,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    "internships:withdraw": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "internships:student_cv": (
        LOGIN,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
        STUDENT,
    ),
    # Engagements (issue 20): both sides (the owner is the member and the organisation's
    # owner) and the PNCS of the sector; the changes are POST only.
    "counterparts:engagements": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, MFA, MFA),
    "counterparts:engagement": (LOGIN, 200, 404, 404, 404, 200, 404, 200, 200, 404, MFA, MFA),
    **{
        f"counterparts:{name}": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, MFA, MFA)
        for name in (
            "engagement_start",
            "engagement_complete",
            "engagement_cancel",
            "milestone_add",
            "milestone_done",
            "engagement_goals",
            "session_add",
            "outcome_record",
        )
    },
    # The coordinator's pipeline and export (of their own sectors) and a PNCS's yearly report.
    "counterparts:pipeline": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "counterparts:pipeline_export": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "counterparts:yearly_report": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "chapters:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:join": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "chapters:membership_decide": (LOGIN, 403, 403, 405, 405, 403, 403, 405, 405, 403, MFA, MFA),
    "chapters:leave": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "chapters:set_home": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The chapter's officer area: its officers (and regional coordinators) and IME; 404 else.
    "chapters:officers": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:officer_end": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    # The chapter's programme, statutes and yearly report (issue 21): the officer area's rule.
    "chapters:programme": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:line_edit": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:line_delete": (405,) * 12,
    "chapters:statutes": (405,) * 12,
    "chapters:report": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:report_csv": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:report_pdf": (LOGIN, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    "chapters:jornada_list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:jornada_feed": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:jornada_ics": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:jornada_detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "chapters:jornada_detail (draft)": (404, 404, 404, 200, 404, 404, 404, 200, 200, 404, 200, 200),
    "chapters:jornada_register": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "chapters:jornada_cancel": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "chapters:jornada_participants_csv": (
        LOGIN,
        404,
        404,
        200,
        404,
        404,
        404,
        200,
        200,
        404,
        MFA,
        MFA,
    ),
    # Jornadas with the PNCS (issue 21): the registrant's own travel needs (404 to anyone
    # else); the proposals are for coordinators of a PNCS only (IME decides in the admin).
    "chapters:jornada_travel": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "chapters:proposal_list": (LOGIN, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    "chapters:proposal_create": (LOGIN, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    "pncs:announcements": (LOGIN, 403, 403, 403, 403, 200, 200, 403, 403, 403, 403, 403),
    "pncs:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pncs:search": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:export_csv": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:export_xlsx": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:exports": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    # Only the coordinator who asked for it, not even IME staff or a superuser.
    "pncs:export_download": (LOGIN, 403, 403, 403, 403, 200, 404, 404, 404, 403, 403, MFA),
    "pncs:member_detail": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:manage": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:opportunity_create": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:opportunity_manage": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "pncs:opportunity_edit": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "pncs:interest_decide": (LOGIN, 403, 403, 403, 403, 405, 405, 405, 405, 403, 403, MFA),
    "pncs:sector": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Work programmes (issue 21): coordinators keep their PNCS's (another's line: 404); IME
    # sees all side by side with the yearly report; the summary is public.
    "pncs:programme": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:programme_line_create": (LOGIN, 403, 403, 403, 403, 200, 200, 200, 200, 403, 403, MFA),
    "pncs:programme_line_edit": (LOGIN, 403, 403, 403, 403, 200, 404, 200, 200, 403, 403, MFA),
    "pncs:programme_line_delete": (LOGIN, 403, 403, 403, 403, 405, 405, 405, 405, 403, 403, MFA),
    "pncs:programme_overview": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "pncs:programme_report_csv": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "pncs:programme_report_pdf": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "pncs_programme": (200,) * 12,
    "pncs:opportunity_list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pncs:my_opportunities": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pncs:affiliations": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "pncs:affiliation_delete": (LOGIN, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "pncs:opportunity_detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "programs:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "programs:mine": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "programs:withdraw": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "programs:certificate_pdf": (LOGIN, 200, 404, 404, 404, 404, 404, 200, 200, 200, MFA, MFA),
    # The stage abroad (issue 23): the selected participant answers the offer (POST only)
    # and gives their travel data; nobody else reaches their seat, staff included.
    "programs:seat_confirm": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "programs:seat_decline": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "programs:travel_details": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "programs:detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "programs:apply": (LOGIN, MINE, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "figures_program": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "figures_program_staff": (LOGIN, 404, 404, 404, 404, 404, 404, 200, 200, 200, 404, MFA),
    "programs:certificate_verify": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "programs:certificate_lookup": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    # Open Badges 3.0 (issue 23): the holder's signed credential, as the PDF; each issuer's
    # profile, DID document and revocation list are public.
    "programs:certificate_json": (LOGIN, 200, 404, 404, 404, 404, 404, 200, 200, 200, MFA, MFA),
    "programs:openbadges_network_profile": (200,) * 12,
    "programs:openbadges_network_did": (200,) * 12,
    "programs:openbadges_network_status": (200,) * 12,
    "programs:openbadges_partner_profile": (200,) * 12,
    "programs:openbadges_partner_did": (200,) * 12,
    "programs:openbadges_partner_status": (200,) * 12,
    "admin:index": (LOGIN, LOGIN, LOGIN, 200, 200, LOGIN, LOGIN, 200, 200, 200, MFA, MFA),
    "admin:members_profile_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:members_profile_change": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:chapters_chapter_change": (
        LOGIN,
        LOGIN,
        LOGIN,
        200,
        404,
        LOGIN,
        LOGIN,
        200,
        200,
        404,
        MFA,
        MFA,
    ),
    "admin:chapters_membership_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        200,
        200,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:pncs_searchaudit_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    # Likely duplicates and merges (issue 26): IME staff and superusers only.
    "admin:members_duplicatecandidate_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:members_duplicatecandidate_merge": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:members_accountmerge_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    # Officers see their chapters' announcements; coordinators are not staff.
    "admin:announcements_announcement_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        200,
        200,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    # The signed token authorises (no login): GET shows the confirmation to anyone holding it.
    "announcements:unsubscribe": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "announcements:unsubscribe (tampered)": (
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
    ),
    # The refusal of an invitation (issue 26): the signed token authorises, no login.
    "announcements:refuse_invitation": (
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
        200,
    ),
    "announcements:refuse_invitation (tampered)": (
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
    ),
    # Importing known people, and the audit of imports: IME staff only (officers and program
    # staff reach the admin but not these pages).
    "admin:announcements_invitationimport_import": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:announcements_invitationimport_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    # Surveys (issue 26): the owner was sent the survey; anyone holding their signed link
    # answers as them (someone signed in as another person: 404); results for IME only.
    "surveys:list": (LOGIN, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "surveys:answer": (LOGIN, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "surveys:answer_link": (200, 200, 404, 404, 404, 404, 404, 404, 404, 404, 404, 404),
    "surveys:answer_link (tampered)": (
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
        400,
    ),
    "figures_survey": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "figures_survey_csv": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "admin:surveys_survey_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "admin:surveys_survey_census": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        403,
        MFA,
        MFA,
    ),
    "figures": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "figures_csv": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "figures_staff": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "figures_staff_refresh": (LOGIN, 403, 403, 403, 403, 403, 403, 405, 405, 403, 403, MFA),
    "figures_staff_csv": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    # Uploaded files (members.files): a chapter logo is public; a member's photo follows
    # the profile's visibility (no login page for a file: 404 to who may not see it).
    "media_public": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "media_private": (404, 200, 404, 404, 404, 404, 404, 200, 200, 404, MFA, MFA),
    # A chapter's private statutes: its officers and IME.
    "media_private (statutes)": (404, 404, 404, 200, 404, 404, 404, 200, 200, 404, MFA, MFA),
    # A PNCS' proposed material (issue 21): its sector's coordinators and IME only.
    "media_proposal": (404, 404, 404, 404, 404, 200, 404, 200, 200, 404, MFA, MFA),
    # News (issue 21): public list, posts and feeds; the authors' desk for coordinators,
    # officers and IME (another author's draft: 404); the review for IME only.
    "news:list": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:detail": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:detail (in review)": (404, 404, 404, 404, 404, 200, 404, 200, 200, 404, 404, 200),
    "news:feed_atom": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:feed_rss": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:sector_feed": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:sector_feed_rss": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:chapter_feed": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:chapter_feed_rss": (200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200),
    "news:manage": (LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 403, MFA, MFA),
    "news:create": (LOGIN, 403, 403, 200, 200, 200, 200, 200, 200, 403, MFA, MFA),
    "news:edit": (LOGIN, 403, 403, 404, 404, 200, 404, 200, 200, 403, MFA, MFA),
    "news:submit": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "news:withdraw": (405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405, 405),
    "news:review_list": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "news:review": (LOGIN, 403, 403, 403, 403, 403, 403, 200, 200, 403, 403, MFA),
    "admin:programs_application_changelist": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),  # Staff download a certificate's PDF from the admin (issue 23): program staff and IME.
    "admin:programs_certificate_pdf": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),
    # The travel list of a stage abroad, its CSV and XLSX and a letter of invitation
    # (issue 23): program staff and IME only, with a second factor; other staff 403.
    "admin:programs_stage_travel": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),
    "admin:programs_stage_travel_csv": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),
    "admin:programs_stage_travel_xlsx": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),
    "admin:programs_stage_invitation": (
        LOGIN,
        LOGIN,
        LOGIN,
        403,
        403,
        LOGIN,
        LOGIN,
        200,
        200,
        200,
        MFA,
        MFA,
    ),
    # The partner API (issue 25): the same answer whoever is signed in (the API reads no
    # session); partner operations need a bearer token: 401, or 405 for a GET of a POST.
    **dict.fromkeys(
        (
            "api:openapi-json",
            "api:openapi-view",
            "api:list_programs",
            "api:get_program",
            "api:verify_credential",
            "api:list_chapters",
            "api:get_chapter",
            "api:list_jornadas",
            "api:get_jornada",
            "api:list_news",
            "api:get_news",
            "api:list_opportunities",
            "api:list_organizations",
            "api:get_organization",
            "api:public_figures",
        ),
        (200,) * 12,
    ),
    **dict.fromkeys(
        (
            "api:who_am_i",
            "api:program_stages",
            "api:chapter_events",
            "api:event_registrations",
            "api:sector_members",
        ),
        (401,) * 12,
    ),
    "api:import_results": (405,) * 12,
    "api:import_certifications": (405,) * 12,
    "api_token": (405,) * 12,
    "api:api-root": (404,) * 12,
}

# The project's URLs the matrix does not need to list: allauth's own account pages (covered
# by tests/members/test_accounts.py and the deny-by-default walk) and the admin, whose model
# pages are sampled above (officers' scoping: tests/chapters/test_admin.py).
NOT_IN_MATRIX_PREFIXES = ("accounts/", "admin/", "en/")


@pytest.fixture
def world():
    return build_world()


def _status(response):
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if "/login/" in location:
        return LOGIN
    if location.startswith("/accounts/2fa/totp/activate/"):
        return MFA
    if location.startswith("/internships/student/profile/"):
        return STUDENT
    for label, path in REDIRECTS.items():
        if location == path:
            return label
    return f"302 to {location}"


def test_every_url_of_the_project_is_in_the_matrix():
    names = {
        route.name
        for route in walk()
        if not route.route.startswith(NOT_IN_MATRIX_PREFIXES) and not route.route.startswith("^")
    }
    missing = names - set(MATRIX)
    assert not missing, f"add these URLs to the role x URL matrix: {sorted(missing)}"


@pytest.mark.parametrize("role", ROLES)
def test_role_by_url_matrix(client, world, role):
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    got = {}
    for name, url in world.urls.items():
        got[name] = _status(client.get(url))
    expected = {name: MATRIX[name][ROLES.index(role)] for name in world.urls}
    wrong = {
        name: (expected[name], got[name]) for name in world.urls if got[name] != expected[name]
    }
    assert not wrong, f"{role}: (expected, got) {wrong}"


def test_another_members_private_objects_answer_404_to_a_post_and_stay_unchanged(client, world):
    owner = world.user("member")
    client.force_login(world.user("other_member"))
    for name in (
        "pncs:affiliation_delete",
        "programs:withdraw",
        "messaging:block",
        "programs:seat_confirm",
        "programs:seat_decline",
        "programs:travel_details",
    ):
        assert client.post(world.urls[name]).status_code == 404, name
    assert client.post(world.urls["messaging:thread"], {"body": "x"}).status_code == 404
    invite = {"email": "x@example.org", "role": "owner"}
    assert client.post(world.urls["counterparts:manage"], invite).status_code == 404
    assert not world.objects["organization"].invitations.filter(email="x@example.org").exists()
    assert client.get(world.urls["programs:certificate_pdf"]).status_code == 404
    assert client.get(world.urls["members:profile"]).status_code == 404
    assert Affiliation.objects.filter(pk=world.objects["affiliation"].pk, member=owner).exists()
    application = Application.objects.get(pk=world.objects["application"].pk)
    assert application.status == world.objects["application"].status


def test_no_one_but_the_host_and_the_sectors_pncs_decides_an_application(client, world):
    """Another member, another sector's coordinator and another student: 404 on the
    application and its CV, and a POST changes nothing."""
    from internships.models import Application
    from tests.internships.factories import student

    application = world.objects["internship_application"]
    other_student = student(full_name="Otra Estudiante")
    for user in (world.user("other_member"), world.user("coord_other"), other_student):
        client.force_login(user)
        for name in ("internships:application", "internships:application_cv"):
            assert client.get(world.urls[name]).status_code == 404, (user, name)
        response = client.post(world.urls["internships:application"], {"decision": "accepted"})
        assert response.status_code == 404
    # Nor does another student withdraw it.
    assert client.post(world.urls["internships:withdraw"]).status_code == 404
    assert Application.objects.get(pk=application.pk).status == "applied"


def test_a_coordinator_of_another_pncs_cannot_decide_an_interest(client, world):
    interest = world.objects["interest"]
    client.force_login(world.user("coord_other"))
    response = client.post(world.urls["pncs:interest_decide"], {"status": "accepted"})
    assert response.status_code == 404
    interest.refresh_from_db()
    assert interest.status == Interest.Status.PENDING
    client.force_login(world.user("member"))
    assert (
        client.post(world.urls["pncs:interest_decide"], {"status": "accepted"}).status_code == 403
    )
    interest.refresh_from_db()
    assert interest.status == Interest.Status.PENDING


def test_removing_ime_staff_takes_effect_on_the_next_request(client, world):
    staff = world.user("ime_staff")
    client.force_login(staff)
    assert client.get(world.urls["pncs:search"]).status_code == 200
    assert client.get(world.urls["admin:members_profile_changelist"]).status_code == 200
    staff.groups.remove(Group.objects.get(name=IME_STAFF))
    assert client.get(world.urls["pncs:search"]).status_code == 403
    assert client.get(world.urls["admin:members_profile_changelist"]).status_code == 403
    assert client.get(world.urls["members:profile"]).status_code == 404


def test_an_officer_whose_term_ends_loses_the_chapter_on_the_next_request(client, world):
    import datetime

    officer = world.user("officer_own")
    client.force_login(officer)
    csv = world.urls["chapters:jornada_participants_csv"]
    assert client.get(csv).status_code == 200
    Officer.objects.filter(user=officer).update(
        term_end=datetime.date.today() - datetime.timedelta(days=1)
    )
    assert client.get(csv).status_code == 404
    assert client.get(world.urls["chapters:jornada_detail (draft)"]).status_code == 404


# --- personal data is never cached (D6), state changes need POST + CSRF (B5) ------------

PERSONAL_PAGES = {
    "member": [
        "members:me",
        "members:profile_edit",
        "members:preferences",
        "members:my_data",
        "members:choices",
        "members:arco_request",
        "members:delete",
        "members:merge_start",
        "members:directory",
        "members:profile",
        "pncs:my_opportunities",
        "pncs:affiliations",
        "programs:mine",
        "programs:certificate_pdf",
        "programs:certificate_json",
        "media_private",
        "messaging:inbox",
        "messaging:thread",
        "messaging:report",
        "counterparts:manage",
        "counterparts:request_detail",
        "counterparts:member_invitation",
        "chapters:jornada_travel",
        "internships:host_placement",
        "internships:application",
        "internships:application_cv",
        "internships:student_profile",
        "counterparts:engagements",
        "counterparts:engagement",
    ],
    "coord_own": [
        "chapters:proposal_list",
        "pncs:announcements",
        "pncs:search",
        "pncs:export_csv",
        "pncs:export_xlsx",
        "pncs:exports",
        "pncs:export_download",
        "pncs:member_detail",
        "pncs:opportunity_manage",
        "counterparts:review",
        "counterparts:triage",
        "internships:review",
        "internships:application",
        "internships:application_cv",
        "counterparts:engagement",
        "counterparts:pipeline",
        "counterparts:pipeline_export",
        "counterparts:yearly_report",
    ],
    "officer_own": ["chapters:jornada_participants_csv", "chapters:officers"],
}


@pytest.mark.parametrize("role", list(PERSONAL_PAGES))
def test_pages_with_personal_data_are_never_stored_by_a_cache(client, world, role):
    client.force_login(world.user(role))
    for name in PERSONAL_PAGES[role]:
        response = client.get(world.urls[name])
        assert response.status_code == 200, name
        assert "no-store" in response.get("Cache-Control", ""), name


STATE_CHANGES = [
    ("member", "members:delete", {"confirm": "on"}),
    ("member", "members:merge_start", {"email": "otra@example.org"}),
    ("member", "members:export", {"format": "json"}),
    ("member", "members:choices", {}),
    ("member", "chapters:leave", {}),
    ("member", "messaging:thread", {"body": "Hola"}),
    ("member", "messaging:block", {}),
    ("member", "messaging:share", {"share": "1"}),
    ("member", "messaging:report", {"reason": "spam"}),
    ("member", "chapters:set_home", {}),
    ("member", "chapters:jornada_cancel", {}),
    ("member", "pncs:affiliation_delete", {}),
    ("member", "programs:withdraw", {}),
    ("other_member", "chapters:join", {}),
    ("other_member", "chapters:jornada_register", {}),
    ("coord_own", "pncs:interest_decide", {"status": "accepted"}),
    ("coord_own", "news:submit", {}),
    ("ime_staff", "news:review", {"decision": "approve"}),
    ("officer_own", "chapters:membership_decide", {"membership": "1", "decision": "approve"}),
    ("officer_own", "chapters:officer_end", {}),
    ("coord_own", "counterparts:review", {"status": "declined", "reason": "No"}),
    ("other_member", "counterparts:invitation", {}),
    ("member", "counterparts:manage", {"email": "x@example.org", "role": "member"}),
    ("member", "counterparts:request_create", {"kind": "mentoring", "title_es": "x"}),
    ("member", "counterparts:member_invitation", {"answer": "declined"}),
    ("coord_own", "counterparts:triage_invite", {"members": ["1"]}),
    ("member", "internships:offer", {"title_es": "x", "description_es": "y"}),
    ("coord_own", "internships:review", {"decision": "declined", "reason": "No"}),
    ("member", "internships:application", {"decision": "accepted"}),
    ("other_member", "internships:student_profile", {"full_name": "x"}),
    ("member", "counterparts:engagement_start", {}),
    ("member", "counterparts:engagement_cancel", {"cancel-reason": "No"}),
    ("member", "counterparts:milestone_add", {"milestone-title": "x", "milestone-due_on": ""}),
    ("member", "counterparts:milestone_done", {"done": "1"}),
    ("coord_own", "counterparts:engagement_goals", {"goals-goals": "x"}),
]


@pytest.mark.parametrize(("role", "name", "data"), STATE_CHANGES, ids=[s[1] for s in STATE_CHANGES])
def test_state_changes_refuse_a_post_without_the_csrf_token(world, role, name, data):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(role))
    counts = _counts()
    response = client.post(world.urls[name], data)
    assert response.status_code == 403, name
    assert _counts() == counts, f"{name} changed something without a CSRF token"


def test_another_chapters_officer_cannot_end_a_term_there(client, world):
    """An officer of chapter B posting to chapter A's end-of-term URL: 404, term unchanged."""
    client.force_login(world.user("officer_other"))
    term = world.user("officer_own").chapter_officer_terms.get()
    assert client.post(world.urls["chapters:officer_end"]).status_code == 404
    term.refresh_from_db()
    assert term.term_end is None


def _counts():
    from django.apps import apps

    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_a_coordinator_without_a_second_factor_cannot_search_nor_export(client, world):
    from allauth.mfa.models import Authenticator

    coord = world.user("coord_own")
    Authenticator.objects.filter(user=coord).delete()
    client.force_login(coord)
    for name in (
        "pncs:search",
        "pncs:export_csv",
        "pncs:export_xlsx",
        "pncs:exports",
        "pncs:export_download",
        "pncs:member_detail",
    ):
        response = client.get(world.urls[name])
        assert response.status_code == 302, name
        assert response["Location"].startswith("/accounts/2fa/totp/activate"), name
