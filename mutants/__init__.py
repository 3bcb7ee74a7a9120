"""`make mutants`: deliberate breakages of beat-sync's promises, each of which a named test must
catch (mutations.py holds the list, run.py applies each in a scratch copy and runs its tests)."""
