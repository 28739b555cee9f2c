"""The committed design system files are the ones `make assets` builds from the lock file.

static/dkfds/ is committed so that a fresh machine needs no Node.js (README, "Design
system"); MANIFEST.json records what they were built from. These tests fail when the lock
file names another dkfds, when the Sass changed and was not rebuilt, or when a built file
was edited by hand.
"""

import hashlib
import json
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

ASSETS = Path(settings.BASE_DIR) / "assets"
BUILT = Path(settings.BASE_DIR) / "static" / "dkfds"
MANIFEST = json.loads((BUILT / "MANIFEST.json").read_text())
LOCK = json.loads((ASSETS / "package-lock.json").read_text())["packages"]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_build_is_of_the_locked_design_system_and_compiler():
    assert LOCK[""]["dependencies"]["dkfds"] == "11.2.0"
    assert MANIFEST["dkfds"] == {
        "version": LOCK["node_modules/dkfds"]["version"],
        "integrity": LOCK["node_modules/dkfds"]["integrity"],
    }
    assert LOCK["node_modules/dkfds"]["integrity"].startswith("sha512-")
    assert MANIFEST["sass"]["version"] == LOCK["node_modules/sass"]["version"]


def test_the_build_is_of_the_current_sass():
    assert MANIFEST["sources"] == {name: sha256(ASSETS / name) for name in MANIFEST["sources"]}
    assert set(MANIFEST["sources"]) == {path.name for path in ASSETS.glob("*.scss")}


def test_every_built_file_is_as_built_and_nothing_else_is_there():
    on_disk = {
        str(path.relative_to(BUILT)): sha256(path)
        for path in BUILT.rglob("*")
        if path.is_file() and path.name != "MANIFEST.json"
    }
    assert on_disk == MANIFEST["files"]


def test_the_fonts_are_the_latin_subsets_and_nothing_is_fetched_from_elsewhere():
    fonts = sorted(name for name in MANIFEST["files"] if name.startswith("fonts/"))
    assert fonts and all(name.endswith(("-Latin1.woff2", "-Latin2.woff2")) for name in fonts)
    css = (BUILT / "css" / "dkfds.css").read_text()
    assert "complete/" not in css
    assert "http://" not in css and "https://" not in css.replace("https://www.w3.org", "")


def test_the_production_manifest_finds_every_file_the_built_files_name(settings, tmp_path):
    """collectstatic under a manifest storage follows every url() and sourceMappingURL:
    a file the CSS or JavaScript names that is not there fails the deploy."""
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_DIRS = [BUILT.parent]
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    assert "dkfds/css/dkfds.css" in manifest and "dkfds/js/dkfds.min.js" in manifest
