"""Demo data for the embedded default: officers with roles, printed logins.

Passwords are generated per installation and kept in ``var/demo-logins.txt``
(never in the repository). Officers need a TOTP code: ``motcua totp-code USER``
prints the current one in the development environment.
"""

from __future__ import annotations

import secrets
from datetime import date
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from motcua.accounts.models import User
from motcua.accounts.services import officer_create
from motcua.units.models import StaffRole, Unit
from motcua.units.services import role_assign

DEMO_UNIT_CODE = "H01.00070"  # Ủy ban nhân dân Phường Hoàn Kiếm, Hà Nội
DEMO_CENTRE_CODE = "H01.TTPVHCC"
DEMO_OFFICERS = [
    ("admin", "Quản trị Hệ thống", None, None),
    ("motcua.hoankiem", "Nguyễn Thị Hồng", "H01.00070.MC", StaffRole.ONE_STOP_OFFICER),
    ("chuyenvien.hoankiem", "Trần Văn Bình", DEMO_UNIT_CODE, StaffRole.SPECIALIST),
    ("lanhdao.hoankiem", "Lê Minh Châu", DEMO_UNIT_CODE, StaffRole.LEADER),
    ("quantri.hoankiem", "Phạm Quốc Dũng", DEMO_UNIT_CODE, StaffRole.UNIT_ADMIN),
    ("giamsat.hanoi", "Hoàng Thu Hà", "H01", StaffRole.SUPERVISOR),
    ("kiemtra.congan", "Đỗ Văn Kiên", "H01", StaffRole.POPULATION_AUDITOR),
]


class Command(BaseCommand):
    help = "Load demo officers and roles (development only); idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOCAL:
            raise CommandError("load-demo is for the development environment only.")
        if not Unit.objects.filter(code=DEMO_UNIT_CODE).exists():
            call_command("load_units", stdout=self.stdout)
        logins_file = settings.VAR_DIR / "demo-logins.txt"
        lines: list[str] = []
        with transaction.atomic():
            for username, full_name, unit_code, role in DEMO_OFFICERS:
                if User.objects.filter(username=username).exists():
                    continue
                password = secrets.token_urlsafe(9)
                user, _device = officer_create(
                    username=username,
                    full_name=full_name,
                    email=f"{username}@example.invalid",
                    password=password,
                    is_superuser=unit_code is None,
                )
                if unit_code and role:
                    role_assign(
                        user=user,
                        unit=Unit.objects.get(code=unit_code),
                        role=role,
                        valid_from=date(2025, 7, 1),
                        actor=None,
                    )
                lines.append(
                    f"{username:22} {password}   {role or 'superuser'} @ {unit_code or '-'}"
                )
        if lines:
            settings.VAR_DIR.mkdir(parents=True, exist_ok=True)
            with logins_file.open("a", encoding="utf-8") as fh:
                fh.write("\n".join(lines) + "\n")
            logins_file.chmod(0o600)
        self.stdout.write("Demo data ready.")
