"""Uploaded documents are checked for type and size in the Wagtail admin."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from wagtail.documents.models import Document

from cms.forms import content_matches_extension
from tests.network.factories import agency_editor

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
HTML = b"<!doctype html><html><script>alert(document.cookie)</script></html>"


def office_file(folder, extra=None):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{folder}document.xml", "<document/>")
        for name, content in (extra or {}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def open_document():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


@pytest.fixture
def editor_client(client):
    client.force_login(agency_editor())
    return client


def upload(client, name, content):
    return client.post(
        reverse("wagtaildocs:add"),
        {"title": "Vejledning", "file": SimpleUploadedFile(name, content), "collection": 1},
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vejledning.pdf", PDF),
        ("ansoegningsskema.docx", office_file("word/")),
        ("budgetskema.xlsx", office_file("xl/")),
        ("oplaeg.pptx", office_file("ppt/")),
        ("referat.odt", open_document()),
        ("deltagere.csv", "navn;kommune\nAnne Holm;Randers\n".encode("cp1252")),
        ("noter.txt", "Æbler og øl på Ærø".encode()),
        ("brev.rtf", b"{\\rtf1\\ansi Hej}"),
    ],
)
def test_real_documents_are_accepted(editor_client, name, content):
    response = upload(editor_client, name, content)
    assert response.status_code == 302, response.content.decode()[:500]
    assert Document.objects.get().file.name.endswith(name.rsplit(".", 1)[1])


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("vejledning.pdf", HTML),
        ("ansoegningsskema.docx", PDF),
        ("budgetskema.xlsx", office_file("word/")),
        ("referat.odt", office_file("word/")),
        ("noter.txt", b"MZ\x90\x00\x03\x00\x00\x00"),
        ("brev.rtf", HTML),
    ],
)
def test_a_file_whose_content_is_not_its_type_is_refused_with_a_reason(
    editor_client, name, content
):
    response = upload(editor_client, name, content)
    assert response.status_code == 200
    assert "svarer ikke til dens type" in response.content.decode()
    assert not Document.objects.exists()


def test_a_program_is_refused_by_its_extension(editor_client):
    response = upload(editor_client, "opdatering.exe", b"MZ\x90\x00")
    assert response.status_code == 200
    assert not Document.objects.exists()


def test_a_file_over_the_size_limit_is_refused(editor_client, settings):
    limit = settings.WAGTAILDOCS_MAX_UPLOAD_SIZE
    assert limit == 20 * 1024 * 1024
    response = upload(editor_client, "stor.pdf", PDF + b"0" * limit)
    assert response.status_code == 200
    # filesizeformat puts a no-break space between number and unit.
    assert "Filen er for stor (20,0\xa0MB)" in response.content.decode()
    assert not Document.objects.exists()


def test_the_multiple_upload_checks_the_content_too(editor_client):
    response = editor_client.post(
        reverse("wagtaildocs:add_multiple"),
        {"files[]": SimpleUploadedFile("vejledning.pdf", HTML), "collection": 1},
    )
    assert response.status_code == 200
    assert response.json()["success"] is False
    assert not Document.objects.exists()


def test_the_check_reads_the_whole_zip_directory_not_just_the_first_bytes():
    padded = office_file("word/", extra={f"media/image{n}.png": b"x" * 20_000 for n in range(5)})
    assert content_matches_extension(SimpleUploadedFile("stor.docx", padded), "docx")
