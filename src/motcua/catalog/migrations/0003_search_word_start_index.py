"""PostgreSQL: a trigram index for the word-start search, replacing the substring one.

The catalog search matches a term where a word of ``search_text`` starts with it:
``(' ' || search_text) LIKE '% ho%'`` (``motcua.catalog.selectors``). This pg_trgm GIN
index on that expression serves it: the space before the term marks a word start, so
pg_trgm takes whole trigrams from it (``"  h"``, ``" ho"``) even for one- and two-letter
terms, which a ``LIKE '%ho%'`` could not use. The index of 0002 (``search_text`` alone)
no longer serves any query and is dropped. Both run ``CONCURRENTLY`` so the catalog
can still be written meanwhile. Other databases: nothing to do (they scan).
"""

from django.db import migrations

WORD_START = "catalog_version_search_word_trgm"
SUBSTRING = "catalog_version_search_trgm"


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm", params=None)
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {WORD_START} ON catalog_procedureversion "
        "USING gin ((' ' || search_text) gin_trgm_ops)",
        params=None,
    )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {SUBSTRING}", params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE INDEX CONCURRENTLY IF NOT EXISTS {SUBSTRING} ON catalog_procedureversion "
        "USING gin (search_text gin_trgm_ops)",
        params=None,
    )
    schema_editor.execute(f"DROP INDEX CONCURRENTLY IF EXISTS {WORD_START}", params=None)


class Migration(migrations.Migration):
    atomic = False  # CREATE / DROP INDEX CONCURRENTLY cannot run inside a transaction

    dependencies = [("catalog", "0002_search_trigram_index")]
    operations = [migrations.RunPython(forward, reverse)]
