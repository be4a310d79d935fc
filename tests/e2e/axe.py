"""axe-core accessibility checks for Playwright pages (shared by every app's journeys).

    from tests.e2e.axe import assert_no_serious_axe_violations
    assert_no_serious_axe_violations(page)

axe-core comes from npm (`package.json`; `make test` runs `npm ci` into node_modules/).
The site's strict CSP forbids injected inline scripts, so axe is then added as an init
script (CDP, outside the page's CSP) and the page is reloaded once (a GET page) to pick it up."""

import contextlib
from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING_IMPACTS = ("serious", "critical")


def _ensure_axe(page) -> None:
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


def axe_violations(page, *, tags=WCAG_TAGS) -> list[dict]:
    """Run axe-core on the current page; returns its violations (all impacts)."""
    _ensure_axe(page)
    result = page.evaluate(
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
    _ensure_axe(page)
    return page.evaluate("async () => (await window.axe.run(document)).violations")


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
