from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Development only: print the current TOTP code of a demo officer."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.LOCAL:
            raise CommandError("totp-code exists for the development environment only.")
        device = TOTPDevice.objects.filter(user__username=options["username"]).first()
        if device is None:
            raise CommandError(f"No TOTP device for {options['username']!r}.")
        code = totp(device.bin_key, device.step, device.t0, device.digits, device.drift)
        remaining = device.step - int(time.time()) % device.step
        self.stdout.write(f"{code:0{device.digits}d}  (valid {remaining}s more)")
