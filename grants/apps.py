from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GrantsConfig(AppConfig):
    name = "grants"
    verbose_name = _("Grant cases")

    def ready(self):
        from grants import overview, signals
        from network.overview import register

        signals.connect()
        register(overview.grants_part)
