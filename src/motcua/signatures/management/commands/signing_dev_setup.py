"""``motcua signing-dev-setup``: a development CA and keys, clearly development-only.

Creates (once) a self-signed CA under ``MOTCUA_SIGNING_DIR`` (``var/signing/``) and,
for every unit where someone holds a role today, a PKCS#12 organisation seal; for
every leader and one-stop officer, a personal certificate. Each key file gets a random
passphrase in a file beside it (mode 600) and is registered as a ``SigningKey``
marked development-only. Idempotent: keys that exist are kept. Refused in production.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.core.clock import local_now
from motcua.signatures import devca
from motcua.signatures.models import KeyPurpose, SigningKey
from motcua.signatures.services import signing_key_register
from motcua.signatures.trust import is_local, signing_dir
from motcua.units.models import RoleAssignment, StaffRole, Unit, UnitLevel

PERSONAL_ROLES = (StaffRole.LEADER, StaffRole.ONE_STOP_OFFICER)


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in ".-" else "-" for c in text)


class Command(BaseCommand):
    help = "Create a DEVELOPMENT-ONLY CA and signing keys for units and officers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--unit",
            action="append",
            default=[],
            help="Only this unit (electronic agency ID); repeatable. Default: units with staff.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not is_local():
            raise CommandError(
                "signing-dev-setup creates development-only keys; it does not run in production."
            )
        directory = signing_dir()
        ca, created = devca.load_or_create_ca(directory)
        if created:
            self.stdout.write(f"development CA created: {directory / devca.CA_CERT_FILE}")
        today = local_now().date()
        active = RoleAssignment.objects.active_on(today).select_related("unit", "user")
        if options["unit"]:
            active = active.filter(unit__code__in=options["unit"])
        units = {a.unit for a in active}
        if options["unit"]:
            units |= set(Unit.objects.filter(code__in=options["unit"]))
        made = 0
        for unit in sorted(units, key=lambda u: u.code):
            if unit.level != UnitLevel.ONE_STOP:
                made += self._ensure(ca, directory, unit=unit, holder=None)
        for assignment in active.filter(role__in=PERSONAL_ROLES).order_by("unit__code", "user_id"):
            if assignment.user.is_active:
                made += self._ensure(ca, directory, unit=assignment.unit, holder=assignment.user)
        self.stdout.write(
            f"signing keys: {made} created (DEVELOPMENT ONLY, no legal value) in {directory}"
        )

    def _ensure(self, ca: devca.Issued, directory: Any, *, unit: Unit, holder: User | None) -> int:
        purpose = KeyPurpose.PERSONAL if holder else KeyPurpose.ORGANISATION
        exists = SigningKey.objects.filter(
            unit=unit, purpose=purpose, holder=holder, active=True, development_only=True
        ).exists()
        if exists:
            return 0
        if holder is None:
            common_name, name = unit.name, f"{_slug(unit.code)}-seal"
        else:
            common_name = holder.full_name or holder.username
            name = f"{_slug(unit.code)}-{_slug(holder.username)}"
        issued = devca.issue(ca, common_name=common_name, organisation=unit.name)
        passphrase = secrets.token_urlsafe(24)
        keys = directory / "keys"
        p12_path, pass_path = keys / f"{name}.p12", keys / f"{name}.pass"
        devca.write_private(
            p12_path,
            devca.pkcs12_bytes(
                key=issued.key,
                certificate=issued.certificate,
                chain=[ca.certificate],
                passphrase=passphrase,
            ),
        )
        devca.write_private(pass_path, passphrase.encode())
        signing_key_register(
            actor=None,
            unit=unit,
            provider="pkcs12",
            config={"path": str(p12_path.resolve()), "passphrase": f"file:{pass_path.resolve()}"},
            purpose=purpose,
            holder=holder,
            label=f"{common_name} (DEVELOPMENT ONLY)",
        )
        return 1
