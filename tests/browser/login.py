"""Logging a browser in without the login form: most browser tests are about another page."""

from django.conf import settings
from django.test import Client


def log_in(page, live_server, person):
    """Hand the browser the session cookie of a Django test client logged in as ``person``."""
    client = Client()
    client.force_login(person)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value, "url": live_server.url}]
    )
