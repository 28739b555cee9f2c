"""The Danish interface is complete: every string of ours is translated and compiled."""

import shutil
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
DANISH_PO = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"


def test_every_danish_string_is_translated():
    catalogue = polib.pofile(str(DANISH_PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgid, e.msgstr) for e in polib.pofile(str(DANISH_PO)) if not e.msgid_plural}
    compiled = {(e.msgid, e.msgstr) for e in polib.mofile(str(DANISH_PO.with_suffix(".mo")))}
    assert source <= compiled, "run `make messages` to compile locale/da/LC_MESSAGES/django.mo"


def test_the_catalogue_holds_every_string_in_the_code(settings, tmp_path, monkeypatch):
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is missing; `make test` installs it")
    locale = tmp_path / "locale"
    shutil.copytree(ROOT / "locale", locale)
    settings.LOCALE_PATHS = [locale]
    monkeypatch.chdir(ROOT)
    call_command("makemessages", locale=["da"], ignore_patterns=[".venv/*", "tests/*"], verbosity=0)
    current = {e.msgid for e in polib.pofile(str(DANISH_PO)) if not e.obsolete}
    extracted = {e.msgid for e in polib.pofile(str(locale / "da/LC_MESSAGES/django.po"))}
    assert extracted - current == set(), "run `make messages` and translate the new strings"
