"""WebSocket routes of the forum's live discussion (one consumer per topic)."""

from django.urls import path

from knowledge.consumers import TopicConsumer

websocket_urlpatterns = [
    path("ws/emner/<int:topic_id>/", TopicConsumer.as_asgi()),
]
