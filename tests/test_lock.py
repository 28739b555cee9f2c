"""The lock files match pyproject.toml: every dependency pinned, with hashes, in range.

`make run` and `make test` install from requirements/*.lock with --require-hashes;
after a change to pyproject.toml, `make lock` regenerates them.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^ ;\\]+)")
LOCKS = {"run": [], "dev": ["dev"], "bench": ["dev", "bench"]}


def pins(lock):
    text = (ROOT / "requirements" / f"{lock}.lock").read_text()
    found = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = PIN.match(block)
        if match:
            found[canonicalize_name(match.group(1))] = (Version(match.group(2)), block)
    return found


def declared(extras):
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in extras:
        requirements += project["optional-dependencies"][extra]
    return [Requirement(line) for line in requirements]


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_every_declared_dependency_is_pinned_in_range(lock, extras):
    pinned = pins(lock)
    for requirement in declared(extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in {lock}.lock: run `make lock`"
        version, _block = pinned[name]
        assert requirement.specifier.contains(version, prereleases=True), (
            f"{lock}.lock pins {name}=={version}, outside {requirement.specifier}: run `make lock`"
        )


@pytest.mark.parametrize("lock", LOCKS)
def test_every_pin_carries_a_hash(lock):
    for name, (_version, block) in pins(lock).items():
        assert "--hash=sha256:" in block, f"{name} in {lock}.lock has no hash"
