"""The failure drills at CI size: ``bench/drill.py --size small`` as a subprocess.

The drill runs the production server (gunicorn) against its own database
(``motcua_drill_ci``, cloned from a template it builds), not the test database, kills it
with SIGKILL while clients submit, and checks PostgreSQL afterwards
(docs/benchmarks.md#failure-drills). It needs PostgreSQL on localhost and Redis.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


def test_nothing_acknowledged_is_lost_under_kill_9(tmp_path: Path) -> None:
    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("needs PostgreSQL: set DATABASE_URL (CI does)")
    summary_file = tmp_path / "drill-summary.json"
    env = {k: v for k, v in os.environ.items() if k not in {"MOTCUA_ENVIRONMENT", "DATABASE_URL"}}
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "drill.py"),
            "--size",
            "small",
            "--no-record",
            "--database",
            "motcua_drill_ci",
            "--summary",
            str(summary_file),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    summary = json.loads(summary_file.read_text())
    assert summary["ok"] and not summary["failed"]

    kill = summary["kill"]
    assert kill["kills"] >= 3
    assert kill["acknowledged"] == kill["submissions"] == kill["dossiers_in_database"] == 300
    assert kill["lost"] == kill["duplicates"] == kill["unacknowledged_dossiers"] == 0
    assert kill["outbox_not_exactly_one"] == kill["missing_submit_event"] == 0
    assert kill["missing_audit_entry"] == kill["orphan_outbox_messages"] == 0
    assert kill["audit_verify"] == "OK"

    control = summary["control"]  # the same check sees the loss of a lossy server
    assert control["loss_detected"] and control["lost"] > 0

    storm = summary["storm"]
    assert storm["dossiers_in_database"] == storm["keys"] == 100 and storm["duplicates"] == 0
    assert storm["first_answers"] == 100 and storm["replayed_answers"] == 900
    assert storm["other_body_same_key"] == {"422": 100}

    outbox = summary["outbox"]
    assert outbox["while_down"]["delivered"] == 0 and outbox["while_down"]["attempts"] > 0
    assert outbox["received_distinct"] == outbox["messages"] == 300
    assert outbox["missing_at_portal"] == outbox["rows_not_delivered"] == 0
    assert outbox["keys_out_of_order"] == 0
