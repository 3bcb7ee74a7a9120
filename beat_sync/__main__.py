"""`python -m beat_sync`: the same as the `beat-sync` console script."""

from beat_sync.cli import main

main()
