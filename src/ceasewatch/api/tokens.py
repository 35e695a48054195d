"""Access tokens: short-lived JWTs signed with the service's Ed25519 key (EdDSA).

A token names a role and, for a party or a contributor, which one. Verification accepts only
EdDSA with this service's key, this audience and issuer, and an unexpired ``exp`` no further than
:data:`MAX_TTL_S` after ``iat``: an unsigned (``alg: none``), tampered, expired, foreign or
wrong-audience token is refused with a reason, never trusted in part.
"""

from __future__ import annotations

import base64
import os
import uuid
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from ceasewatch.errors import InputError

AUDIENCE = "ceasewatch-api"
ISSUER = "ceasewatch"
DEFAULT_TTL_S = 15 * 60
MAX_TTL_S = 24 * 3600
KEY_FILE = "api-token.key"


class Role(StrEnum):
    OPERATOR = "operator"
    ANALYST = "analyst"
    CONTRIBUTOR = "contributor"
    PARTY = "party"
    PUBLIC = "public"


class TokenError(Exception):
    """A token that cannot be trusted; the message says why (never echoing the token)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: a role, and for a party or contributor, which one."""

    role: Role
    subject: str
    party: str | None = None  # the party's id, for role party
    contributor: str | None = None  # the contributing state's id, for role contributor

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(Role.PUBLIC, "anonymous")

    def __post_init__(self) -> None:
        if self.role is Role.PARTY and not self.party:
            raise InputError("a party token needs --party (e.g. --party RU)")
        if self.role is Role.CONTRIBUTOR and not self.contributor:
            raise InputError("a contributor token needs --contributor (e.g. --contributor UK)")


@dataclass(frozen=True)
class TokenKey:
    """The service's signing key (Ed25519), kept in ``keys/api-token.key`` of the home."""

    seed: bytes

    @classmethod
    def load_or_create(cls, keys_dir: Path) -> TokenKey:
        from ceasewatch.store.home import write_private

        path = keys_dir / KEY_FILE
        if path.exists():
            try:
                seed = base64.b64decode(path.read_text(encoding="utf-8").strip(), validate=True)
            except (OSError, ValueError) as exc:
                raise InputError(
                    f"{path}: cannot read the token key ({exc}); remove it to "
                    "make a new one (tokens issued with it stop working)"
                ) from exc
            if len(seed) != 32:
                raise InputError(f"{path}: the token key must be 32 bytes; remove it to make one")
            return cls(seed)
        seed = os.urandom(32)
        write_private(path, base64.b64encode(seed).decode("ascii") + "\n")
        return cls(seed)

    def _private(self):  # type: ignore[no-untyped-def]
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed)

    def issue(self, principal: Principal, now_s: int, ttl_s: int = DEFAULT_TTL_S) -> str:
        """A signed token for ``principal``, valid from ``now_s`` for ``ttl_s`` seconds."""
        import jwt

        if not 0 < ttl_s <= MAX_TTL_S:
            raise InputError(f"--ttl {ttl_s}: a token lives 1 s to {MAX_TTL_S} s (24 h)")
        claims: dict[str, object] = {
            "iss": ISSUER,
            "aud": AUDIENCE,
            "sub": principal.subject,
            "role": principal.role.value,
            "iat": now_s,
            "nbf": now_s,
            "exp": now_s + ttl_s,
            "jti": uuid.UUID(bytes=os.urandom(16)).hex,
        }
        if principal.party:
            claims["party"] = principal.party
        if principal.contributor:
            claims["contributor"] = principal.contributor
        return jwt.encode(claims, self._private(), algorithm="EdDSA")

    def verify(self, token: str, now_s: int) -> Principal:
        """The principal a token names, or :class:`TokenError` saying why it is refused."""
        import jwt

        try:
            claims = jwt.decode(
                token,
                self._private().public_key(),
                algorithms=["EdDSA"],
                audience=AUDIENCE,
                issuer=ISSUER,
                leeway=0,
                options={
                    "require": ["exp", "iat", "nbf", "sub", "aud", "iss"],
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                },
            )
        except jwt.InvalidAudienceError:
            raise TokenError("the token is for another service (audience)") from None
        except jwt.InvalidIssuerError:
            raise TokenError("the token was issued by someone else (issuer)") from None
        except jwt.InvalidSignatureError:
            raise TokenError("the token's signature does not match this service's key") from None
        except jwt.InvalidAlgorithmError:
            raise TokenError("the token is not signed with EdDSA") from None
        except jwt.MissingRequiredClaimError as exc:
            raise TokenError(f"the token lacks the {exc.claim!r} claim") from None
        except jwt.PyJWTError:
            raise TokenError("the token is malformed") from None
        return _principal(claims, now_s)


def _principal(claims: dict[str, object], now_s: int) -> Principal:
    exp, iat, nbf = claims.get("exp"), claims.get("iat"), claims.get("nbf")
    if not all(type(v) is int for v in (exp, iat, nbf)):
        raise TokenError("the token's times (exp, iat, nbf) must be whole seconds")
    assert isinstance(exp, int) and isinstance(iat, int) and isinstance(nbf, int)
    if now_s >= exp:
        raise TokenError("the token has expired; ask for a new one")
    if now_s < nbf or now_s < iat - 60:
        raise TokenError("the token is not valid yet (check the clocks)")
    if exp - iat > MAX_TTL_S:
        raise TokenError("the token lives longer than 24 h, which this service never issues")
    try:
        role = Role(str(claims.get("role")))
    except ValueError:
        raise TokenError("the token names no known role") from None
    party, contributor = claims.get("party"), claims.get("contributor")
    try:
        return Principal(
            role,
            str(claims["sub"]),
            party=str(party) if role is Role.PARTY and party else None,
            contributor=str(contributor) if role is Role.CONTRIBUTOR and contributor else None,
        )
    except InputError as exc:
        raise TokenError(f"the token is incomplete: {exc}") from None
