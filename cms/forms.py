"""The Wagtail admin's document form, with a check that the content matches the name.

Wagtail checks the extension (WAGTAILDOCS_EXTENSIONS) and the size
(WAGTAILDOCS_MAX_UPLOAD_SIZE); a web page or a program renamed to ``.pdf`` would
still pass. This form looks inside the file. Office files are zip archives, so their
whole directory is read rather than sniffing the first bytes.
"""

import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail.documents.forms import BaseDocumentForm

#: Bytes read for the checks that look at the start of a file.
HEAD_SIZE = 64 * 1024

OFFICE_OPEN_XML = {"docx": "word/", "xlsx": "xl/", "pptx": "ppt/"}
OPEN_DOCUMENT = {"odt": b"application/vnd.oasis.opendocument.text"}


def _is_office_open_xml(upload, folder):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError):
        return False
    return "[Content_Types].xml" in names and any(name.startswith(folder) for name in names)


def _is_open_document(upload, mimetype):
    upload.seek(0)
    try:
        with zipfile.ZipFile(upload) as archive:
            return archive.read("mimetype").strip() == mimetype
    except (zipfile.BadZipFile, KeyError, OSError):
        return False


def _is_text(head):
    if b"\x00" in head:
        return False
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError:
            continue
        return True
    return False


def content_matches_extension(upload, extension):
    """Whether the uploaded file's content is what its extension says."""
    upload.seek(0)
    head = upload.read(HEAD_SIZE)
    upload.seek(0)
    if extension == "pdf":
        return b"%PDF-" in head[:1024]
    if extension == "rtf":
        return head.startswith(b"{\\rtf")
    if extension in ("txt", "csv"):
        return _is_text(head)
    if extension in OFFICE_OPEN_XML:
        return _is_office_open_xml(upload, OFFICE_OPEN_XML[extension])
    if extension in OPEN_DOCUMENT:
        return _is_open_document(upload, OPEN_DOCUMENT[extension])
    return False


class DocumentForm(BaseDocumentForm):
    """Wagtail's document form (single and multiple upload) plus the content check."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "file" in self.fields:
            # Wagtail's own message has no Danish translation.
            self.fields["file"].error_messages["file_too_large"] = _(
                "The file is too big (%(file_size)s). It may be at most %(max_filesize)s."
            )

    def clean_file(self):
        upload = self.cleaned_data.get("file")
        if not upload or "file" not in self.changed_data:
            return upload
        extension = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if not content_matches_extension(upload, extension):
            raise ValidationError(
                _(
                    "The file's content does not match its type (.%(extension)s). Save it "
                    "again as a real .%(extension)s file, for example with “Save as” or "
                    "“Export to PDF”, and upload that."
                ),
                code="content_mismatch",
                params={"extension": extension or "?"},
            )
        return upload
