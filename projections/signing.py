"""The Ed25519 key that signs audit checkpoints, and the signed checkpoint note itself.

A checkpoint is a C2SP signed note (https://c2sp.org/signed-note) whose text follows the
tlog-checkpoint shape (https://c2sp.org/tlog-checkpoint)::

    baobao\\n
    <size: number of sealed events, decimal>\\n
    <chain head after them: standard base64 of 32 bytes>\\n
    \\n
    — baobao <base64(key hash (4 bytes) || Ed25519 signature (64 bytes))>\\n

The signature is over the text up to and including the third newline. The 4-byte key hash
is C2SP's: the first 4 bytes of SHA-256("baobao" || "\\n" || 0x01 || raw public key), so any
signed-note verifier accepts the note given `verifier_key()`. The `key_id` shown to people
and stored beside each checkpoint is the first 8 bytes of SHA-256(raw public key), in hex.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain.storage import ConfigurationError

ORIGIN = "baobao"
SIGNATURE_PREFIX = "— "  # an em dash and a space, as in the C2SP signed-note format


class BadCheckpointError(Exception):
    """A checkpoint note that does not parse or whose signature does not verify."""


@dataclass(frozen=True)
class SignedCheckpoint:
    """A signed tree head: `size` events sealed, with chain head `head`."""

    size: int
    head: bytes
    note: str
    signature: bytes
    key_id: str


def raw_public(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(raw_public(public)).digest()[:8].hex()


def note_key_hash(public: Ed25519PublicKey) -> bytes:
    return hashlib.sha256(f"{ORIGIN}\n".encode() + b"\x01" + raw_public(public)).digest()[:4]


def verifier_key(public: Ed25519PublicKey) -> str:
    """The signed-note verifier key: `baobao+<hash hex>+<base64(0x01 || public key)>`."""
    encoded = base64.b64encode(b"\x01" + raw_public(public)).decode()
    return f"{ORIGIN}+{note_key_hash(public).hex()}+{encoded}"


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def load_public_pem(data: bytes, where: str) -> Ed25519PublicKey:
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError as error:
        raise ConfigurationError(f"{where} is not a PEM public key: {error}") from None
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigurationError(f"{where} is not an Ed25519 public key")
    return public


def load_or_create_key(path: str) -> Ed25519PrivateKey:
    """The signing key at `path` (PEM PKCS#8); created with mode 0600 if absent, with
    its public key written beside it as `<path>.pub`."""
    file = Path(path)
    if not file.parent.is_dir():
        raise ConfigurationError(f"folder {file.parent} for BAOBAO_SIGNING_KEY does not exist")
    if not file.exists():
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        try:
            descriptor = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            return load_or_create_key(path)
        with os.fdopen(descriptor, "wb") as out:
            out.write(pem)
    try:
        loaded = serialization.load_pem_private_key(file.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as error:
        raise ConfigurationError(f"BAOBAO_SIGNING_KEY {path}: {error}") from None
    if not isinstance(loaded, Ed25519PrivateKey):
        raise ConfigurationError(f"BAOBAO_SIGNING_KEY {path} is not an Ed25519 private key")
    public_file = Path(f"{path}.pub")
    if not public_file.exists():
        public_file.write_bytes(public_pem(loaded.public_key()))
    return loaded


def load_public_key(path: str) -> Ed25519PublicKey | None:
    """The checkpoints' public key: `<path>.pub`, else derived from the private key."""
    public_file = Path(f"{path}.pub")
    if public_file.exists():
        return load_public_pem(public_file.read_bytes(), str(public_file))
    if Path(path).exists():
        return load_or_create_key(path).public_key()
    return None


def sign_checkpoint(key: Ed25519PrivateKey, size: int, head: bytes) -> SignedCheckpoint:
    public = key.public_key()
    body = f"{ORIGIN}\n{size}\n{base64.b64encode(head).decode()}\n"
    signature = key.sign(body.encode())
    line = base64.b64encode(note_key_hash(public) + signature).decode()
    note = f"{body}\n{SIGNATURE_PREFIX}{ORIGIN} {line}\n"
    return SignedCheckpoint(size, head, note, signature, key_id(public))


def open_checkpoint(note: str, public: Ed25519PublicKey) -> tuple[int, bytes]:
    """The (size, head) a note signs, if its signature by `public` verifies."""
    body, separator, signatures = note.partition("\n\n")
    if not separator:
        raise BadCheckpointError("the note has no signature block")
    body += "\n"
    lines = body.split("\n")
    if len(lines) != 4 or lines[0] != ORIGIN or not lines[1].isdigit():
        raise BadCheckpointError("the note is not a baobao checkpoint")
    try:
        head = base64.b64decode(lines[2], validate=True)
    except binascii.Error:
        raise BadCheckpointError("the note's head hash is not base64") from None
    wanted = note_key_hash(public)
    for line in signatures.splitlines():
        name, _, encoded = line.removeprefix(SIGNATURE_PREFIX).partition(" ")
        if not line.startswith(SIGNATURE_PREFIX) or name != ORIGIN:
            continue
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            continue
        if len(blob) != 68 or blob[:4] != wanted:
            continue
        try:
            public.verify(blob[4:], body.encode())
        except InvalidSignature:
            raise BadCheckpointError("the signature does not verify") from None
        if len(head) != 32:
            raise BadCheckpointError("the note's head is not a SHA-256 hash")
        return int(lines[1]), head
    raise BadCheckpointError(f"no signature by key {key_id(public)}")
