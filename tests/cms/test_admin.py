"""Editors work in the Wagtail admin in Danish; moderation and scheduling are on."""

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Workflow

from network.models import User
from tests.cms.factories import PoolIndexPageFactory, PoolPageFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client):
    editor = User.objects.create_user("redaktoer@example.dk", "hemmelig-kode", first_name="Rikke")
    editor.groups.add(Group.objects.get(name="Redaktører"))
    client.force_login(editor)
    return client


def test_page_editor_for_a_pool_is_danish(editor_client):
    index = PoolIndexPageFactory()
    html = editor_client.get(f"/admin/pages/add/cms/poolpage/{index.pk}/").content.decode()
    for label in (
        "Ansøgningsfrist",
        "Midler til fordeling (kr.)",
        "Tildelingskriterier",
        "Ansøgningsmateriale",
        "Kontaktpersoner",
        "Praktiske oplysninger",
        "Dato og klokkeslæt i dansk tid",
    ):
        assert label in html, label


def test_page_types_snippets_and_settings_are_danish(editor_client):
    pool = PoolPageFactory()
    choose = editor_client.get(f"/admin/pages/{pool.get_parent().get_parent().pk}/add_subpage/")
    html = choose.content.decode()
    assert "Nyhedsoversigt" in html or "Puljeoversigt" in html
    snippets = editor_client.get("/admin/snippets/cms/contactperson/").content.decode()
    assert "Kontaktpersoner" in snippets
    site_settings = editor_client.get(
        "/admin/settings/cms/sitesettings/", follow=True
    ).content.decode()
    assert "Tilgængelighedserklæring" in site_settings


def test_editorial_groups_and_workflow_have_danish_names():
    assert set(Group.objects.values_list("name", flat=True)) >= {"Redaktører", "Skribenter"}
    workflow = Workflow.objects.get(name="Redaktionel godkendelse")
    assert workflow.active
    assert [task.name for task in workflow.tasks] == ["Godkendelse af redaktør"]
    assert workflow.workflow_pages.exists()


def test_writers_may_draft_but_not_publish(client):
    writer = User.objects.create_user("skribent@example.dk", "hemmelig-kode")
    writer.groups.add(Group.objects.get(name="Skribenter"))
    pool = PoolPageFactory()
    permissions = pool.permissions_for_user(writer)
    assert permissions.can_edit()
    assert not permissions.can_publish()
