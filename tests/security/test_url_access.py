"""Deny by default (SECURITY.md B1): every URL pattern is either on the public list below
or sends an anonymous visitor to a login page (or answers 403/404/405). A new URL that is
neither fails here, and no URL answers 500 to an anonymous GET."""

import pytest

from figures.services import refresh_figures

from .urlwalk import walk

pytestmark = pytest.mark.django_db

# URL names (or routes, for unnamed patterns) an anonymous visitor may open.
PUBLIC = {
    "healthz",
    "livez",
    "set_language",
    "members:home",
    "members:privacy",
    "members:contact",
    "chapters:list",
    "chapters:detail",
    "chapters:jornada_list",
    "chapters:jornada_detail",
    "chapters:jornada_ics",
    "chapters:jornada_feed",
    "pncs:list",
    "pncs:sector",
    "pncs:opportunity_list",
    "pncs:opportunity_detail",
    "programs:list",
    "programs:detail",
    "figures_program",
    "programs:certificate_verify",
    "programs:certificate_lookup",
    # Open Badges 3.0 (issue 23): what verifiers fetch about each issuer.
    "programs:openbadges_network_profile",
    "programs:openbadges_network_did",
    "programs:openbadges_network_status",
    "programs:openbadges_partner_profile",
    "programs:openbadges_partner_did",
    "programs:openbadges_partner_status",
    "figures",
    # A PNCS's work programme, public summary (issue 21).
    "pncs_programme",
    "announcements:unsubscribe",
    # The refusal link of an invitation (issue 26): the signed token authorises.
    # So does the confirmation link of an account merge (issue 26).
    "members:merge_confirm",
    "announcements:refuse_invitation",
    "figures_csv",
    # A survey's personal link (issue 26): the signed token authorises, no login.
    "surveys:answer_link",
    # News (issue 21): the list, a post, and the feeds of the network, a sector, a chapter.
    "news:list",
    "news:detail",
    "news:feed_atom",
    "news:feed_rss",
    "news:sector_feed",
    "news:sector_feed_rss",
    "news:chapter_feed",
    "news:chapter_feed_rss",
    # The API (issue 25): its document, its docs page and the public reads.
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
    # Verified Mexican organisations (issue 20's public contract).
    "counterparts:list",
    "counterparts:detail",
    # Published internships (issue 20's public contract).
    "internships:list",
    "internships:detail",
    # Uploaded files: public ones, and private ones whose row the visitor may see (a public
    # Jornada material); members.files answers 404 for the rest.
    "media_public",
    "media_private",
    # allauth: the ways in, and the pages a signed-out person needs
    "account_login",
    "account_signup",
    "account_logout",
    "account_confirm_email",
    "account_email_verification_sent",
    "account_reset_password",
    "account_reset_password_done",
    "account_reset_password_from_key",
    "account_reset_password_from_key_done",
    "account_inactive",
    "account_login_code_confirm",
    "account_request_login_code",
    "account_confirm_login_code",
    "account_confirm_password_reset_code",
    "account_confirm_email_verification_code",
    "account_login_code",
    "account_password_reset_code",
    "account_reset_password_code",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_trust",
    "socialaccount_login_cancelled",
    "socialaccount_login_error",
    "accounts/social/login/cancelled/",
    "accounts/social/login/error/",
    "admin:login",
    "socialaccount_signup",
    "google_login",
    "google_callback",
    "openid_connect_login",
    "openid_connect_callback",
}
# The partner API (issue 25) asks for a bearer token, not a login: an anonymous call answers
# 401 with a problem document (405 for a GET of a POST-only operation).
TOKEN_REQUIRED_PREFIX = "/api/v1/partner/"
LOGIN_PATHS = ("/accounts/login/", "/admin/login/", "/en/accounts/login/", "/en/admin/login/")


def _routes():
    return sorted({route.path: route for route in walk()}.values(), key=lambda r: r.path)


def test_the_walk_finds_the_project_urls():
    names = {route.name for route in _routes()}
    assert {"members:home", "healthz", "account_login", "admin:index"} <= names


@pytest.mark.parametrize("route", _routes(), ids=lambda r: r.name)
def test_anonymous_visitor_is_denied_unless_the_url_is_public(client, route):
    if route.name.startswith("figures"):
        refresh_figures()  # the beat's work: the figures pages only read snapshots
    response = client.get(route.path)
    assert response.status_code < 500, f"{route.path} answered {response.status_code}"
    if route.name in PUBLIC:
        return
    if route.path.startswith(TOKEN_REQUIRED_PREFIX):
        assert response.status_code in (401, 405), (route.path, response.status_code)
        if response.status_code == 401:
            assert response["Content-Type"] == "application/problem+json"
            assert response["WWW-Authenticate"].startswith("Bearer")
        return
    if response.status_code in (301, 302):
        location = response["Location"]
        if not any(location.startswith(p) or p in location for p in LOGIN_PATHS):
            # A redirect to the canonical form of the same URL (e.g. APPEND_SLASH) is fine
            # only if following it lands on a login page.
            followed = client.get(location)
            assert followed.status_code in (302, 403, 404, 405), (route.path, location)
            if followed.status_code == 302:
                assert any(p in followed["Location"] for p in LOGIN_PATHS), route.path
    else:
        assert response.status_code in (403, 404, 405), (
            f"{route.name} ({route.route}) answered {response.status_code} to an anonymous "
            "visitor: put it on the PUBLIC list or protect it"
        )
