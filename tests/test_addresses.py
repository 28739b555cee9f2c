"""The visitor's address behind the trusted proxies (config/addresses.py)."""

import pytest
from django.test import RequestFactory

from config.addresses import client_address


def request(forwarded=None):
    meta = {"REMOTE_ADDR": "127.0.0.1"}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_without_proxies_the_address_is_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(request("85.1.2.3")) == "127.0.0.1"


@pytest.mark.parametrize(
    ("proxies", "forwarded", "address"),
    [
        (1, "85.1.2.3", "85.1.2.3"),
        # A client that sends its own header cannot choose its address: the proxy appends.
        (1, "1.1.1.1, 85.1.2.3", "85.1.2.3"),
        (2, "1.1.1.1, 85.1.2.3, 10.0.0.2", "85.1.2.3"),
        # Fewer entries than proxies: not through the proxies, so the connection counts.
        (2, "85.1.2.3", "127.0.0.1"),
        (1, None, "127.0.0.1"),
    ],
)
def test_behind_proxies_the_address_is_the_one_the_first_trusted_proxy_saw(
    settings, proxies, forwarded, address
):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_address(request(forwarded)) == address


def test_the_login_throttle_uses_the_same_address(settings):
    from axes.helpers import get_client_ip_address

    settings.TRUSTED_PROXY_COUNT = 1
    assert get_client_ip_address(request("1.1.1.1, 85.1.2.3")) == "85.1.2.3"
