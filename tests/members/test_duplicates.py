"""Likely duplicates (issue 26): each signal flags a pair for staff, deleted accounts are
never proposed, a dismissed pair stays dismissed, the similar-name search reads the trigram
index nearest first, and the sign-up warning speaks only of the member's own mailbox."""

import pytest
from django.db import connection
from django.urls import reverse

from members import messages as msg
from members.models import DuplicateCandidate, Profile
from members.services import delete_account
from members.services.duplicates import (
    candidates_for,
    dismiss_candidate,
    flag_duplicates,
    flag_recent_duplicates,
    nearest_names,
    shares_mailbox_with_another_account,
)
from tests.factories import UserFactory, member

pytestmark = pytest.mark.django_db
R = DuplicateCandidate.Reason


def _person(email, **profile):
    defaults = {
        "given_names": "Zacarías",
        "paternal_surname": "Quintanilla",
        "maternal_surname": "",
        "country": "CA",
    }
    defaults.update(profile)
    return member(user=UserFactory(email=email), **defaults)


def test_same_name_and_country_is_flagged_accents_and_case_ignored():
    a = _person("zq1@example.org", given_names="Zacarías", paternal_surname="Quintanilla")
    b = _person("other@example.net", given_names="ZACARIAS", paternal_surname="quintanilla")
    found = candidates_for(user_id=a.pk)
    assert R.NAME_COUNTRY in found[b.pk]["reasons"]


def test_the_same_name_in_another_country_is_not_the_same_name_and_country():
    a = _person("zq1@example.org")
    b = _person("zq2@example.net", country="DE")
    assert (
        R.NAME_COUNTRY not in candidates_for(user_id=a.pk).get(b.pk, {"reasons": set()})["reasons"]
    )


def test_a_similar_name_is_flagged_by_trigrams():
    a = _person("one@example.org", given_names="Zacarías", paternal_surname="Quintanilla")
    b = _person(
        "two@example.net",
        given_names="Zacarias",
        paternal_surname="Quintanila",
        maternal_surname="",
        country="DE",
    )
    Profile.objects.filter(user=a).update(maternal_surname="")
    found = candidates_for(user_id=a.pk)
    assert R.SIMILAR_NAME in found[b.pk]["reasons"]
    assert 0.6 <= found[b.pk]["similarity"] < 1


def test_a_different_name_is_not_flagged():
    a = _person("one@example.org", maternal_surname="")
    b = _person("two@example.net", given_names="Ana", paternal_surname="López", maternal_surname="")
    assert b.pk not in candidates_for(user_id=a.pk)


def test_the_same_orcid_linkedin_or_website_is_flagged():
    a = _person("a1@example.org", given_names="Uno", orcid="0000-0002-1825-0097")
    b = _person("b1@example.net", given_names="Dos", orcid="0000-0002-1825-0097")
    c = _person(
        "c1@example.org", given_names="Tres", linkedin_url="https://www.linkedin.com/in/zq/"
    )
    d = _person("d1@example.net", given_names="Cuatro", linkedin_url="http://linkedin.com/in/ZQ")
    assert R.LINK in candidates_for(user_id=a.pk)[b.pk]["reasons"]
    assert R.LINK in candidates_for(user_id=c.pk)[d.pk]["reasons"]


def test_the_same_gmail_mailbox_with_dots_and_a_tag_is_flagged():
    a = _person("zaca.quinta@gmail.com", given_names="Uno", paternal_surname="Alfa")
    b = _person("zacaquinta+red@googlemail.com", given_names="Dos", paternal_surname="Beta")
    found = candidates_for(user_id=a.pk)
    assert R.MAILBOX in found[b.pk]["reasons"]
    assert R.EMAIL_LOCAL in found[b.pk]["reasons"]


def test_the_same_local_part_at_another_provider_is_flagged_but_not_a_short_one():
    a = _person("zaca_quinta@uni.example.edu", given_names="Uno", paternal_surname="Alfa")
    b = _person("zaca.quinta@example.com", given_names="Dos", paternal_surname="Beta")
    c = _person("info@example.org", given_names="Tres", paternal_surname="Gama")
    d = _person("info@example.net", given_names="Cuatro", paternal_surname="Delta")
    assert candidates_for(user_id=a.pk)[b.pk]["reasons"] == {R.EMAIL_LOCAL}
    assert d.pk not in candidates_for(user_id=c.pk)


def test_a_deleted_account_is_never_proposed():
    a = _person("zq1@example.org")
    b = _person("zq2@example.net")
    delete_account(user=b)
    assert candidates_for(user_id=a.pk) == {}


def test_flagging_writes_one_row_per_pair_and_keeps_a_dismissal():
    a = _person("zq1@example.org")
    b = _person("zq2@example.net")
    assert flag_duplicates(user_id=b.pk) == 1
    pair = DuplicateCandidate.objects.get()
    assert (pair.first_id, pair.second_id) == (a.pk, b.pk)
    assert set(pair.reasons) == {R.NAME_COUNTRY, R.SIMILAR_NAME}
    assert dismiss_candidate(candidate_id=pair.pk, by=None)
    flag_duplicates(user_id=a.pk)
    pair.refresh_from_db()
    assert DuplicateCandidate.objects.count() == 1
    assert pair.status == DuplicateCandidate.Status.DISMISSED


def test_the_periodic_pass_looks_only_at_recent_profiles():
    from datetime import timedelta

    from django.utils import timezone

    a = _person("zq1@example.org")
    b = _person("zq2@example.net")
    Profile.objects.filter(user__in=[a, b]).update(updated_at=timezone.now() - timedelta(days=2))
    assert flag_recent_duplicates() == 0
    assert not DuplicateCandidate.objects.exists()
    Profile.objects.filter(user=b).update(updated_at=timezone.now())
    assert flag_recent_duplicates() == 1
    assert DuplicateCandidate.objects.filter(first=a, second=b).exists()


def test_the_similar_name_search_reads_the_trigram_index_nearest_first():
    _person("zq1@example.org")
    query = nearest_names(name_key="zacarias quintanilla", exclude_user_id=0)
    with connection.cursor() as cursor:
        # A tiny table: forbid the alternatives to see that the index can answer alone,
        # in order (a k-nearest-neighbour scan), as it must at a million rows.
        cursor.execute(
            "SET enable_seqscan = off; SET enable_bitmapscan = off; SET enable_sort = off"
        )
        plan = query.explain()
        cursor.execute("RESET enable_seqscan; RESET enable_bitmapscan; RESET enable_sort")
    assert "members_profile_name_trgm" in plan
    assert "Sort" not in plan


def test_shares_mailbox_is_true_only_for_the_same_mailbox():
    a = _person("zaca.quinta@gmail.com")
    b = UserFactory(email="zacaquinta+x@gmail.com")
    c = UserFactory(email="zacaquinta@example.org")
    assert shares_mailbox_with_another_account(user=b)
    assert shares_mailbox_with_another_account(user=a)
    assert not shares_mailbox_with_another_account(user=c)


def test_a_new_member_sees_the_mailbox_warning_without_the_other_address(client):
    _person("zaca.quinta@gmail.com")
    newcomer = UserFactory(email="zacaquinta@gmail.com")
    Profile.objects.create(user=newcomer)
    client.force_login(newcomer)
    page = client.get(reverse("members:onboarding"))
    assert page.status_code == 200
    text = page.content.decode()
    assert str(msg.MAILBOX_WARNING).split(" (")[0] in text
    assert "zaca.quinta@gmail.com" not in text


def test_a_new_member_with_a_unique_mailbox_sees_no_warning(client):
    newcomer = UserFactory(email="solo@example.org")
    Profile.objects.create(user=newcomer)
    client.force_login(newcomer)
    page = client.get(reverse("members:onboarding"))
    assert str(msg.MAILBOX_WARNING).split(" (")[0] not in page.content.decode()


@pytest.mark.parametrize("email", ["zacaquinta@gmail.com", "nadie.registrado@example.org"])
def test_sign_up_answers_the_same_for_a_look_alike_address(client, email, mailoutbox):
    _person("zaca.quinta@gmail.com")
    response = client.post(
        reverse("account_signup"),
        {
            "email": email,
            "password1": "una frase larga de prueba",
            "password2": "una frase larga de prueba",
        },
    )
    assert response.status_code in (200, 302)
    assert "zaca.quinta" not in response.content.decode()
    assert str(msg.MAILBOX_WARNING).split(" (")[0] not in response.content.decode()


def _plan_without_scans(query):
    with connection.cursor() as cursor:
        cursor.execute("SET enable_seqscan = off")
        plan = query.explain()
        cursor.execute("RESET enable_seqscan")
    return plan


def test_the_mailbox_local_part_name_and_link_lookups_read_their_indexes():
    from members.matching import LinkKey, LocalPartKey, MailboxKey, NameKey
    from members.models import User

    _person("zaca.quinta@gmail.com", linkedin_url="https://linkedin.com/in/zq")
    mailbox = User.objects.annotate(k=MailboxKey("email")).filter(k="zacaquinta@gmail.com")
    local = (
        User.objects.filter(email__regex=r"^[^@]{6,}@")
        .annotate(k=LocalPartKey("email"))
        .filter(k="zacaquinta")
    )
    name = (
        Profile.objects.exclude(given_names="")
        .exclude(paternal_surname="")
        .filter(country="CA")
        .annotate(k=NameKey("given_names", "paternal_surname", "maternal_surname"))
        .filter(k="zacarias quintanilla")
    )
    link = (
        Profile.objects.exclude(linkedin_url="")
        .annotate(k=LinkKey("linkedin_url"))
        .filter(k="linkedin.com/in/zq")
    )
    assert "members_user_mailbox" in _plan_without_scans(mailbox)
    assert "members_user_local_part" in _plan_without_scans(local)
    # The equal name: its b-tree with the country, or the trigram index (which answers
    # equality too); never a scan of the table.
    name_plan = _plan_without_scans(name)
    assert "members_profile_name_country" in name_plan or "members_profile_name_trgm" in name_plan
    assert "members_profile_linkedin" in _plan_without_scans(link)


def test_the_review_list_reads_the_same_number_of_statements_for_more_pairs(client):
    from django.contrib.auth.models import Group
    from django.test.utils import CaptureQueriesContext

    from core.access import IME_STAFF
    from tests.factories import with_totp

    staff = UserFactory(is_staff=True)
    staff.groups.add(Group.objects.get_or_create(name=IME_STAFF)[0])
    with_totp(staff)
    client.force_login(staff)
    url = reverse("admin:members_duplicatecandidate_changelist")

    def pairs(n, start):
        for i in range(n):
            _person(f"uno{start + i}@example.org", given_names=f"Nombre{start + i}")
            b = _person(f"dos{start + i}@example.net", given_names=f"Nombre{start + i}")
            flag_duplicates(user_id=b.pk)

    pairs(2, 0)
    client.get(url)  # warm the per-request caches (roles, content types)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    pairs(4, 10)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert DuplicateCandidate.objects.count() >= 6
    assert len(small.captured_queries) == len(large.captured_queries)
