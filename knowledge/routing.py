"""WebSocket routes of the forum's live discussion (one consumer per topic)."""

websocket_urlpatterns: list = []
