"""Run the test provider: ``python -m tests.oidc_provider.serve PORT``.

Creates its database, the client application (from OIDC_PROVIDER_CLIENT_ID,
OIDC_PROVIDER_CLIENT_SECRET, OIDC_PROVIDER_REDIRECT_URIS, OIDC_PROVIDER_LOGOUT_URIS),
then serves on 127.0.0.1:PORT until stopped.
"""

import os
import sys

import django
from django.core.management import call_command


def main(port):
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.oidc_provider.settings"
    django.setup()
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    Application.objects.update_or_create(
        client_id=os.environ["OIDC_PROVIDER_CLIENT_ID"],
        defaults={
            "name": "Partnerskabsplatformen",
            "client_secret": os.environ["OIDC_PROVIDER_CLIENT_SECRET"],
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "redirect_uris": os.environ["OIDC_PROVIDER_REDIRECT_URIS"],
            "post_logout_redirect_uris": os.environ["OIDC_PROVIDER_LOGOUT_URIS"],
            "algorithm": Application.RS256_ALGORITHM,
            "skip_authorization": True,
        },
    )
    call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, use_threading=True)


if __name__ == "__main__":
    main(sys.argv[1])
