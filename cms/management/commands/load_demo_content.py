"""``python manage.py load_demo_content``: build the demo site from the seed documents.

Each of our apps may have a ``demo`` module with ``load(stdout)`` and, optionally,
``logins()``. The command runs them in INSTALLED_APPS order (cms, network, meetings,
knowledge, grants), all in one transaction, and then prints the demo logins. It finds the
modules by name, so cms imports none of the apps that depend on it. Every ``load``
looks things up before creating them, so running the command again changes nothing.
"""

import importlib
import importlib.util

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

PROJECT_APPS = ("cms", "network", "meetings", "knowledge", "grants")


def demo_modules():
    """The ``demo`` modules of our apps that have one, in INSTALLED_APPS order."""
    modules = []
    for app_config in apps.get_app_configs():
        if app_config.name not in PROJECT_APPS:
            continue
        name = f"{app_config.name}.demo"
        if importlib.util.find_spec(name) is not None:
            modules.append(importlib.import_module(name))
    return modules


def login_table(rows):
    """The logins as aligned lines of text, headed "Demo-logins"."""
    rows = [("Rolle", "E-mail", "Adgangskode"), *rows]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    lines = ["Demo-logins"]
    for row in rows:
        lines.append(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )
    return lines


class Command(BaseCommand):
    help = "Builds the demo site from the seed documents and prints the demo logins."

    def handle(self, *args, **options):
        modules = demo_modules()
        with transaction.atomic():
            for module in modules:
                self.stdout.write(module.__name__)
                module.load(self.stdout)
        rows = [row for module in modules if hasattr(module, "logins") for row in module.logins()]
        if rows:
            self.stdout.write("")
            for line in login_table(rows):
                self.stdout.write(line)
