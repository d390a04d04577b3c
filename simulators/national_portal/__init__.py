"""National portal simulator: receives motcua's dossier-sync messages (the outbox)."""
