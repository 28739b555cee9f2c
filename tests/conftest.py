import uuid

import pytest


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    """Fast password hashing and throw-away media folders for every test."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """A cache namespace of its own for every test, so that counters (rate limits,
    cached fragments) neither leak between tests nor survive in a shared Redis."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }


@pytest.fixture(autouse=True)
def _outbox_into_locmem(settings):
    """Every email goes through the outbox, as in production, and is delivered after the
    commit in the committing thread into ``mail.outbox`` (pytest-django's test setup would
    otherwise send straight to locmem and bypass the outbox)."""
    settings.EMAIL_BACKEND = "network.outbox.OutboxBackend"
    settings.POST_OFFICE = {
        **settings.POST_OFFICE,
        "BACKENDS": {"default": "django.core.mail.backends.locmem.EmailBackend"},
    }
    settings.OUTBOX_DELIVERY = "inline"


@pytest.fixture(autouse=True)
def _danish(settings):
    settings.LANGUAGE_CODE = "da"


@pytest.fixture(scope="session")
def oidc_provider(live_server, tmp_path_factory):
    """The test OpenID Connect provider (tests/oidc_provider), its own process, for the
    live server (browser tests) and the test client (``http://testserver``)."""
    from tests.oidc_provider.process import provider_process

    directory = tmp_path_factory.mktemp("oidc-provider")
    with provider_process(directory, [live_server.url, "http://testserver"]) as provider:
        yield provider


@pytest.fixture
def mitid_provider(settings, oidc_provider):
    """The platform configured for the test provider."""
    settings.MITID = oidc_provider.settings()
    return oidc_provider
