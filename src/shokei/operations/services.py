"""Backup and restore of a whole installation (`shokei backup`, `shokei restore`).

A backup is a directory:

    MANIFEST.json    what is in it: counts, the database backend, and the SHA-256 of every file
    MANIFEST.sig     a signed note (the ledger's signing key) over the manifest's SHA-256
    ledger.vkey      the ledger's public verifier key (public; check it against your own copy)
    database/        the snapshot (`snapshot`): shokei.db (SQLite) or shokei.dump (pg_dump -Fc)
    vault/, copies/  the ciphertext of every blob the snapshot's rows refer to, as stored
    keys.enc         only with --include-keys: the key files wrapped under a passphrase (`keys`)

Order: the database first, then the blobs it refers to (see `snapshot`); the recovery point is
the moment of the snapshot. Without --include-keys a backup holds ciphertext only: keep the key
backup apart (other media, other custodian). Restore goes into an empty place only, checks the
signature and every hash before writing anything, then runs `vault fsck --deep` and `audit verify`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from shokei.audit import services as audit
from shokei.audit.notes import NoteVerificationError, open_signed_note
from shokei.bootstrap import Shokei, Vaults
from shokei.documents import services as documents
from shokei.documents.schemas import GcReport
from shokei.documents.services import FsckProblem, FsckReport
from shokei.errors import N_, BadInput, IntegrityFailure, Text
from shokei.kernel import Actor, Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.migrate import upgrade_to_head
from shokei.operations import keys, roles, snapshot
from shokei.settings import Settings
from shokei.succession import services as succession

FORMAT = "shokei-backup/1"
MANIFEST, SIGNATURE, VERIFIER, KEYS = "MANIFEST.json", "MANIFEST.sig", "ledger.vkey", "keys.enc"
_BODY_LABEL = "shokei backup manifest sha256"
# Restore checks the restored installation as this auditor (no user exists to act as yet).
RESTORE_ACTOR = Actor(0, "shokei-restore", Role.AUDITOR)
DEFAULT_GRACE_HOURS = documents.DEFAULT_GRACE_HOURS


@dataclass(frozen=True, slots=True)
class BackupReport:
    manifest: str
    documents: int
    ledger_size: int


@dataclass(frozen=True, slots=True)
class RestoreReport:
    fsck_ok: bool
    verify_ok: bool
    documents: int
    ledger_size: int
    problems: list[str]


def backup(app: Shokei, destination: Path, *, passphrase: str | None = None) -> BackupReport:
    """Write a signed, consistent backup to `destination` (new or empty); keys only when a
    `passphrase` is given, wrapped under it. The run is recorded in the ledger."""
    ledger = audit.configured_ledger(app.settings)
    signer, verifier = ledger.signer, ledger.verifier_key
    if signer is None or verifier is None:
        raise audit.SigningKeyUnavailable(
            Text(N_("the backup manifest is signed with the ledger key: run `shokei init`"))
        )
    _require_empty(destination)
    destination.mkdir(mode=0o700, parents=True, exist_ok=True)
    (destination / "database").mkdir(mode=0o700)
    engine = app.uow.engine
    if engine.dialect.name == "sqlite":
        database_file = "database/shokei.db"
        taken = snapshot.sqlite_backup(engine, destination / database_file)
    else:
        database_file = "database/shokei.dump"
        taken = snapshot.postgres_backup(engine, destination / database_file)
    vaults, data_dir = app.keyless_vaults, app.settings.data_dir
    for place, vault, root, blob_ids in (
        ("vault", vaults.documents, app.settings.vault_dir, taken.document_blobs),
        ("copies", vaults.copies, data_dir / "copies", taken.copy_blobs),
    ):
        for blob_id in blob_ids:
            stored = vault.blob_path(blob_id)
            _copy_private(stored, destination / place / stored.relative_to(root))
    _write_private(destination / VERIFIER, (verifier + "\n").encode())
    if passphrase is not None:
        _write_private(destination / KEYS, keys.wrap(keys.key_files(app.settings), passphrase))
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "database": {"backend": engine.dialect.name, "file": database_file},
        "documents": len(taken.document_blobs),
        "copies": len(taken.copy_blobs),
        "ledger_size": taken.ledger_size,
        "keys_included": passphrase is not None,
        "files": {name: _sha256(destination / name) for name in _files(destination)},
    }
    text = json.dumps(manifest, indent=2, sort_keys=True).encode()
    _write_private(destination / MANIFEST, text)
    _write_private(destination / SIGNATURE, signer.sign(_body(text)).encode())
    with app.uow.transaction():
        details = {
            "destination": str(destination),
            "manifest_sha256": hashlib.sha256(text).hexdigest(),
            "documents": manifest["documents"],
            "ledger_size": taken.ledger_size,
            "keys": passphrase is not None,
        }
        subject = hashlib.sha256(text).hexdigest()[:16]
        app.uow.record("operations:backup:make", "backup", subject, None, details=details)
    return BackupReport(str(destination / MANIFEST), len(taken.document_blobs), taken.ledger_size)


def read_manifest(source: Path, *, trusted_key: str | None = None) -> dict[str, object]:
    """The backup's manifest, once its signature and every file's hash have been checked."""
    try:
        text = (source / MANIFEST).read_bytes()
        note = (source / SIGNATURE).read_text(encoding="utf-8")
        verifier = trusted_key or (source / VERIFIER).read_text(encoding="utf-8").strip()
    except FileNotFoundError as error:
        raise BadInput(
            Text(N_("not a Shokei backup: %(filename)s is missing"), {"filename": error.filename})
        ) from None
    try:
        body = open_signed_note(note, verifier)
    except NoteVerificationError as error:
        raise IntegrityFailure(
            Text(N_("the backup's manifest signature does not verify: %(error)s"), {"error": error.text})
        ) from None
    if body != _body(text):
        raise IntegrityFailure(Text(N_("the backup's manifest is not the one that was signed")))
    manifest: dict[str, object] = json.loads(text)
    if manifest.get("format") != FORMAT:
        raise IntegrityFailure(
            Text(N_("unknown backup format %(get)s"), {"get": repr(manifest.get("format"))})
        )
    files = manifest["files"]
    assert isinstance(files, dict)
    present = set(_files(source)) - {MANIFEST, SIGNATURE}
    if present != set(files):
        raise IntegrityFailure(
            Text(
                N_("the backup's files differ from its manifest: %(value)s"),
                {"value": sorted(present ^ set(files))[:5]},
            )
        )
    for name, expected in files.items():
        if _sha256(source / name) != expected:
            raise IntegrityFailure(
                Text(N_("%(name)s in the backup does not match its recorded SHA-256"), {"name": name})
            )
    return manifest


def restore(
    settings: Settings, source: Path, *, passphrase: str | None, trusted_key: str | None = None
) -> dict[str, object]:
    """Put a checked backup into an empty data dir and database (keys from the backup when it
    has them and a passphrase is given; otherwise they must already be in place)."""
    manifest = read_manifest(source, trusted_key=trusted_key)
    if any(settings.vault_dir.glob("blobs/*")) or any((settings.data_dir / "copies").glob("blobs/*")):
        raise BadInput(
            Text(
                N_("the vault under %(data_dir)s holds blobs: restore only into an empty place"),
                {"data_dir": settings.data_dir},
            )
        )
    bundle = None
    if manifest["keys_included"]:
        if passphrase is None:
            raise BadInput(
                Text(N_("the backup holds wrapped keys: give the passphrase (SHOKEI_BACKUP_PASSPHRASE)"))
            )
        bundle = keys.unwrap((source / KEYS).read_bytes(), passphrase)
    settings.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    database = manifest["database"]
    assert isinstance(database, dict)
    url = settings.resolved_database_url
    if (database["backend"] == "sqlite") != url.startswith("sqlite"):
        raise BadInput(
            Text(
                N_("this backup is of a %(database)s database; SHOKEI_DATABASE_URL names another kind"),
                {"database": database["backend"]},
            )
        )
    if url.startswith("sqlite"):
        snapshot.sqlite_restore(source / database["file"], url)
    else:
        snapshot.postgres_restore(source / database["file"], url)
    places = {"vault": settings.vault_dir, "copies": settings.data_dir / "copies"}
    for name in manifest["files"]:  # type: ignore[attr-defined]
        place, _, rest = name.partition("/")
        if place in places:
            _copy_private(source / name, places[place] / rest)
    for name, content in (bundle or {}).items():
        target = keys.target_path(settings, name)
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _write_private(target, content)
    if not settings.ledger_verifier_path.exists():
        settings.ledger_verifier_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(source / VERIFIER, settings.ledger_verifier_path)
    return manifest


@dataclass(frozen=True, slots=True)
class VaultsCheck:
    """`vault fsck` of the installation: both vaults' blobs, and what dead processes left."""

    documents: FsckReport
    copies: FsckReport
    leftovers: list[FsckProblem]

    @property
    def ok(self) -> bool:
        return self.documents.ok and self.copies.ok and not self.leftovers


def check_vaults(
    uow: UnitOfWork, vaults: Vaults, actor: Actor, *, deep: bool, scratch_root: Path | None
) -> VaultsCheck:
    """Every blob of the documents' and the copies' vault against its recorded hash (deep: the
    plaintext too), orphan blobs, and (given `scratch_root`) dead scratch and temp files of dead
    writes. Admins and auditors; each vault's check is audited."""
    return VaultsCheck(
        documents=documents.check_vault(uow, vaults.documents, actor, deep=deep),
        copies=succession.check_copies(uow, vaults.copies, actor, deep=deep),
        leftovers=(
            documents.leftover_problems((vaults.documents, vaults.copies), scratch_root)
            if scratch_root is not None
            else []
        ),
    )


def collect_garbage(
    uow: UnitOfWork,
    actor: Actor,
    vaults: Vaults,
    *,
    scratch_root: Path,
    grace_hours: float = DEFAULT_GRACE_HOURS,
) -> GcReport:
    """`vault gc` of the installation: dead scratch, and the temp files of dead writes and the
    orphan blobs older than `grace_hours` of the documents' and the copies' vault (never a blob
    a document or copy row refers to). Admins and auditors; audited."""
    return documents.collect_garbage(
        uow,
        actor,
        vaults.documents,
        scratch_root=scratch_root,
        grace_hours=grace_hours,
        others=(succession.copies_holder(uow, vaults.copies),),
    )


@dataclass(frozen=True, slots=True)
class RolesReport:
    owner: str
    app: str
    statements: list[str]
    applied: bool


def database_roles(uow: UnitOfWork, *, owner: str, app: str, apply: bool) -> RolesReport:
    """The PostgreSQL statements that make `owner` own the database and its tables and give `app`
    the service's rights only (`roles`: no DDL; no UPDATE, DELETE or TRUNCATE on the ledger); with
    `apply`, run in one transaction together with their ledger entry. The database credentials
    are the authority (a role that may create roles and change owners, or the owner itself once
    the roles exist); it acts as no Shokei user."""
    roles.check_names(owner, app)
    if uow.engine.dialect.name != "postgresql":
        raise BadInput(
            Text(
                N_(
                    "database roles are PostgreSQL's: this installation uses %(dialect)s, "
                    "where the file's permissions are the only access control"
                ),
                {"dialect": uow.engine.dialect.name},
            )
        )
    with uow.transaction() as session:
        statements = roles.plan(roles.read_catalogue(session), owner, app, audit.LEDGER_TABLE_PRIVILEGES)
        if apply:
            for statement in statements:
                session.execute(text(statement))
            details = {"owner": owner, "app": app, "statements": len(statements)}
            uow.record("operations:roles:apply", "database", app, None, details=details)
    return RolesReport(owner, app, statements, apply)


def check_restored(app: Shokei) -> RestoreReport:
    """`audit verify` (first, before the checks add their own entries) and `vault fsck --deep`."""
    upgrade_to_head(app.uow.engine)  # a backup of an older version is brought to this one's schema
    verified = audit.verify_ledger(app.uow, RESTORE_ACTOR)
    checked = check_vaults(app.uow, app.vaults, RESTORE_ACTOR, deep=True, scratch_root=None)
    problems = [
        *verified.problems,
        *(p.detail for p in checked.documents.problems),
        *(p.detail for p in checked.copies.problems),
    ]
    return RestoreReport(
        fsck_ok=checked.ok,
        verify_ok=verified.ok,
        documents=checked.documents.checked,
        ledger_size=verified.size,
        problems=problems,
    )


def _require_empty(destination: Path) -> None:
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        raise BadInput(Text(N_("%(destination)s is not an empty directory"), {"destination": destination}))


def _files(root: Path) -> Iterable[str]:
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file())


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _body(manifest: bytes) -> str:
    return f"{_BODY_LABEL}\n{hashlib.sha256(manifest).hexdigest()}\n"


def _copy_private(source: Path, target: Path) -> None:
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    os.chmod(target, 0o600)


def _write_private(path: Path, content: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
