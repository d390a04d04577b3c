"""The ``motcua`` console command.

It wraps Django's ``manage.py``: ``motcua migrate``, ``motcua runserver`` and the
project's own commands. Hyphenated names are accepted and mapped to the Django
command names (``motcua load-units`` runs ``load_units``), so officers and scripts
type what the documentation shows.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
        # `motcua catalog export FILE`, `motcua audit verify`, `motcua bench seed`:
        # a noun followed by a verb names the command `<noun>_<verb>`.
        if len(argv) > 2 and argv[1] in {"audit", "catalog", "bench", "simulator"}:
            argv[1:3] = [f"{argv[1]}_{argv[2].replace('-', '_')}"]
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
