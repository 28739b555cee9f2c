"""config/asgi.py routes HTTP through Django and WebSockets through the origin check."""

import pytest
from asgiref.sync import async_to_sync
from channels.testing import HttpCommunicator, WebsocketCommunicator

from config.asgi import application


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_http_is_served_by_django_through_the_asgi_application():
    async def get_home():
        communicator = HttpCommunicator(application, "GET", "/", headers=[(b"host", b"127.0.0.1")])
        return await communicator.get_response(timeout=10)

    response = async_to_sync(get_home)()
    assert response["status"] == 200
    assert "Partnerskabsplatformen" in response["body"].decode()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_websocket_from_a_foreign_origin_is_refused():
    async def connect():
        communicator = WebsocketCommunicator(
            application,
            "/ws/emner/1/",
            headers=[(b"origin", b"https://evil.example"), (b"host", b"127.0.0.1")],
        )
        connected, _subprotocol = await communicator.connect(timeout=5)
        await communicator.disconnect()
        return connected

    assert async_to_sync(connect)() is False
