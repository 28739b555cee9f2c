from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class NetworkConfig(AppConfig):
    default = True  # this module has a second config, Wagtail's users app (below)
    name = "network"
    verbose_name = _("Network")

    def ready(self):
        from network import cache, overview

        cache.connect()
        overview.register(overview.network_part)


class UsersAppConfig(WagtailUsersAppConfig):
    """Wagtail's users app with our user viewset (municipality, agency flag, roles)."""

    user_viewset = "network.wagtail_users.UserViewSet"
