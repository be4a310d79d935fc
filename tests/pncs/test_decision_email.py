"""A decision reaches the member by email through a real Celery worker and SMTP server."""

import pytest

from pncs.models import Interest
from pncs.services import decide_interest
from tests.factories import OpportunityFactory, coordinator, member

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_decision_email_is_sent_by_the_worker_after_commit(smtp_server, celery_worker_process):
    coord = coordinator("tic")
    opportunity = OpportunityFactory(
        pncs=coord.coordinated_pncs.get(), title_es="Pasantía de prueba", title_en="Test internship"
    )
    applicant = member(user__preferred_language="es-mx")
    interest = Interest.objects.create(opportunity=opportunity, member=applicant)

    assert decide_interest(interest_id=interest.pk, status="declined", by=coord)
    messages = smtp_server.wait_for(1)
    assert len(messages) == 1
    assert messages[0]["To"] == applicant.email
    assert messages[0]["Subject"] == "Tu interés en «Pasantía de prueba»: No seleccionada"
    assert "List-Unsubscribe" not in messages[0]

    # The same decision again changes nothing and sends nothing.
    assert not decide_interest(interest_id=interest.pk, status="declined", by=coord)
    assert len(smtp_server.wait_for(2, timeout=2)) == 1
