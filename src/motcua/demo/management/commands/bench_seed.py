"""``motcua bench seed --dossiers N``: benchmark data in PostgreSQL (docs/benchmarks.md)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.demo.benchseed import DEFAULT_SEED, SeedOptions, SeedRefused, bench_seed


class Command(BaseCommand):
    help = (
        "Generate N realistic dossiers (with components, timelines and open process steps) "
        "across the 34 provinces, written with COPY. PostgreSQL only; adds rows, never deletes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dossiers", type=int, required=True, help="how many dossiers")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="random seed (default: fixed)"
        )
        parser.add_argument(
            "--months", type=int, default=12, help="submission dates spread back from today"
        )
        parser.add_argument(
            "--officers",
            action="store_true",
            help="create benchmark officers at the busiest units; print them as a JSON line",
        )
        parser.add_argument(
            "--check-foreign-keys",
            action="store_true",
            help="keep PostgreSQL's per-row foreign-key triggers on while writing (slower)",
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=20_000,
            help="dossiers per COPY transaction (default 20,000)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        seed_options = SeedOptions(
            dossiers=options["dossiers"],
            seed=options["seed"],
            months=options["months"],
            officers=options["officers"],
            batch=max(100, options["batch"]),
            check_foreign_keys=options["check_foreign_keys"],
        )
        try:
            report = bench_seed(seed_options, progress=lambda line: self.stderr.write(line))
        except SeedRefused as exc:
            raise CommandError(str(exc)) from None
        for line in report.prepared:
            self.stderr.write(line)
        statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(report.statuses.items()))
        self.stdout.write(
            f"{report.dossiers:,} dossiers, {report.events:,} events, "
            f"{report.components:,} components, {report.instances:,} process instances, "
            f"{report.tasks:,} process steps in {report.provinces} provinces; "
            f"{report.rows:,} rows in {report.seconds:.1f} s "
            f"({report.rows / report.seconds:,.0f} rows/s, "
            f"{report.dossiers / report.seconds:,.0f} dossiers/s; foreign-key triggers "
            f"{report.foreign_key_triggers}). Statuses: {statuses}."
        )
        if seed_options.officers:
            self.stdout.write(json.dumps({"officers": report.officers}, ensure_ascii=False))
