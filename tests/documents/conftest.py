from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any as SettingsWrapper

import pytest
from tests.documents.clamd import FakeClamd

from motcua.accounts.models import AccountKind, User


@pytest.fixture
def storage(settings: SettingsWrapper, tmp_path: Path) -> Path:
    """The default storage in a fresh folder, so a test can list what was stored."""
    root = tmp_path / "media"
    root.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(root)},
        },
    }
    return root


def stored_files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


@pytest.fixture
def citizen(db: None) -> User:
    return User.objects.create_user(
        username="lan",
        password="x" * 12,
        kind=AccountKind.CITIZEN,
        personal_id="001090012345",
        full_name="Nguyễn Thị Lan",
    )


@pytest.fixture
def clamd() -> Iterator[FakeClamd]:
    server = FakeClamd()
    server.start()
    try:
        yield server
    finally:
        server.stop()
