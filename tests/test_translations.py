"""The Danish interface is complete: every string of ours is translated and compiled."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
DANISH_PO = ROOT / "locale" / "da" / "LC_MESSAGES" / "django.po"
SOURCE_FOLDERS = ["config", "cms", "network", "meetings", "knowledge", "grants", "templates"]


def test_every_danish_string_is_translated():
    catalogue = polib.pofile(str(DANISH_PO))
    assert catalogue.untranslated_entries() == []
    assert catalogue.fuzzy_entries() == []


def test_the_compiled_catalogue_matches_the_source():
    source = {(e.msgid, e.msgstr) for e in polib.pofile(str(DANISH_PO)) if not e.msgid_plural}
    compiled = {(e.msgid, e.msgstr) for e in polib.mofile(str(DANISH_PO.with_suffix(".mo")))}
    assert source <= compiled, "run `make messages` to compile locale/da/LC_MESSAGES/django.mo"


def test_the_catalogue_holds_every_string_in_the_code(tmp_path):
    """makemessages, run on a copy of the code, finds no string the catalogue lacks.

    It runs on a copy because makemessages writes into the locale folder next to the
    code it reads.
    """
    if not shutil.which("xgettext"):
        pytest.fail("GNU gettext is missing; `make test` installs it")
    copy = tmp_path / "code"
    for name in [*SOURCE_FOLDERS, "locale"]:
        shutil.copytree(ROOT / name, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", copy / "manage.py")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "da", "--verbosity", "0"],
        cwd=copy,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        check=True,
        timeout=120,
    )
    current = {e.msgid for e in polib.pofile(str(DANISH_PO)) if not e.obsolete}
    extracted = {e.msgid for e in polib.pofile(str(copy / "locale/da/LC_MESSAGES/django.po"))}
    assert extracted - current == set(), "run `make messages` and translate the new strings"
