"""The page frame in Det Fælles Designsystem's markup (issue #18), without a browser.

tests/browser/test_design_system.py measures the pages in chromium; these check what the
HTML says: the design system's files, the one inline script's CSP hash, and who gets
which link in the footer.
"""

import base64
import hashlib
import re

import pytest
from django.conf import settings
from django.urls import reverse

from cms.templatetags.cms_tags import badge_variant, icon
from tests.network.factories import agency_editor, municipal_person

pytestmark = pytest.mark.django_db

EDITOR_LOGIN = "Log ind som redaktør"
EDITORS_ADMIN = "Redaktionens administration"


def footer(client):
    html = client.get(reverse("meetings:list")).content.decode()
    return html[html.index("<footer>") :]


def test_every_page_loads_the_design_system_and_preloads_its_fonts(client):
    html = client.get(reverse("meetings:list")).content.decode()
    assert '<link rel="stylesheet" href="/static/dkfds/css/dkfds.css">' in html
    assert '<script src="/static/dkfds/js/dkfds.min.js" defer></script>' in html
    preloaded = re.findall(r'<link rel="preload" href="([^"]+)" as="font"', html)
    assert preloaded == [
        "/static/dkfds/fonts/IBMPlexSans-Regular-Latin1.woff2",
        "/static/dkfds/fonts/IBMPlexSans-SemiBold-Latin1.woff2",
    ]
    # DKFDS's header: the menu button, the drawer it opens, and the main navigation.
    assert 'class="function-link button-menu-open js-menu-open' in html
    assert '<div class="mobile-drawer"' in html
    assert html.count('<ul class="mainmenu">') == 2  # the desk's bar and the phone's drawer


def test_the_one_inline_script_is_allowed_by_its_hash_and_nothing_else_is(client):
    html = client.get(reverse("meetings:list")).content.decode()
    inline = re.findall(r"<script>(.*?)</script>", html, flags=re.S)
    assert len(inline) == 1
    digest = base64.b64encode(hashlib.sha256(inline[0].encode()).digest()).decode()
    assert f"'sha256-{digest}'" == settings.NO_JS_SWITCH_HASH
    policy = client.get(reverse("meetings:list"))["Content-Security-Policy"]
    assert f"script-src 'self' 'sha256-{digest}'" in policy
    assert "unsafe-inline" not in policy


def test_the_editor_login_is_offered_only_to_visitors_who_are_not_logged_in(client):
    assert EDITOR_LOGIN in footer(client)
    client.force_login(municipal_person("Randers"))
    assert EDITOR_LOGIN not in footer(client)
    assert EDITORS_ADMIN not in footer(client)


def test_agency_staff_get_the_editors_admin_instead(client):
    client.force_login(agency_editor())
    text = footer(client)
    assert EDITOR_LOGIN not in text
    assert f'<a href="{reverse("wagtailadmin_home")}">{EDITORS_ADMIN}</a>' in text


def test_the_footer_cache_does_not_carry_one_persons_links_to_another(client):
    client.force_login(agency_editor())
    assert EDITORS_ADMIN in footer(client)
    client.logout()
    assert EDITORS_ADMIN not in footer(client)
    assert EDITOR_LOGIN in footer(client)


def test_an_icon_is_the_design_systems_svg_hidden_from_screen_readers():
    svg = icon("menu")
    assert svg.startswith('<svg class="icon-svg" focusable="false" aria-hidden="true" ')
    assert "<path " in svg


def test_the_sites_own_css_keeps_to_what_the_design_system_lacks():
    lines = (settings.BASE_DIR / "static" / "css" / "site.css").read_text().splitlines()
    assert len(lines) < 400


@pytest.mark.parametrize(
    ("status", "variant"),
    [
        ("confirmed", "badge-success"),
        ("waiting", "badge-info"),
        ("returned", "badge-warning"),
        ("no_show", "badge-error"),
        ("closed", ""),
    ],
)
def test_a_status_is_drawn_as_a_design_system_badge(status, variant):
    assert badge_variant(status) == variant
