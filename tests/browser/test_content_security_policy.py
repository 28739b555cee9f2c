"""The Content-Security-Policy in a real browser.

Every browser test already fails on a policy violation (tests/browser/conftest.py);
these show that the policy is enforced and that the watcher sees violations, and
that the Wagtail admin works under its relaxed policy.
"""

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.conftest import watch_csp_violations
from tests.cms.factories import PoolIndexPageFactory, PoolPageFactory
from tests.network.factories import agency_editor

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

INJECT_INLINE_SCRIPT = """() => {
    const script = document.createElement('script');
    script.textContent = 'window.injected = true';
    document.body.appendChild(script);
    return window.injected === true;
}"""


def new_context(browser, live_server, person=None):
    context = browser.new_context(locale="da-DK", base_url=live_server.url)
    watch_csp_violations(context)
    if person is not None:
        client = Client()
        client.force_login(person)
        context.add_cookies(
            [
                {
                    "name": "sessionid",
                    "value": client.cookies["sessionid"].value,
                    "url": live_server.url,
                }
            ]
        )
    return context


def test_an_injected_inline_script_is_blocked_and_reported(browser, live_server):
    context = new_context(browser, live_server)
    try:
        page = context.new_page()
        page.goto(reverse("network:login"))
        assert page.evaluate(INJECT_INLINE_SCRIPT) is False
        expect(page.locator("h1")).to_be_visible()
        page.wait_for_timeout(200)  # the console message arrives asynchronously
        assert any("script-src" in violation for violation in context.csp_violations)
    finally:
        context.close()


def test_the_wagtail_admin_runs_under_its_policy(browser, live_server):
    pool = PoolPageFactory(parent=PoolIndexPageFactory(), title="Recovery og rehabilitering")
    context = new_context(browser, live_server, agency_editor())
    try:
        page = context.new_page()
        page.set_default_timeout(15_000)
        for url in [
            reverse("wagtailadmin_home"),
            reverse("wagtailadmin_pages:edit", args=[pool.pk]),
            reverse("wagtaildocs:add_multiple"),
            reverse("wagtailadmin_explore", args=[pool.get_parent().pk]),
        ]:
            response = page.goto(url)
            assert response.status == 200, url
            page.wait_for_load_state("networkidle")
        # The page editor's own scripts ran: its tabs are interactive.
        page.goto(reverse("wagtailadmin_pages:edit", args=[pool.pk]))
        expect(page.locator("[role=tab]").first).to_be_visible()
        assert context.csp_violations == []
    finally:
        context.close()
