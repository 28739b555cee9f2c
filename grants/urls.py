"""The grant cases' pages under /tilskud/ (URL names in grants/views.py)."""

from grants.views import urlpatterns

app_name = "grants"

__all__ = ["app_name", "urlpatterns"]
