"""Every WebSocket route against every role, compared with DESIGN.md's permission table.

"WebSocket connections are refused the same way" as pages: a topic the person may not
read is refused with close code 4404, like an unknown topic, the way its page answers
404 (see tests/security/test_access_walk.py for the pages).
"""

import pytest
from asgiref.sync import async_to_sync
from channels.layers import channel_layers

from config.routing import websocket_urlpatterns
from tests.knowledge.test_consumers import TIMEOUT, communicator, session_cookie
from tests.security import world as build
from tests.security.world import ROLES

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ACCEPT = "accept"
NOT_FOUND = 4404

#   route: {target: (anonymous, applicant, reference, partner, editor, moderator)}
WS_ACCESS = {
    "ws/emner/<int:topic_id>/": {
        "public": (ACCEPT,) * 6,
        "network": (NOT_FOUND, NOT_FOUND, ACCEPT, ACCEPT, ACCEPT, ACCEPT),
        "partners": (NOT_FOUND, NOT_FOUND, NOT_FOUND, ACCEPT, ACCEPT, ACCEPT),
        "unknown": (NOT_FOUND,) * 6,
    },
}


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs its own event loop; give it its own in-memory layer."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


def test_every_websocket_route_has_an_access_decision():
    routes = {str(route.pattern) for route in websocket_urlpatterns}
    assert routes == set(WS_ACCESS)


def connect(path_args, session):
    async def scenario():
        socket = communicator(path_args, session)
        connected, code = await socket.connect(timeout=TIMEOUT)
        await socket.disconnect()
        return ACCEPT if connected else code

    return async_to_sync(scenario)()


@pytest.mark.parametrize("role", ROLES)
def test_topic_socket(role):
    world = build.build(with_content=False)
    person = world.people[role]
    session = session_cookie(person)[1] if person is not None else None
    answers, expected = {}, {}
    for target, row in WS_ACCESS["ws/emner/<int:topic_id>/"].items():
        topic_id = 999_999 if target == "unknown" else world.topics[target].pk
        answers[target] = connect(topic_id, session)
        expected[target] = row[ROLES.index(role)]
    assert answers == expected, f"ws/emner/<topic_id>/ as {role}"
