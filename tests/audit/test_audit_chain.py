"""The audit log: chained, verifiable, append-only, free of personal data."""

from __future__ import annotations

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, IntegrityError, connection, transaction

from motcua.audit.models import AuditEntry
from motcua.audit.services import PersonalDataInAudit, audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _tamper(sql: str, params: list) -> None:
    """Change a row behind the application's back, as an attacker with DB access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_entry_append_only")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_entry_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")
            cursor.execute(sql, params)


def _three_entries(chain: str = "01") -> list[AuditEntry]:
    return [
        audit_record(
            action="dossier.received",
            object_type="dossier",
            object_id=f"D{i}",
            chain=chain,
            data={"step": i, "reason": "hồ sơ hợp lệ"},
        )
        for i in range(3)
    ]


def test_verify_reports_ok_for_an_intact_chain(capsys: pytest.CaptureFixture[str]) -> None:
    _three_entries()
    call_command("audit_verify")
    assert capsys.readouterr().out.strip() == "OK"


def test_each_entry_links_to_the_previous_hash() -> None:
    first, second, third = _three_entries()
    assert second.prev_hash == first.hash and third.prev_hash == second.hash
    assert [e.seq for e in (first, second, third)] == [1, 2, 3]


def test_changing_one_byte_names_the_entry(capsys: pytest.CaptureFixture[str]) -> None:
    entries = _three_entries()
    victim = entries[1]
    _tamper(
        "UPDATE audit_auditentry SET action = %s WHERE id = %s", ["dossier.receivee", victim.pk]
    )
    with pytest.raises(CommandError):
        call_command("audit_verify")
    err = capsys.readouterr().err
    assert f"entry id={victim.pk}" in err and "seq=2" in err


def test_deleting_the_last_entry_is_detected() -> None:
    entries = _three_entries()
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[-1].pk])
    breaks = audit_verify()
    assert len(breaks) == 1 and "head" in breaks[0].reason


def test_deleting_a_middle_entry_is_detected() -> None:
    entries = _three_entries()
    _tamper("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    (problem,) = audit_verify()
    assert problem.entry_id == entries[2].pk


def test_update_is_refused_by_the_database() -> None:
    entry = audit_record(action="x.y", object_type="t", object_id="1")
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    entry.refresh_from_db()
    assert entry.action == "x.y"


def test_delete_is_refused_by_postgresql(on_postgres: None) -> None:
    entry = audit_record(action="x.y", object_type="t", object_id="1")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"full_name": "Nguyễn Văn A"},
        {"nested": {"id_number": "001203012345"}},
        {"note": "công dân 001203012345 đến nộp"},
        {"items": [{"email": "a@b.vn"}]},
    ],
)
def test_personal_data_is_refused_and_nothing_is_written(data: dict) -> None:
    with pytest.raises(PersonalDataInAudit):
        audit_record(action="x", data=data)
    assert AuditEntry.objects.count() == 0


def test_chains_are_independent_per_province() -> None:
    _three_entries("01")
    _three_entries("79")
    assert set(AuditEntry.objects.values_list("chain", flat=True)) == {"01", "79"}
    assert audit_verify() == []


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_valid_chain(on_postgres: None) -> None:
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                audit_record(action="load.test", object_id=f"{n}-{i}", chain="01")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditEntry.objects.filter(chain="01").count() == 60
    assert audit_verify() == []
