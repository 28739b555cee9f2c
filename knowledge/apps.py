from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "knowledge"
    verbose_name = _("Knowledge sharing")

    def ready(self):
        from knowledge import cards, overview, signals
        from network.overview import register

        signals.connect()
        cards.connect()
        register(overview.knowledge_part)
