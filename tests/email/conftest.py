import pytest

from tests.smtp import smtp_server


@pytest.fixture
def smtp(settings):
    """A real SMTP server on loopback, and the outbox delivering to it over SMTP."""
    with smtp_server() as server:
        settings.POST_OFFICE = {
            **settings.POST_OFFICE,
            "BACKENDS": {"default": "django.core.mail.backends.smtp.EmailBackend"},
        }
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = server.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_TIMEOUT = 10
        yield server
