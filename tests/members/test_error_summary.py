"""Forms with errors show a summary at the top that takes focus and links to each field;
a photo chosen before an error is not silently lost (issue 22)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_summary_links_to_each_field_in_error_and_takes_focus(me, client):
    response = client.post(
        reverse("members:profile_edit"),
        {"given_names": "", "paternal_surname": "", "photo": SimpleUploadedFile("a.png", b"x")},
    )
    html = response.content.decode()
    assert response.status_code == 200
    summary = html[
        html.index('class="error-summary"') : html.index(
            "</div>", html.index('class="error-summary"')
        )
    ]
    assert "autofocus" in summary and 'role="alert"' in summary
    assert 'href="#id_given_names"' in summary and 'href="#id_paternal_surname"' in summary
    assert "vuelve a elegirlos" in summary


def test_a_valid_page_has_no_summary(me, client):
    assert "error-summary" not in client.get(reverse("members:profile_edit")).content.decode()
