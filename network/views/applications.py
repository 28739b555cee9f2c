"""Views for applications (filled in below)."""

urlpatterns: list = []
