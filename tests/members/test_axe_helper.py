"""The shared axe-core helper finds real violations and passes clean pages."""

import pytest

from tests.e2e.axe import assert_no_serious_axe_violations

pytestmark = [pytest.mark.slow, pytest.mark.e2e]


def test_the_axe_helper_reports_a_serious_violation(page):
    page.set_content(
        '<html lang="es"><head><title>t</title></head><body><main>'
        '<h1>Prueba</h1><input type="text" id="sin-etiqueta"></main></body></html>'
    )
    with pytest.raises(AssertionError, match="label"):
        assert_no_serious_axe_violations(page)


def test_the_axe_helper_passes_an_accessible_page(page):
    page.set_content(
        '<html lang="es"><head><title>t</title></head><body><main>'
        '<h1>Prueba</h1><label for="n">Nombre</label><input type="text" id="n">'
        "</main></body></html>"
    )
    assert_no_serious_axe_violations(page)
