"""Start the test provider as its own process, and say who may log in there.

``Provider.person(username, claims=..., **wrong)`` writes the person to the
provider's people.json; the provider reads it at every login.
"""

import contextlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.knowledge.live_server import free_port, listens, server_process

CLIENT_ID = "partnerskab-test"
CLIENT_SECRET = "test-secret-for-the-test-provider"
PASSWORD = "mitid-test"


@dataclass
class Provider:
    url: str
    people_file: Path
    log_path: Path

    @property
    def issuer(self):
        return self.url + "/o"

    @property
    def discovery_url(self):
        return self.issuer + "/.well-known/openid-configuration"

    def person(self, username, claims, **wrong):
        people = json.loads(self.people_file.read_text())
        people[username] = {"password": PASSWORD, "claims": claims, **wrong}
        self.people_file.write_text(json.dumps(people))
        return username

    def settings(self):
        """The platform's MITID settings for this provider (NemLog-in's claim names)."""
        from django.conf import settings

        return {
            **settings.MITID,
            "DISCOVERY_URL": self.discovery_url,
            "CLIENT_ID": CLIENT_ID,
            "CLIENT_SECRET": CLIENT_SECRET,
            "SCOPES": ["openid", "profile", "email"],
        }


def private_key_pem():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


@contextlib.contextmanager
def provider_process(directory, platform_urls):
    """Run the provider on a free loopback port for the platform at ``platform_urls``."""
    directory = Path(directory)
    port = free_port()
    people_file = directory / "people.json"
    people_file.write_text("{}")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.oidc_provider.settings",
        "OIDC_PROVIDER_DATABASE": str(directory / "provider.sqlite3"),
        "OIDC_PROVIDER_KEY": private_key_pem(),
        "OIDC_PROVIDER_PEOPLE": str(people_file),
        "OIDC_PROVIDER_CLIENT_ID": CLIENT_ID,
        "OIDC_PROVIDER_CLIENT_SECRET": CLIENT_SECRET,
        "OIDC_PROVIDER_REDIRECT_URIS": " ".join(
            url + "/netvaerk/konto/mitid/retur/" for url in platform_urls
        ),
        "OIDC_PROVIDER_LOGOUT_URIS": " ".join(url + "/" for url in platform_urls),
    }
    for name in ("DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    log_path = directory / "provider.log"
    command = [sys.executable, "-m", "tests.oidc_provider.serve", str(port)]
    with server_process(command, log_path, lambda: listens(port), env=env):
        yield Provider(f"http://127.0.0.1:{port}", people_file, log_path)
