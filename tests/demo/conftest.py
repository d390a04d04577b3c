"""The demo, loaded once for the tests of this package at a fixed instant.

Loaded inside one transaction that is rolled back when the package is done, so other
tests never see it; each test runs in a savepoint of its own (pytest-django's ``db``).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from motcua.core.calendar import VN_TZ

SEED = Path(__file__).resolve().parents[2] / "src/motcua/catalog/seed/procedures.json"
NOW = datetime(2026, 11, 25, 10, 20, tzinfo=VN_TZ)  # Wednesday, the day after the 24/11 holiday


def load_everything() -> str:
    """What ``make run`` does: units, the seed catalog, the demo; the demo's output."""
    out = StringIO()
    call_command("load_units", stdout=StringIO())
    call_command("catalog_import", str(SEED), stdout=StringIO())
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture(scope="package")
def demo(django_db_setup: None, django_db_blocker, tmp_path_factory) -> Iterator[str]:  # type: ignore[no-untyped-def]
    var_dir = tmp_path_factory.mktemp("var")
    with (
        django_db_blocker.unblock(),
        override_settings(VAR_DIR=var_dir),
        pytest.MonkeyPatch.context() as patch,
        transaction.atomic(),
    ):
        patch.setattr(timezone, "now", lambda: NOW)
        yield load_everything()
        transaction.set_rollback(True)
