"""Waitlist promotion under concurrent cancellations: two real transactions at once."""

import threading

import pytest
from django.db import close_old_connections, connection

from chapters import services
from chapters.models import Registration
from tests.factories import JornadaFactory, RegistrationFactory, member


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_cancellations_never_exceed_the_capacity():
    jornada = JornadaFactory(capacity=2)
    confirmed = [RegistrationFactory(jornada=jornada).user for _ in range(2)]
    waiting = [member() for _ in range(3)]
    for user in waiting:
        services.register_for_jornada(jornada_id=jornada.pk, user=user)
    assert Registration.objects.waitlisted().count() == 3

    barrier = threading.Barrier(2)
    errors = []

    def cancel(user):
        # Each thread has its own database connection, so its own transaction.
        try:
            barrier.wait(timeout=10)
            services.cancel_registration(jornada_id=jornada.pk, user=user)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(user,)) for user in confirmed]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()

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
    barrier = threading.Barrier(2)
    errors = []

    def register(user):
        try:
            barrier.wait(timeout=10)
            services.register_for_jornada(jornada_id=jornada.pk, user=user)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    close_old_connections()

    assert errors == []
    assert Registration.objects.confirmed().count() == 1
    assert Registration.objects.waitlisted().count() == 1
