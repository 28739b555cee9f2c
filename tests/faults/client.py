"""A person's plain HTTP session against a real daphne process, for the load and fault tests.

Each request opens its own connection (threads share nothing), sends the person's
cookies (session, CSRF) and form data as a browser's plain form would, and keeps the
cookies the answer sets. Redirects are not followed: the tests look at them.
"""

import http.client
import secrets
import string
from dataclasses import dataclass
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from django.conf import settings
from django.test import Client

TIMEOUT = 60


@dataclass
class Answer:
    status: int
    location: str
    html: str
    cookies: dict
    retry_after: str = ""


class Visitor:
    """One logged-in person's cookie jar."""

    def __init__(self, address, person=None):
        self.address = address
        self.cookies = {settings.CSRF_COOKIE_NAME: _token()}
        if person is not None:
            client = Client()
            client.force_login(person)
            self.cookies["sessionid"] = client.cookies[settings.SESSION_COOKIE_NAME].value

    def request(self, method, path, data=None, cookies=None, address=None, headers=None):
        host, port = (address or self.address).rsplit(":", 1)
        connection = http.client.HTTPConnection(host, int(port), timeout=TIMEOUT)
        jar = {**self.cookies, **(cookies or {})}
        headers = {
            **(headers or {}),
            "Cookie": "; ".join(f"{name}={value}" for name, value in jar.items()),
        }
        body = None
        if data is not None:
            body = urlencode({**data, "csrfmiddlewaretoken": jar[settings.CSRF_COOKIE_NAME]})
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            html = response.read().decode()
            received = SimpleCookie()
            for header in response.headers.get_all("Set-Cookie") or []:
                received.load(header)
            return Answer(
                status=response.status,
                location=response.headers.get("Location", ""),
                retry_after=response.headers.get("Retry-After", ""),
                html=html,
                cookies={**jar, **{name: morsel.value for name, morsel in received.items()}},
            )
        finally:
            connection.close()

    def get(self, path, cookies=None):
        return self.request("GET", path, cookies=cookies)

    def post(self, path, data):
        return self.request("POST", path, data)


def _token():
    """A CSRF cookie as Django would set it (it accepts one the browser already has)."""
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(32))
