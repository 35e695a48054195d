"""Where the network sinks may connect: loopback only, unless explicitly allowed.

Alerts carry restricted information (positions, attributions). A mistyped URL must not send it
across the internet, so the sinks refuse any host that is not a loopback address or
``localhost`` unless the operator passes ``allow_remote`` (``--allow-remote``).
"""

from __future__ import annotations

import ipaddress

from ceasewatch.errors import InputError


def is_loopback(host: str) -> bool:
    name = host.strip("[]").lower()
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def require_loopback(host: str, allow_remote: bool, what: str) -> None:
    """Raise InputError for a non-loopback ``host`` unless ``allow_remote``."""
    if not host:
        raise InputError(f"{what}: no host given")
    if not allow_remote and not is_loopback(host):
        raise InputError(
            f"{what}: {host} is not a loopback address; alerts go to 127.0.0.1, ::1 or "
            "localhost unless you pass --allow-remote (allow_remote=True) on purpose"
        )
