"""Encryption at rest: the data folder's key, its keyring, and AES-256-GCM for files.

One random 256-bit folder key encrypts everything: the database through SQLCipher (a raw key, so SQLCipher's
own slow key derivation is not run for every connection) and every blob and cached image with AES-256-GCM.
The folder key itself is never written in clear: `keyring.json` holds it twice, wrapped (AES-GCM) once under a
key derived from the inspector's passphrase (scrypt, memory-hard) and once under the recovery key printed at
set-up. Unlocking derives the wrapping key, unwraps the folder key, and keeps it in memory only.

Files are sealed in pieces of 1 MiB so a large photo is never held whole: each piece has its own nonce (a random
prefix for the file and the piece's number) and its own tag, and the last piece is marked as last and bound to
the blob's name, so a file cut short, pieces swapped between files, or one blob's bytes put under another's
name all fail to open instead of reading as something else.
"""

from __future__ import annotations

import base64
import hmac
import json
import os
import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from inspector.errors import InspectorError

KEYRING_FILENAME = "keyring.json"
PASSPHRASE_ENV = "INSPECTOR_PASSPHRASE"  # noqa: S105  (the variable's name, not a secret)
KEYRING_VERSION = 1
MIN_PASSPHRASE_LENGTH = 8

# scrypt at 2^17 × 8 (128 MiB, about 0.3 s here): OWASP's floor for scrypt. Stored in the keyring, so it can be
# raised later without breaking older folders.
SCRYPT_N = 1 << 17
SCRYPT_R = 8
SCRYPT_P = 1

FILE_MAGIC = b"INSPENC1"
PIECE = 1 << 20
TAG = 16
_PREFIX = 7  # nonce: 7 random bytes per file + 4-byte piece number + 1-byte "last piece" flag
HEADER = len(FILE_MAGIC) + _PREFIX
_RECOVERY_BYTES = 20  # 160 bits: 32 base32 characters, typed in groups of four


class CryptoError(InspectorError):
    code = "crypto"


class WrongPassphraseError(CryptoError):
    code = "wrong_passphrase"


class LockedError(CryptoError):
    """The folder is encrypted and no passphrase was given (or it was locked again)."""

    code = "locked"


def _hkdf(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"inspector/" + purpose).derive(key)


class FolderKey:
    """The unwrapped folder key, in memory only; `forget()` drops it (lock)."""

    def __init__(self, raw: bytes) -> None:
        if len(raw) != 32:
            raise ValueError("a folder key is 32 bytes")
        self._raw: bytes | None = raw

    @property
    def raw(self) -> bytes:
        if self._raw is None:
            raise LockedError("The data folder is locked.", "数据已锁定，请输入口令解锁。")
        return self._raw

    def sqlcipher_key(self) -> str:
        """SQLCipher's raw-key form (x'…' in double quotes): no PBKDF2 per connection."""
        return f"x'{_hkdf(self.raw, b'sqlcipher').hex()}'"

    def file_cipher(self) -> FileCipher:
        return FileCipher(_hkdf(self.raw, b"files"))

    def forget(self) -> None:
        self._raw = None


class FileCipher:
    """AES-256-GCM over files in 1 MiB pieces (see the module docstring for the layout)."""

    def __init__(self, key: bytes) -> None:
        self._aead = AESGCM(key)

    def seal_stream(self, chunks: Iterable[bytes], out: BinaryIO, bind: Callable[[], bytes]) -> None:
        """Write the sealed form of the chunks; `bind()` is called after the last chunk and gives the bytes the
        last piece is bound to (a blob's name is its hash, known only at the end)."""
        prefix = os.urandom(_PREFIX)
        out.write(FILE_MAGIC + prefix)
        pending = bytearray()
        number = 0
        for chunk in chunks:
            pending += chunk
            # Keep at least one byte back: whether a piece is the last is known only when more data follows.
            while len(pending) > PIECE:
                out.write(self._seal_piece(prefix, number, bytes(pending[:PIECE]), last=False, bound=b""))
                del pending[:PIECE]
                number += 1
        out.write(self._seal_piece(prefix, number, bytes(pending), last=True, bound=bind()))

    def open_stream(self, source: BinaryIO, bound: bytes, *, label: str) -> Iterator[bytes]:
        """The plaintext pieces; a changed, cut, swapped or misnamed file raises CryptoError."""
        header = source.read(HEADER)
        if len(header) != HEADER or not header.startswith(FILE_MAGIC):
            raise _damaged(label)
        prefix = header[len(FILE_MAGIC) :]
        number = 0
        piece = source.read(PIECE + TAG)
        while True:
            following = source.read(PIECE + TAG)
            last = not following
            yield self._open_piece(prefix, number, piece, last=last, bound=bound if last else b"", label=label)
            if last:
                return
            piece = following
            number += 1

    def seal(self, data: bytes, bound: bytes) -> bytes:
        import io

        out = io.BytesIO()
        self.seal_stream([data], out, lambda: bound)
        return out.getvalue()

    def open(self, sealed: bytes, bound: bytes, *, label: str) -> bytes:
        import io

        return b"".join(self.open_stream(io.BytesIO(sealed), bound, label=label))

    def _seal_piece(self, prefix: bytes, number: int, data: bytes, *, last: bool, bound: bytes) -> bytes:
        nonce = prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        return self._aead.encrypt(nonce, data, FILE_MAGIC + bound)

    def _open_piece(self, prefix: bytes, number: int, piece: bytes, *, last: bool, bound: bytes, label: str) -> bytes:
        nonce = prefix + number.to_bytes(4, "big") + (b"\x01" if last else b"\x00")
        try:
            return self._aead.decrypt(nonce, piece, FILE_MAGIC + bound)
        except InvalidTag as exc:
            raise _damaged(label) from exc


def plain_size(sealed_size: int) -> int:
    """The plaintext size of a sealed file of `sealed_size` bytes (pieces are fixed-size but the last)."""
    body = sealed_size - HEADER
    if body < TAG:
        return 0
    pieces = -(-body // (PIECE + TAG))
    return body - pieces * TAG


def is_sealed(path: Path) -> bool:
    try:
        with path.open("rb") as fh:
            return fh.read(len(FILE_MAGIC)) == FILE_MAGIC
    except OSError:
        return False


def _damaged(label: str) -> CryptoError:
    return CryptoError(
        f"{label} cannot be decrypted: it was changed, cut short or belongs to another data folder.",
        f"文件无法解密（已被改动、不完整或不属于本数据文件夹）：{label}",
    )


# --- the keyring ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewKeyring:
    key: FolderKey
    recovery_key: str  # shown once, to be printed and kept apart from the laptop


def keyring_path(data_dir: Path) -> Path:
    return Path(data_dir) / KEYRING_FILENAME


def is_encrypted(data_dir: Path) -> bool:
    return keyring_path(data_dir).is_file()


def check_passphrase_strength(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise CryptoError(
            f"The passphrase must have at least {MIN_PASSPHRASE_LENGTH} characters.",
            f"口令至少需要 {MIN_PASSPHRASE_LENGTH} 个字符。",
            code="weak_passphrase",
        )


def create_keyring(data_dir: Path, passphrase: str, *, scrypt_n: int = SCRYPT_N) -> NewKeyring:
    """A new folder key, wrapped under the passphrase and under a new recovery key; refuses to replace one."""
    check_passphrase_strength(passphrase)
    path = keyring_path(data_dir)
    if path.exists():
        raise CryptoError(f"{path} exists already; the folder is encrypted.", "该数据文件夹已加密。")
    raw = secrets.token_bytes(32)
    recovery = secrets.token_bytes(_RECOVERY_BYTES)
    document = {
        "version": KEYRING_VERSION,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "passphrase": _wrap_with_passphrase(raw, passphrase, scrypt_n),
        "recovery": _wrap(raw, _recovery_kek(recovery, salt := os.urandom(16)), b"recovery") | {"salt": _b64(salt)},
        "check": _check_value(raw),
    }
    write_keyring(path, document)
    return NewKeyring(FolderKey(raw), format_recovery_key(recovery))


def unlock(data_dir: Path, passphrase: str) -> FolderKey:
    document = _read(data_dir)
    entry = document["passphrase"]
    kek = _scrypt(passphrase, _unb64(entry["salt"]), int(entry["n"]), int(entry["r"]), int(entry["p"]))
    raw = _unwrap(entry, kek, b"passphrase")
    if raw is None or not hmac.compare_digest(_check_value(raw), document["check"]):
        raise WrongPassphraseError("Wrong passphrase.", "口令不正确。")
    return FolderKey(raw)


def recover(data_dir: Path, recovery_key: str, new_passphrase: str) -> FolderKey:
    """Unlock with the recovery key and set a new passphrase (the recovery key stays valid)."""
    check_passphrase_strength(new_passphrase)
    document = _read(data_dir)
    entry = document["recovery"]
    raw = _unwrap(entry, _recovery_kek(parse_recovery_key(recovery_key), _unb64(entry["salt"])), b"recovery")
    if raw is None or not hmac.compare_digest(_check_value(raw), document["check"]):
        raise WrongPassphraseError("Wrong recovery key.", "恢复密钥不正确。", code="wrong_recovery_key")
    document["passphrase"] = _wrap_with_passphrase(raw, new_passphrase, int(document["passphrase"]["n"]))
    write_keyring(keyring_path(data_dir), document)
    return FolderKey(raw)


def change_passphrase(data_dir: Path, old: str, new: str) -> FolderKey:
    check_passphrase_strength(new)
    key = unlock(data_dir, old)
    document = _read(data_dir)
    document["passphrase"] = _wrap_with_passphrase(key.raw, new, int(document["passphrase"]["n"]))
    write_keyring(keyring_path(data_dir), document)
    return key


def format_recovery_key(raw: bytes) -> str:
    text = base64.b32encode(raw).decode().rstrip("=")
    return "-".join(text[i : i + 4] for i in range(0, len(text), 4))


def parse_recovery_key(text: str) -> bytes:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    cleaned = cleaned.replace("0", "O").replace("1", "I").replace("8", "B")  # misread characters of a printout
    try:
        raw = base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))
    except ValueError:
        raw = b""
    if len(raw) != _RECOVERY_BYTES:
        raise WrongPassphraseError(
            "A recovery key is 32 letters and digits in groups of four.",
            "恢复密钥格式不正确：应为 32 位字母和数字，每 4 位一组。",
            code="wrong_recovery_key",
        )
    return raw


def _wrap_with_passphrase(raw: bytes, passphrase: str, n: int) -> dict[str, Any]:
    salt = os.urandom(16)
    kek = _scrypt(passphrase, salt, n, SCRYPT_R, SCRYPT_P)
    return _wrap(raw, kek, b"passphrase") | {"kdf": "scrypt", "salt": _b64(salt), "n": n, "r": SCRYPT_R, "p": SCRYPT_P}


def _scrypt(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    import unicodedata

    # NFC: the same passphrase typed through different input methods gives the same bytes.
    secret = unicodedata.normalize("NFC", passphrase).encode()
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(secret)


def _recovery_kek(recovery: bytes, salt: bytes) -> bytes:
    # The recovery key is 160 random bits, so no slow derivation is needed.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"inspector/recovery").derive(recovery)


def _wrap(raw: bytes, kek: bytes, purpose: bytes) -> dict[str, Any]:
    nonce = os.urandom(12)
    return {"nonce": _b64(nonce), "wrapped": _b64(AESGCM(kek).encrypt(nonce, raw, b"inspector keyring " + purpose))}


def _unwrap(entry: dict[str, Any], kek: bytes, purpose: bytes) -> bytes | None:
    try:
        return AESGCM(kek).decrypt(_unb64(entry["nonce"]), _unb64(entry["wrapped"]), b"inspector keyring " + purpose)
    except InvalidTag:
        return None


def _check_value(raw: bytes) -> str:
    return _hkdf(raw, b"check").hex()[:16]


def _read(data_dir: Path) -> dict[str, Any]:
    path = keyring_path(data_dir)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if document.get("version") != KEYRING_VERSION:
            raise ValueError(f"keyring version {document.get('version')!r}")
        for part in ("passphrase", "recovery"):
            document[part]["wrapped"]
        return dict(document)
    except FileNotFoundError as exc:
        raise CryptoError(f"{path} is missing.", "找不到数据文件夹的密钥文件。") from exc
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CryptoError(
            f"{path} is damaged ({exc}); the data cannot be unlocked without it.",
            f"密钥文件已损坏：{path}。请联系管理员。",
        ) from exc


def write_keyring(path: Path, document: dict[str, Any]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(document, fh, indent=2)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    if os.name == "posix":
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _unb64(text: str) -> bytes:
    return base64.b64decode(text)
