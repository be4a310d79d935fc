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
    # axe reads the page once Swagger UI has settled (the schema fetched, nothing loading,
    # no animation running): read mid-render, it missed the operations' findings (Swagger
    # UI's colours, darkened by static/api/swagger-a11y.css; its deep links, turned off).
    page.wait_for_load_state("networkidle")
    expect(page.locator(".swagger-ui .loading-container")).to_have_count(0)
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    page.wait_for_function("() => document.getAnimations().length === 0")
    found = [(v["id"], [n["target"] for n in v["nodes"][:5]]) for v in axe_violations(page)]
    assert found == []  # WCAG 2.1 AA rules (tests/e2e/axe.py)
