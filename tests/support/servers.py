"""Whether a server (PostgreSQL, Redis) answers on a TCP port: tests and bench skip, or say so,
when it does not."""

from __future__ import annotations

import socket


def answers(host: str, port: int) -> bool:
    """True when something accepts a TCP connection on host:port within a second."""
    try:
        socket.create_connection((host, port), timeout=1).close()
    except OSError:
        return False
    return True
