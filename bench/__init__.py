"""`make bench`: beat-sync apply/diff against the styleguide's setup_periodic_tasks (run.py)."""
