"""End-to-end tests: not one package's unit but the whole road, from a manifest applied with the
`beat-sync` CLI to a real Celery beat and worker delivering email. Cross-cutting, so they live
here rather than under tests/beat_sync/ or tests/example_project/."""
