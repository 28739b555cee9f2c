from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from cms import views as cms_views

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("dokumenter/", include(wagtaildocs_urls)),
    path("soeg/", cms_views.search, name="search"),
    path("i18n/", include("django.conf.urls.i18n")),
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
