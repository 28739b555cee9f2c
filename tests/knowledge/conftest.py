"""Fixtures of the forum's tests."""

import pytest
from channels.layers import channel_layers

from knowledge.models import Space
from network.models import Membership
from tests.knowledge.factories import SpaceFactory, TopicFactory
from tests.network.factories import member, municipal_person


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Each test runs its own event loop; give it its own in-memory layer."""
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.fixture
def world():
    """A partners' space of an initiative with Randers as partner and Odense as reference."""
    space = SpaceFactory(visibility=Space.Visibility.PARTNERS)
    partner_membership = member(space.initiative, "Randers", Membership.Status.PARTNER)
    member(space.initiative, "Odense", Membership.Status.REFERENCE)
    partner = municipal_person("Randers", first_name="Rikke", last_name="Rasmussen")
    colleague = municipal_person("Randers", first_name="Carl", last_name="Clausen")
    reference = municipal_person("Odense", first_name="Ole", last_name="Olsen")
    topic = TopicFactory(space=space, author=partner)
    return {
        "space": space,
        "topic": topic,
        "partner": partner,
        "colleague": colleague,
        "reference": reference,
        "membership": partner_membership,
    }
