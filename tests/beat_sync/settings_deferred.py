"""The example project's settings with SQLite's default DEFERRED transactions.

The example settings ask for IMMEDIATE transactions; these do not, so a test running apply with
them shows that beat-sync takes the SQLite write lock itself, whatever a project configures.
"""

from config.settings import *  # noqa: F403
from config.settings import DATABASES

DATABASES["default"].get("OPTIONS", {}).pop("transaction_mode", None)
