"""Views for accounts (filled in below)."""

urlpatterns: list = []
