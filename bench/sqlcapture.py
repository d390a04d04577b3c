"""The SQL of one request, captured from the real code and replayed by ``pgbench``.

The baselines of ``bench/scenarios.py`` are the database's own limits for the work one
request does: ``pgbench`` running *exactly* the statements that the application sent.

``capture`` (run in a process with the application's settings) sends one request through
Django's test client and records every statement the database connection executed,
with its parameters rendered as SQL literals by psycopg itself, whether it ran inside the
request's transaction, and the rows an ``INSERT … RETURNING`` gave back.

``pgbench_transaction`` turns the statements of the committed transaction into a pgbench
script that repeats it many times without breaking a unique constraint:

* a primary key an ``INSERT … RETURNING`` produced is taken into a pgbench variable
  (``\\gset``), and later statements use the variable where they used the id;
* a value of a unique column (or the last column of a multi-column unique constraint
  that no fresh id already makes unique) becomes a fresh random value of the same kind
  (``gen_random_uuid()``, random text of the same length, a random big integer);
* everything else — reads, locks (row locks on the audit chain, the advisory lock of the
  idempotency key), savepoints, updates — runs verbatim, so contention stays as real.

``pgbench_reads`` does the same for a read-only request, with named values (a dossier
code, an ID number) drawn per transaction from a table of real pairs.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

INSERT = re.compile(r'^INSERT INTO "(?P<table>[^"]+)" \((?P<cols>[^)]*)\) VALUES ', re.S)
RETURNING = re.compile(r'RETURNING "[^"]+"\."(?P<col>[^"]+)"\s*$')
SENTINEL = "\x00PCT\x00"


# --- capture (inside Django) ------------------------------------------------------------------
def capture(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from psycopg import sql as psql

    statements: list[dict[str, Any]] = []

    def literal(value: Any) -> str:
        raw = connection.connection  # the psycopg connection
        return psql.Literal(value).as_string(raw)

    def wrapper(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        in_tx = bool(context["connection"].in_atomic_block)
        result = execute(sql, params, many, context)
        entry: dict[str, Any] = {
            "sql": sql,
            "params": [literal(p) for p in params or ()],
            "raw": [_plain(p) for p in params or ()],
            "types": [_kind(p) for p in params or ()],
            "in_transaction": in_tx,
            "returned": None,
        }
        if sql.lstrip().upper().startswith("INSERT") and " RETURNING " in sql:
            cursor = context["cursor"].cursor
            rows = cursor.fetchall()
            cursor.scroll(0, mode="absolute")
            entry["returned"] = [list(r) for r in rows]
        statements.append(entry)
        return result

    client = Client(SERVER_NAME="127.0.0.1")
    connection.ensure_connection()
    commit = connection.commit

    def mark_commit() -> None:  # a transaction ends here (Atomic.__exit__ commits)
        commit()
        statements.append({"commit": True})

    connection.commit = mark_commit  # type: ignore[method-assign]
    with connection.execute_wrapper(wrapper):
        if kind == "post":
            response = client.post(
                spec["path"],
                data=json.dumps(spec["body"]),
                content_type="application/json",
                headers=spec.get("headers", {}),
            )
        else:
            response = client.get(spec["path"], headers=spec.get("headers", {}))
    return {
        "status": response.status_code,
        "body": response.content.decode()[:2000],
        "statements": statements,
        "unique": _unique_columns(),
    }


def _plain(value: Any) -> Any:
    """A parameter as JSON: integers stay integers (psycopg's Int8 too), lists element-wise."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    return "list" if isinstance(value, list | tuple) else type(value).__name__


def _unique_columns() -> dict[str, dict[str, Any]]:
    """Per table: unique columns, multi-column unique constraints, foreign-key columns."""
    from django.apps import apps
    from django.db.models import ForeignKey, UniqueConstraint

    tables: dict[str, dict[str, Any]] = {}
    for model in apps.get_models():
        meta = model._meta
        single = [f.column for f in meta.concrete_fields if f.unique and not f.primary_key]
        multi = [
            [meta.get_field(n).column for n in c.fields]
            for c in meta.constraints
            if isinstance(c, UniqueConstraint) and c.fields and c.condition is None
        ]
        multi += [[meta.get_field(n).column for n in group] for group in meta.unique_together]
        fks = [f.column for f in meta.concrete_fields if isinstance(f, ForeignKey)]
        tables[meta.db_table] = {"single": single, "multi": multi, "fks": fks}
    return tables


# --- pgbench scripts ----------------------------------------------------------------------------
def _fill(sql: str, values: list[str]) -> str:
    parts = sql.replace("%%", SENTINEL).split("%s")
    assert len(parts) == len(values) + 1, (sql, values)
    out = parts[0]
    for value, rest in zip(values, parts[1:], strict=True):
        out += value + rest
    return out.replace(SENTINEL, "%")


def _fresh(kind: str, raw: Any) -> str:
    if kind == "UUID":
        return "gen_random_uuid()"
    if kind == "int":
        return "(1000000 + floor(random() * 9e15))::bigint"
    if kind == "list":  # a bulk insert (UNNEST of one array per column)
        return "ARRAY[" + ", ".join(_fresh(_kind_of(x), x) for x in raw) + "]"
    length = max(8, len(str(raw)))
    return f"left(md5(random()::text) || md5(random()::text) || md5(random()::text), {length})"


def _kind_of(raw: Any) -> str:
    return "int" if isinstance(raw, int) and not isinstance(raw, bool) else "str"


def pgbench_transaction(captured: dict[str, Any]) -> tuple[str, dict[str, int]]:
    """The committed transactions as one pgbench script, and counts by statement kind.

    A request may commit more than one transaction (the change, then the work its
    after-commit hooks do); each becomes its own ``BEGIN … COMMIT`` in the script.
    """
    unique = captured["unique"]
    ids: dict[int, str] = {}  # returned primary key → pgbench variable

    def as_id(raw: Any) -> str | None:
        """The variable for a value that is a fresh id (an int, or its text, ≥ 1000)."""
        if isinstance(raw, bool):
            return None
        if isinstance(raw, str) and raw.isdigit():
            raw = int(raw)
            return f"':{ids[raw]}'" if raw >= 1000 and raw in ids else None
        if isinstance(raw, int) and raw >= 1000 and raw in ids:
            return ":" + ids[raw]
        if isinstance(raw, list) and raw and all(as_id(x) for x in raw):
            return "ARRAY[" + ", ".join(":" + ids[int(x)] for x in raw) + "]::bigint[]"
        return None

    lines: list[str] = []
    counts: dict[str, int] = {}
    open_tx = False
    for n, st in enumerate(captured["statements"]):
        if st.get("commit"):
            if open_tx:
                lines.append("COMMIT;")
                counts["COMMIT"] = counts.get("COMMIT", 0) + 1
            open_tx = False
            continue
        if not st["in_transaction"]:
            continue  # autocommit reads before the transaction (authentication, …)
        if not open_tx:
            lines.append("BEGIN;")
            open_tx = True
        sql, values = st["sql"], list(st["params"])
        verb = sql.lstrip().split(None, 1)[0].upper()
        counts[verb] = counts.get(verb, 0) + 1
        renewed: set[int] = set()
        for i, raw in enumerate(st["raw"]):
            var = as_id(raw)
            if var is not None:
                values[i] = var
                renewed.add(i)
        match = INSERT.match(sql)
        if match:
            table = unique.get(match["table"], {"single": [], "multi": [], "fks": []})
            cols = [c.strip().strip('"') for c in match["cols"].split(",")]
            fresh_cols = {cols[i % len(cols)] for i in renewed}
            to_renew = set(table["single"])
            for group in table["multi"]:
                if fresh_cols & set(group):
                    continue  # a fresh id already makes the row unique
                ints = [c for c in group if c not in table["fks"]]
                if ints:
                    to_renew.add(ints[-1])
            for i, raw in enumerate(st["raw"]):
                column = cols[i % len(cols)]
                if column in to_renew and raw is not None and i not in renewed:
                    values[i] = _fresh(st["types"][i], raw)
        text = _fill(sql, values)
        returned = st["returned"]
        if returned is not None and len(returned) == 1 and RETURNING.search(sql):
            var = f"r{n}_"
            ids[int(returned[0][0])] = var + RETURNING.search(sql)["col"]  # type: ignore[index]
            lines.append(f"{text} \\gset {var}")
        else:
            lines.append(text + ";")
    assert not open_tx, "the captured request left a transaction open"
    return "\n".join(lines) + "\n", counts


def pgbench_reads(captured: dict[str, Any], names: dict[str, str], pairs_table: str) -> str:
    """A read-only request's statements, with the named values drawn from ``pairs_table``."""
    lines = [
        "\\set i random(1, :npairs)",
        f"SELECT {', '.join(names)} FROM {pairs_table} WHERE i = :i \\gset",
    ]
    for st in captured["statements"]:
        if st.get("commit"):
            continue
        values = list(st["params"])
        for i, raw in enumerate(st["raw"]):
            for var, value in names.items():
                if raw == value:
                    values[i] = f"':{var}'"
        lines.append(_fill(st["sql"], values) + ";")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # python bench/sqlcapture.py SPEC.json OUT.json — with the application's environment.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.config.settings")
    spec = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    result = capture(spec["method"], spec)
    Path(sys.argv[2]).write_text(json.dumps(result, ensure_ascii=False, default=str))
