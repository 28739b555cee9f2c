"""Site-wide middleware: the chosen language and the Content-Security-Policy."""

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware
from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers


def chosen_language(request):
    """The language the person chose through the language switch (its cookie), else Danish."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


class ChosenLanguageMiddleware:
    """Activate the language the person chose, else Danish.

    Django's LocaleMiddleware would follow the browser's Accept-Language header,
    which gives an English page to most Danish civil servants whose browsers are
    set up in English. The platform is Danish unless someone asks otherwise
    through the language switch (Django's ``set_language`` view and its cookie).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = chosen_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch_vary_headers(response, ("Cookie",))
        return response


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy, relaxed for the Wagtail admin only.

    The site's own pages keep the strict policy in settings. Wagtail's admin still
    renders inline scripts and styles and previews uploaded images as blobs, so
    under /admin/ those are allowed.

    With MitID Erhverv configured, the logout form may lead on to the provider (its
    RP-initiated logout): browsers hold redirects after a form to ``form-action`` too.
    """

    ADMIN_PREFIX = "/admin/"
    ADMIN_ALLOWANCES = {
        "style-src": ["'unsafe-inline'"],
        "img-src": ["blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
    }

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        if not report_only and request.path_info.startswith(self.ADMIN_PREFIX):
            parts.update = {**self.ADMIN_ALLOWANCES, **(parts.update or {})}
            # Replaced, not added to: beside the site's hash for its one inline script,
            # browsers would ignore 'unsafe-inline'.
            parts.replace = {**(parts.replace or {}), "script-src": ["'self'", "'unsafe-inline'"]}
        provider = urlsplit(settings.MITID["DISCOVERY_URL"])
        if settings.MITID["CLIENT_ID"] and provider.scheme and provider.netloc:
            update = dict(parts.update or {})
            update["form-action"] = [
                *update.get("form-action", []),
                f"{provider.scheme}://{provider.netloc}",
            ]
            parts.update = update
        return parts
