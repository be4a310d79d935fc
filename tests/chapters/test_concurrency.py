"""Waitlist promotion under concurrent cancellations: two real transactions at once."""

from functools import partial

import pytest

from chapters import services
from chapters.models import Registration
from tests.factories import JornadaFactory, RegistrationFactory, member
from tests.parallel import run_at_once


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_never_exceed_the_capacity():
    jornada = JornadaFactory(capacity=2)
    confirmed = [RegistrationFactory(jornada=jornada).user for _ in range(2)]
    waiting = [member() for _ in range(3)]
    for user in waiting:
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    assert Registration.objects.waitlisted().count() == 3

    _results, errors = run_at_once(
        [partial(services.cancel_registration, jornada_id=jornada.pk, user=u) for u in confirmed]
    )
    assert errors == []
    statuses = dict(Registration.objects.values_list("user_id", "status"))
    assert [statuses[u.pk] for u in confirmed] == ["cancelled", "cancelled"]
    # Both freed places went, in order, to the first two on the waitlist; never more.
    assert [statuses[u.pk] for u in waiting] == ["confirmed", "confirmed", "waitlisted"]
    assert Registration.objects.filter(jornada=jornada).confirmed().count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_for_the_last_place_confirm_only_one():
    jornada = JornadaFactory(capacity=1)
    people = [member() for _ in range(2)]
    _results, errors = run_at_once(
        [partial(services.register_for_jornada, jornada_id=jornada.pk, user=u) for u in people]
    )
    assert errors == []
    assert Registration.objects.confirmed().count() == 1
    assert Registration.objects.waitlisted().count() == 1
