"""Every members form takes arbitrary text without a 500, and saves nothing when invalid."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from members.models import ArcoRequest, ConsentRecord, PrivacyAcceptance, Profile, User

pytestmark = pytest.mark.django_db

NASTY = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\u202eabc",
            "\ufeff",
            "=cmd|' /C calc'!A0",
            "x" * 10_000,
            "<script>alert(1)</script>",
            "' OR 1=1 --",
            "\r\nBcc: x@evil.example",
        ]
    ),
)
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def snapshot(user):
    profile = Profile.objects.filter(user=user).values().first()
    user_row = User.objects.filter(pk=user.pk).values("email", "preferred_language").first()
    return (
        profile,
        user_row,
        ConsentRecord.objects.count(),
        ArcoRequest.objects.count(),
        PrivacyAcceptance.objects.count(),
    )


FORMS = {
    "members:profile_edit": [
        "given_names",
        "paternal_surname",
        "maternal_surname",
        "preferred_name",
        "headline",
        "bio",
        "country",
        "city",
        "state_of_origin",
        "education_level",
        "education_field",
        "institution",
        "employer",
        "position",
        "sectors",
        "primary_sector",
        "expertise",
        "languages",
        "contributions",
        "linkedin_url",
        "orcid",
        "website",
        "willing_to_travel",
    ],
    "members:choices": [
        "directory_visibility",
        "show_email",
        "pncs_contact",
        "notify_chapter",
        "notify_jornadas",
        "notify_programs",
        "notify_opportunities",
    ],
    "members:preferences": ["preferred_language"],
    "members:arco_request": ["kind", "description"],
    "members:privacy_accept": ["version", "accept"],
}


@pytest.mark.parametrize("name", sorted(FORMS))
def test_member_forms_never_fail_and_save_nothing_when_invalid(client, me, name):
    fields = FORMS[name]

    @FUZZ
    @given(values=st.lists(NASTY, min_size=len(fields), max_size=len(fields)))
    def run(values):
        before = snapshot(me)
        response = client.post(reverse(name), dict(zip(fields, values, strict=True)))
        if any("\x00" in value for value in values):  # refused before any form: 400
            assert response.status_code == 400
        else:
            assert response.status_code in (200, 302)
        if response.status_code != 302:
            assert snapshot(me) == before

    run()


def test_delete_form_never_fails_and_keeps_the_account_without_confirmation(client, me):
    @FUZZ
    @given(value=NASTY)
    def run(value):
        response = client.post(reverse("members:delete"), {"confirm": "" if value else value})
        assert response.status_code in (200, 302)
        me.refresh_from_db()
        assert me.is_active

    run()


def test_directory_takes_any_query_string(client, me):
    @FUZZ
    @given(values=st.lists(NASTY, min_size=7, max_size=7))
    def run(values):
        keys = ["q", "sector", "country", "state", "contribution", "expertise", "page"]
        response = client.get(reverse("members:directory"), dict(zip(keys, values, strict=True)))
        assert response.status_code == (400 if any("\x00" in v for v in values) else 200)

    run()


def test_signup_never_fails_and_creates_nobody_with_garbage(client):
    fields = [
        "email",
        "password1",
        "password2",
        "privacy_version",
        "accept_privacy",
        "show_in_directory",
        "pncs_contact",
    ]

    @FUZZ
    @given(values=st.lists(NASTY, min_size=len(fields), max_size=len(fields)))
    def run(values):
        data = dict(zip(fields, values, strict=True))
        response = client.post(reverse("account_signup"), data)
        if any("\x00" in value for value in values):  # refused before any form: 400
            assert response.status_code == 400
        else:
            assert response.status_code in (200, 302, 429)
        if response.status_code != 302:
            assert not User.objects.exists()

    run()
