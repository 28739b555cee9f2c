"""WebSocket routes of all apps, gathered in one list for config/asgi.py."""

from knowledge.routing import websocket_urlpatterns as knowledge_routes

websocket_urlpatterns = [*knowledge_routes]
