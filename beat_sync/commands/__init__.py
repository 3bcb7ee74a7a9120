"""The `beat-sync` subcommands: one module per command, each exposing a click `command`."""
