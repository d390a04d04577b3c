"""Refuse UPDATE and DELETE of population look-up log rows at the database level.

As for the audit log (audit 0002): PostgreSQL refuses UPDATE and DELETE with a
trigger; SQLite (the embedded default) refuses UPDATE only, because Django's test
flush empties tables with DELETE there.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION population_lookup_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'population look-ups are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER population_lookup_append_only
    BEFORE UPDATE OR DELETE ON integrations_populationlookup
    FOR EACH ROW EXECUTE FUNCTION population_lookup_refuse_change();
"""
PG_REVERSE = """
DROP TRIGGER IF EXISTS population_lookup_append_only ON integrations_populationlookup;
DROP FUNCTION IF EXISTS population_lookup_refuse_change();
"""
SQLITE_FORWARD = """CREATE TRIGGER population_lookup_no_update
    BEFORE UPDATE ON integrations_populationlookup
    BEGIN SELECT RAISE(ABORT, 'population look-ups are append-only (UPDATE refused)'); END;"""
SQLITE_REVERSE = "DROP TRIGGER IF EXISTS population_lookup_no_update;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_REVERSE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE)


class Migration(migrations.Migration):
    dependencies = [("integrations", "0003_population_lookup_log")]
    operations = [migrations.RunPython(forward, reverse)]
