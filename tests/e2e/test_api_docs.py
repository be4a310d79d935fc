"""The API's browsable docs in a real browser (Chromium): Swagger UI from the site's own
static files renders every operation under the site's Content Security Policy, axe-clean."""

import pytest
from playwright.sync_api import expect

from tests.e2e.axe import axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_renders_the_operations_without_a_csp_violation(page, live_server):
    violations, requests = [], []
    page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page.on("request", lambda r: requests.append(r.url))
    response = page.goto(live_server.url + "/api/v1/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("html")).to_have_attribute("lang", "es-mx")
    expect(page.get_by_text("/api/v1/partner/program/stages/{stage_id}/results")).to_be_visible()
    expect(page.get_by_text("/api/v1/credentials/{code}")).to_be_visible()
    assert violations == []
    assert all(url.startswith(live_server.url) for url in requests), requests
    assert axe_violations(page) == []  # WCAG 2.1 AA rules (tests/e2e/axe.py)
