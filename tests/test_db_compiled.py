"""talentnet.db.compiled: ORM queries compiled once, run with new values."""

import pytest
from django.db import connection

from members.models import User
from pncs.models import SearchAudit
from talentnet.db.compiled import CompiledQuery, EqualsAny, fetch_rows
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_compiled_query_answers_what_the_orm_answers_for_each_value():
    users = UserFactory.create_batch(3)
    by_email = CompiledQuery(
        lambda email: User.objects.filter(email=email).values_list("pk", "email"),
        email="sample@example.org",
    )
    for user in users:
        assert by_email.rows(email=user.email) == [(user.pk, user.email)]
    assert by_email.rows(email="nobody@example.org") == []


def test_equals_any_is_one_statement_for_any_number_of_values():
    users = UserFactory.create_batch(4)
    ids = sorted(u.pk for u in users)
    among = CompiledQuery(
        lambda ids: User.objects.filter(EqualsAny("pk", ids)).order_by("pk").values_list("pk"),
        ids=[-1],
    )
    for _run in range(3):  # psycopg prepares a statement (per parameter types) at its fifth run
        assert among.rows(ids=ids[:1]) == [(ids[0],)]
        assert among.rows(ids=ids[1:]) == [(pk,) for pk in ids[1:]]
        assert among.rows(ids=[]) == []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%"members_user"."id" = ANY(%'],
        )
        assert cursor.fetchone() == (1,)


def test_instances_are_model_objects_with_every_field_read():
    user = UserFactory(first_name="Ana")
    by_pk = CompiledQuery(lambda pk: User.objects.filter(pk=pk), pk=-1)
    [loaded] = by_pk.instances(pk=user.pk)
    assert isinstance(loaded, User)
    assert (loaded.pk, loaded.email, loaded.first_name) == (user.pk, user.email, "Ana")
    assert loaded.check_password("correct-horse-battery") == user.check_password(
        "correct-horse-battery"
    )
    assert not loaded._state.adding


def test_values_are_converted_as_the_orm_converts_them():
    user = UserFactory()
    audit = SearchAudit.objects.create(
        user=user, action=SearchAudit.Action.SEARCH, filters={"sector": ["tic"]}, row_count=3
    )
    filters_of = CompiledQuery(
        lambda pk: SearchAudit.objects.filter(pk=pk).values_list("filters"), pk=-1
    )
    assert filters_of.rows(pk=audit.pk) == [({"sector": ["tic"]},)]


def test_samples_that_cannot_be_told_apart_are_refused():
    same = CompiledQuery(lambda a, b: User.objects.filter(pk=a, id=b).values_list("pk"), a=-1, b=-1)
    with pytest.raises(ValueError, match="equal"):
        same.rows(a=1, b=1)


def test_a_parameter_the_query_does_not_use_is_refused():
    unused = CompiledQuery(lambda pk: User.objects.values_list("pk"), pk=-1)
    with pytest.raises(ValueError, match="did not reach"):
        unused.rows(pk=1)


def test_user_by_pk_is_the_orm_user_and_related_managers_keep_their_conditions():
    from django.contrib.auth.models import Group

    user, other = UserFactory(), UserFactory()
    assert User.objects.get(pk=user.pk) == user
    assert User.objects.get(pk=str(user.pk)).email == user.email
    with pytest.raises(User.DoesNotExist):
        User.objects.get(pk=other.pk + 1000)
    group = Group.objects.create(name="compiled-test")
    group.user_set.add(user)
    assert group.user_set.get(pk=user.pk) == user
    with pytest.raises(User.DoesNotExist):
        group.user_set.get(pk=other.pk)


def test_an_expired_or_unknown_session_loads_empty_and_a_live_one_loads(client):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from talentnet.sessions import SessionStore

    store = SessionStore()
    store["k"] = "v"
    store.create()
    assert SessionStore(store.session_key).load() == {"k": "v"}
    Session.objects.filter(pk=store.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    expired = SessionStore(store.session_key)
    assert expired.load() == {}
    assert expired.session_key is None
    assert SessionStore("no-such-key-0123456789abcdefghij").load() == {}


def test_instances_carry_their_selected_relation_and_annotations():
    from django.db.models import Value

    from members.models import Profile
    from tests.factories import ProfileFactory

    profile = ProfileFactory(given_names="Lucía")
    query = CompiledQuery(
        lambda pk: Profile.objects.select_related("user").annotate(mark=Value("m")).filter(pk=pk),
        pk=-1,
    )
    [loaded] = query.instances(pk=profile.pk)
    assert loaded.given_names == "Lucía" and loaded.mark == "m"
    assert Profile.user.is_cached(loaded)
    assert loaded.user.email == profile.user.email


def test_fetch_rows_reads_what_the_orm_reads_converted_and_nothing_for_an_empty_match():
    user = UserFactory()
    for n in range(3):
        SearchAudit.objects.create(
            user=user, action=SearchAudit.Action.SEARCH, filters={"n": [n]}, row_count=n
        )
    queryset = SearchAudit.objects.order_by("row_count").values_list("row_count", "filters")
    assert fetch_rows(queryset) == list(queryset) == [(n, {"n": [n]}) for n in range(3)]
    assert fetch_rows(queryset.all()[1:2]) == [(1, {"n": [1]})]
    assert fetch_rows(queryset.filter(pk__in=[])) == []
