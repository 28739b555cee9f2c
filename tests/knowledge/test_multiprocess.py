"""Live discussion across real daphne processes.

With ``REDIS_URL`` set (the .ci/run pass on PostgreSQL and Redis) two daphne processes
share the test database and the Redis channel layer: a post made through one reaches a
connection on the other, and so does a post made through the service in this process.
Without Redis the same scenario runs against one daphne process (in-memory layer).
"""

import asyncio
import os

import pytest
from django.test import Client

from knowledge.models import Post, Space
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.knowledge.live_server import WebSocketClient, daphne_process, shared_database
from tests.network.factories import member, municipal_person

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REDIS = bool(os.environ.get("REDIS_URL"))


def login_cookie(person):
    client = Client()
    client.force_login(person)
    return f"sessionid={client.cookies['sessionid'].value}"


def test_a_post_through_one_process_reaches_a_connection_on_another(tmp_path):
    with shared_database(tmp_path) as database_url:
        space = SpaceFactory(visibility=Space.Visibility.PARTNERS)
        member(space.initiative, "Aarhus", Membership.Status.PARTNER)
        reader = municipal_person("Aarhus", first_name="Lise", last_name="Læser")
        writer = municipal_person("Aarhus", first_name="Søren", last_name="Skriver")
        topic = TopicFactory(space=space, author=writer)
        reader_cookie, writer_cookie = login_cookie(reader), login_cookie(writer)
        path = f"/ws/emner/{topic.pk}/"

        with (
            daphne_process(database_url, tmp_path / "daphne-a.log") as first,
            daphne_process(database_url, tmp_path / "daphne-b.log")
            if REDIS
            else _same(first) as second,
        ):

            async def scenario():
                listening = await WebSocketClient.connect(first, path, reader_cookie)
                posting = await WebSocketClient.connect(second, path, writer_cookie)
                try:
                    # Both connections are joined once they answer a resync.
                    await listening.send_json({"type": "resync", "after": 0})
                    await listening.receive_until("resync.done")
                    await posting.send_json({"type": "resync", "after": 0})
                    await posting.receive_until("resync.done")
                    await posting.send_json(
                        {"type": "post", "text": "Fra den anden proces.", "quoted": None}
                    )
                    posted = (await posting.receive_until("posted"))[-1]
                    arrived = (await listening.receive_until("post.created"))[-1]
                finally:
                    await listening.close()
                    await posting.close()
                return posted, arrived

            posted, arrived = asyncio.run(asyncio.wait_for(scenario(), 60))

        saved = Post.objects.get(topic=topic, sequence=posted["sequence"])
        assert arrived["sequence"] == 1
        assert arrived["post_id"] == saved.pk
        assert "Fra den anden proces." in arrived["html"]
        assert (first == second) is not REDIS


def test_a_refused_connection_and_a_foreign_origin_on_a_real_server(tmp_path):
    with shared_database(tmp_path) as database_url:
        space = SpaceFactory(visibility=Space.Visibility.PARTNERS)
        member(space.initiative, "Aarhus", Membership.Status.PARTNER)
        member(space.initiative, "Odense", Membership.Status.REFERENCE)
        partner = municipal_person("Aarhus")
        outsider = municipal_person("Odense")
        topic = TopicFactory(space=space, author=partner)
        path = f"/ws/emner/{topic.pk}/"
        outsider_cookie, partner_cookie = login_cookie(outsider), login_cookie(partner)
        with daphne_process(database_url, tmp_path / "daphne.log") as address:

            async def scenario():
                outcomes = []
                for cookie, origin in [
                    (outsider_cookie, None),
                    ("", None),
                    (partner_cookie, "https://angriber.example"),
                ]:
                    try:
                        client = await WebSocketClient.connect(address, path, cookie, origin)
                    except ConnectionRefusedError:
                        outcomes.append("refused")
                    else:
                        outcomes.append("accepted")
                        await client.close()
                client = await WebSocketClient.connect(address, path, partner_cookie)
                await client.close()
                outcomes.append("accepted")
                return outcomes

            outcomes = asyncio.run(asyncio.wait_for(scenario(), 60))
    assert outcomes == ["refused", "refused", "refused", "accepted"]


class _same:
    """Without Redis both ends talk to the one process."""

    def __init__(self, address):
        self.address = address

    def __enter__(self):
        return self.address

    def __exit__(self, *exc_info):
        return False
