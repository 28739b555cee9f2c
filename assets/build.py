"""Build static/dkfds/ from the dkfds package pinned in package-lock.json (`make assets`).

Installs the locked packages with `npm ci`, compiles dkfds.scss with the locked Sass,
copies the JavaScript, the Latin font subsets, the icons and the licence, and writes
MANIFEST.json: the package's version and integrity hash from the lock file and a SHA-256
of every source and built file. tests/test_assets.py checks the committed files against
it, so a change to the lock file or the Sass that was not built fails the suite.
"""

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "static" / "dkfds"
PACKAGE = HERE / "node_modules" / "dkfds" / "dist"
SOURCES = ["dkfds.scss", "_fonts.scss"]
FONT_FACES = ["Regular", "Italic", "Medium", "SemiBold", "Bold"]
FONT_SUBSETS = ["Latin1", "Latin2"]


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def locked(name):
    lock = json.loads((HERE / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{name}"]


def build():
    npm_ci = ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
    subprocess.run(npm_ci, cwd=HERE, check=True)
    if OUT.exists():
        shutil.rmtree(OUT)
    (OUT / "css").mkdir(parents=True)
    subprocess.run(
        [
            HERE / "node_modules" / ".bin" / "sass",
            "--no-source-map",
            "--style=compressed",
            "--load-path=node_modules/dkfds/dist/scss",
            "dkfds.scss",
            OUT / "css" / "dkfds.css",
        ],
        cwd=HERE,
        check=True,
    )
    (OUT / "js").mkdir()
    # With its source map, which the script names: collectstatic's manifest needs it.
    for name in ["dkfds.min.js", "dkfds.min.js.map"]:
        shutil.copy(PACKAGE / "js" / name, OUT / "js")
    (OUT / "fonts").mkdir()
    for face in FONT_FACES:
        for subset in FONT_SUBSETS:
            name = f"IBMPlexSans-{face}-{subset}.woff2"
            shutil.copy(PACKAGE / "fonts" / "IBMPlexSans" / "split" / "woff2" / name, OUT / "fonts")
    # The compiled CSS points at the icons (as backgrounds) and at two placeholder logos.
    shutil.copytree(PACKAGE / "img" / "svg-icons", OUT / "img" / "svg-icons")
    for logo in ["logo-header-placeholder.png", "logo-placeholder.png"]:
        shutil.copy(PACKAGE / "img" / logo, OUT / "img")
    shutil.copy(PACKAGE / "LICENSE.md", OUT)

    dkfds = locked("dkfds")
    manifest = {
        "dkfds": {"version": dkfds["version"], "integrity": dkfds["integrity"]},
        "sass": {"version": locked("sass")["version"]},
        "sources": {name: sha256(HERE / name) for name in SOURCES},
        "files": {
            str(path.relative_to(OUT)): sha256(path)
            for path in sorted(OUT.rglob("*"))
            if path.is_file()
        },
    }
    (OUT / "MANIFEST.json").write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"static/dkfds: dkfds {dkfds['version']}, {len(manifest['files'])} files")


if __name__ == "__main__":
    sys.exit(build())
