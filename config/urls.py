from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("dokumenter/", include(wagtaildocs_urls)),
    path("soeg/", cms_views.search, name="search"),
    # The language switch is in every page's header: without a CSRF token, so that public
    # pages can be cached for anonymous visitors (config/page_cache.py). Switching
    # someone's language from another site is harmless.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("netvaerk/", include("network.urls")),
    path("moeder/", include("meetings.urls")),
    path("forum/", include("knowledge.urls")),
    path("tilskud/", include("grants.urls")),
]

if settings.DEBUG:
    # Images only: documents go through /dokumenter/, which checks who may see them.
    urlpatterns += static(
        f"{settings.MEDIA_URL}images/", document_root=settings.MEDIA_ROOT / "images"
    )

# An unexpected error: our standalone 500 page, or 503 when the database was too busy.
handler500 = "config.views.server_error"

# Wagtail serves every other URL from the page tree; keep this last.
urlpatterns += [path("", include(wagtail_urls))]
