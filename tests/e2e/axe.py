"""axe-core accessibility checks for Playwright pages (shared by every app's journeys).

    from tests.e2e.axe import assert_no_serious_axe_violations
    assert_no_serious_axe_violations(page)

axe-core comes from npm (`package.json`; `make test` runs `npm ci` into node_modules/).
The site's strict CSP forbids injected inline scripts, so axe is then added as an init
script (CDP, outside the page's CSP) and the page is reloaded once (a GET page) to pick it up.

A check called right after a click that navigates could otherwise run on the page being left
or on the next one before it has a document (CI once saw axe read `document.documentElement`
as null): every check first waits until the page has loaded, and runs again on the loaded
page if a navigation replaced the document under it."""

import contextlib
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = ("serious", "critical")
NAVIGATION_ERRORS = (
    "Execution context was destroyed",
    "Cannot find context",
    "reading 'documentElement'",
)
ATTEMPTS = 3


def _settled(page) -> None:
    """Until the current document has loaded ('complete' is set as its load event fires)."""
    page.wait_for_function("() => document.readyState === 'complete' && !!document.body")


def _ensure_axe(page) -> None:
    _settled(page)
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    if not AXE_JS.is_file():
        raise AssertionError(f"axe-core is missing at {AXE_JS}: run `npm ci` (make test does)")
    # Works on pages without a CSP (e.g. set_content); the site's CSP refuses it.
    with contextlib.suppress(PlaywrightError):
        page.add_script_tag(path=str(AXE_JS))
    if page.evaluate("() => typeof window.axe !== 'undefined'"):
        return
    page.add_init_script(path=str(AXE_JS))
    page.reload()
    page.wait_for_function("() => typeof window.axe !== 'undefined'")
    _settled(page)


def _run_axe(page, script: str, arg=None):
    """Evaluate an axe run on the loaded page, again if a navigation replaced it meanwhile."""
    attempt = 1
    while True:
        try:
            _ensure_axe(page)
            return page.evaluate(script, arg)
        except PlaywrightError as error:
            if attempt == ATTEMPTS or not any(m in str(error) for m in NAVIGATION_ERRORS):
                raise
        attempt += 1


def axe_violations(page, *, tags=WCAG_TAGS) -> list[dict]:
    """Run axe-core on the current page; returns its violations (all impacts)."""
    result = _run_axe(
        page,
        "async (tags) => await window.axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        list(tags),
    )
    return result["violations"]


def assert_no_serious_axe_violations(page, *, tags=WCAG_TAGS) -> None:
    """Fail listing every serious or critical axe-core violation of the current page."""
    blocking = [v for v in axe_violations(page, tags=tags) if v["impact"] in BLOCKING_IMPACTS]
    if blocking:
        lines = [f"axe-core: serious/critical violations on {page.url}"]
        for violation in blocking:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"
            )
        raise AssertionError("\n".join(lines))


def every_rule_violations(page) -> list[dict]:
    """Run every axe-core rule (best practices included), whatever its impact."""
    return _run_axe(page, "async () => (await window.axe.run(document)).violations")


def assert_no_axe_violations(page) -> None:
    """Fail listing any violation of any axe-core rule on the current page (issue 22:
    the pages it touched pass every rule, not only the serious WCAG ones)."""
    violations = every_rule_violations(page)
    if violations:
        lines = [f"axe-core: violations on {page.url}"]
        for violation in violations:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            lines.append(
                f"- {violation['id']} ({violation['impact']}): {violation['help']} [{targets}]"
            )
        raise AssertionError("\n".join(lines))
