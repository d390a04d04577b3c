from __future__ import annotations

import pytest

from motcua.__main__ import main


def test_hyphenated_and_two_word_commands_map_to_django_commands(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr(
        "django.core.management.execute_from_command_line", lambda argv: seen.append(argv)
    )
    main(["motcua", "load-units"])
    main(["motcua", "audit", "verify", "--chain", "01"])
    main(["motcua", "catalog", "export", "out.json"])
    assert seen == [
        ["motcua", "load_units"],
        ["motcua", "audit_verify", "--chain", "01"],
        ["motcua", "catalog_export", "out.json"],
    ]
