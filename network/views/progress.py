"""Views for progress (filled in below)."""

urlpatterns: list = []
