"""PostgreSQL: trigram indexes so diacritic-free substring search stays fast.

``search_text`` / ``search_name`` hold folded text (lower-case, no diacritics), so a
plain ``LIKE '%term%'`` is what the search runs; pg_trgm's GIN index serves it.
Other databases scan (fine for the embedded default's size).
"""

from django.db import migrations


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS catalog_version_search_trgm ON catalog_procedureversion "
        "USING gin (search_text gin_trgm_ops)",
        params=None,
    )


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS catalog_version_search_trgm", params=None)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_procedures_versions_cases")]
    operations = [migrations.RunPython(forward, reverse)]
