"""The composition root: the one place that builds engines, ports and the unit of work, and the
vaults, keys and scratch space the use cases are handed (adapters take them from `Shokei`)."""

from __future__ import annotations

import os
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from shokei.accounts import services as accounts
from shokei.clock import Clock
from shokei.db import make_engine
from shokei.errors import N_, ShokeiError, Text
from shokei.kernel import Role
from shokei.kernel.unit_of_work import UnitOfWork
from shokei.manifest import wire
from shokei.migrate import current_revision, head_revision, upgrade_to_head
from shokei.settings import Settings, load_settings

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from shokei.documents.vault import KeyringSealer, Vault

# The vaults, the scratch area and the web session key are imported where they are first used:
# a command that only reads the database (`shokei case show`) needs none of them.

ADMIN_USERNAME = "admin"
COPY_CODE_KEY_BYTES = 32


@dataclass(frozen=True, slots=True)
class Vaults:
    documents: Vault
    copies: Vault  # issued hand-over copies, apart from the documents, same master keys


@dataclass
class Shokei:
    settings: Settings
    uow: UnitOfWork

    @property
    def vaults(self) -> Vaults:
        """The document and copies vaults under the master keyring, loaded once and loaded again
        only when the key files change: a `shokei vault rotate-master-key` run beside a serving
        process must not leave it wrapping under a retired key or unable to unwrap with the new one."""
        stamp = _keys_stamp(self.settings.keys_dir)
        with self._lock:
            cached = self._keyed
            if stamp is not None and cached is not None and cached[0] == stamp:
                return cached[1]
            from shokei.documents.vault import FilesystemVault, MasterKeyring  # noqa: PLC0415 - see the imports

            # A missing or unreadable key raises here, in the request or command that needs it.
            keyring = MasterKeyring.from_directory(self.settings.keys_dir)
            vaults = Vaults(
                FilesystemVault(self.settings.vault_dir, keyring),
                _copies_vault(self.settings, keys=True),
            )
            self._keyed = (stamp, vaults) if stamp is not None else None
            first, self._swept = not self._swept, True
        if first:  # the first use of the vault in this process: a start
            self.sweep_leftovers()
        return vaults

    @property
    def sealer(self) -> KeyringSealer:
        """Seals small secrets (accounts' TOTP seeds) under the vault's master keys, read at each
        use so a rotation beside a serving process seals under the new key at once."""
        from shokei.documents.vault import KeyringSealer, MasterKeyring  # noqa: PLC0415 - see the imports

        return KeyringSealer(MasterKeyring.from_directory(self.settings.keys_dir))

    @cached_property
    def keyless_vaults(self) -> Vaults:
        """The same vaults without keys, for fixity checks that must run where no key is readable."""
        from shokei.documents.vault import FilesystemVault  # noqa: PLC0415 - see the imports

        return Vaults(
            FilesystemVault(self.settings.vault_dir, None),
            _copies_vault(self.settings, keys=False),
        )

    def vault(self, *, keys: bool = True) -> Vault:
        """The document vault; `keys=False` for key-less fixity checks (no master key loaded).
        Adapters use `vaults`/`keyless_vaults`; this short form serves tests and scripts."""
        return (self.vaults if keys else self.keyless_vaults).documents

    @cached_property
    def handover_signing_key(self) -> Ed25519PrivateKey:
        """The key signing hand-over copy manifests (created on first use)."""
        return _signing_key(self.settings)

    @cached_property
    def copy_code_key(self) -> bytes:
        """The key authenticating copies' 2D codes (`shokei init` makes it; else made on first use)."""
        ensure_copy_code_key(self.settings.copy_code_key_path)
        key = bytes.fromhex(self.settings.copy_code_key_path.read_text(encoding="ascii").strip())
        if len(key) < COPY_CODE_KEY_BYTES:
            raise ValueError(f"the copy code key {self.settings.copy_code_key_path} is too short")
        return key

    @cached_property
    def scratch_dir(self) -> Path:
        """This process's owner-only scratch folder (`documents.scratch`): made on first use, after
        removing what dead processes left under `<data_dir>/scratch`."""
        from shokei.documents.scratch import area_for  # noqa: PLC0415 - see the imports

        return area_for(self.settings.scratch_root).path

    def sweep_leftovers(self) -> None:
        """What a start (serve, the worker, a command taking the vault) removes: dead processes'
        scratch and the vaults' temp files of dead writes. Idempotent; cheap when nothing is left."""
        self.scratch_dir  # noqa: B018 - making this process's area sweeps dead ones
        for vault in (self.keyless_vaults.documents, self.keyless_vaults.copies):
            vault.remove_stale_temp_files()

    # The keyed vaults and the key files' stamp they were loaded at; request threads share them.
    _keyed: tuple[tuple[object, ...], Vaults] | None = field(default=None, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False, compare=False)
    _swept: bool = field(default=False, init=False, repr=False)


def _copies_vault(settings: Settings, *, keys: bool) -> Vault:
    # Succession places its copies vault. Imported here, when first needed, and from the module
    # that places it, not the feature's services: every command taking the vault (`docs submit`)
    # would otherwise load the whole succession stack, SciPy's optimiser included (≈ 0.6 s).
    from shokei.succession.common import copies_vault  # noqa: PLC0415 - see above

    return copies_vault(settings.data_dir, settings.keys_dir, keys=keys)


def _signing_key(settings: Settings) -> Ed25519PrivateKey:
    from shokei.succession.common import signing_key  # noqa: PLC0415 - as in _copies_vault

    return signing_key(settings.keys_dir)


def _keys_stamp(keys_dir: Path) -> tuple[object, ...] | None:
    """What changes when a master key file is replaced, added, removed or has its mode changed
    (ctime moves on each); None when `master.key` cannot be read (nothing is cached then)."""
    from shokei.documents.vault.crypto import CURRENT_KEY_FILE  # noqa: PLC0415 - see the imports

    try:
        current = (keys_dir / CURRENT_KEY_FILE).stat()
        retired = sorted((path.name, path.stat().st_ctime_ns) for path in keys_dir.glob("master-*.key"))
    except OSError:
        return None
    return (current.st_ino, current.st_ctime_ns, current.st_mode, tuple(retired))


def build(settings: Settings | None = None, clock: Clock | None = None) -> Shokei:
    settings = settings or load_settings()
    engine = make_engine(settings.resolved_database_url)
    bus = wire()  # the handlers, and every table before the first flush
    # The ledger's keys and policy are read when the first entry is appended, so a command that
    # only reads never loads the ledger's code. Where the signing key does not exist yet (`shokei
    # init` makes it), they are read now, as the process started: entries appended before the
    # key existed are not signed by a key made later in the same process.
    read_ledger, lazily = _ledger_reader(settings), settings.ledger_key_path.exists()
    uow = UnitOfWork(
        engine,
        clock,
        bus=bus,
        ledger=None if lazily else read_ledger(),
        ledger_source=read_ledger if lazily else None,
    )
    return Shokei(settings=settings, uow=uow)


def _ledger_reader(settings: Settings) -> Callable[[], object]:
    def configured() -> object:
        from shokei.audit import services as audit  # noqa: PLC0415 - see build()

        return audit.configured_ledger(settings)

    return configured


class NotInitialised(ShokeiError):
    exit_code = 2
    title = "Not initialised"


class UnsafeDataDir(ShokeiError):
    exit_code = 2
    title = "Unsafe data directory"


def secure_data_dir(app: Shokei) -> None:
    """The data dir holds the database (every document's extracted text, password and token
    hashes), the vault and, by default, the keys: owner-only (0700), its SQLite files 0600. A
    wider mode is tightened, or refused with what to do when it cannot be (another owner)."""
    directory = app.settings.data_dir
    if directory.exists():
        _tighten(directory, 0o700)
    url = app.uow.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        database = Path(url.database)
        if not database.exists() and database.parent.is_dir():
            os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))  # before SQLite makes it 0644
        for path in (database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}-journal")):
            if path.exists():
                _tighten(path, 0o600)


def _tighten(path: Path, mode: int) -> None:
    current = path.stat().st_mode & 0o777
    if current & ~mode == 0:
        return
    try:
        os.chmod(path, mode)
    except PermissionError:
        raise UnsafeDataDir(
            Text(
                N_(
                    "%(path)s is open to other users (mode %(mode)s) and cannot be narrowed: "
                    "run chmod %(want)s on it as its owner."
                ),
                {"path": str(path), "mode": f"{current:04o}", "want": f"{mode:o}"},
            )
        ) from None


def ensure_ready(app: Shokei) -> None:
    """Refuse to run against a database that `shokei init` has not brought to the current schema,
    or a data dir open to other users that cannot be narrowed."""
    secure_data_dir(app)
    engine = app.uow.engine
    if current_revision(engine) != head_revision(engine):
        raise NotInitialised(
            Text(
                N_("the database at %(render_as_string)s is not at the current schema: run `shokei init`"),
                {"render_as_string": engine.url.render_as_string(hide_password=True)},
            )
        )


def write_secret_file(path: Path, content: bytes) -> None:
    """Create a key file readable by the owner only; never overwrite an existing key."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, content)
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_copy_code_key(path: Path) -> bool:
    """Create the 2D code's HMAC key if it is missing (owner-only); True when it was created."""
    try:
        write_secret_file(path, secrets.token_hex(COPY_CODE_KEY_BYTES).encode("ascii"))
    except FileExistsError:
        return False
    return True


@dataclass
class InitReport:
    created: list[str] = field(default_factory=list)
    admin_password: str | None = None
    admin_otpauth: str | None = None  # the admin's TOTP secret for an authenticator app

    @property
    def changed(self) -> bool:
        return bool(self.created)


def initialise(app: Shokei) -> InitReport:
    """Create the data dir, keys, schema and the admin user: whatever is missing, nothing else."""
    from shokei.documents.vault import create_master_key  # noqa: PLC0415 - see the imports
    from shokei.web.secret import ensure_session_key, session_key_path  # noqa: PLC0415 - as above

    settings, report = app.settings, InitReport()
    if not settings.data_dir.exists():
        settings.data_dir.mkdir(parents=True, mode=0o700)
        report.created.append(f"data directory {settings.data_dir}")
    secure_data_dir(app)
    if settings.keys_home is not None:  # SHOKEI_KEYS_DIR: keys apart from the data dir
        settings.keys_home.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.keys_dir.mkdir(mode=0o700, exist_ok=True)
    settings.ledger_keys_dir.mkdir(mode=0o700, exist_ok=True)
    if not settings.master_key_path.exists():
        key_id = create_master_key(settings.master_key_path)
        report.created.append(f"vault master key {settings.master_key_path} (id {key_id})")
    if not settings.ledger_key_path.exists():
        # The ledger signing key lives apart from the vault master key: different custodians.
        from shokei.audit.notes import generate_signer  # noqa: PLC0415 - only `shokei init` makes the key

        signer, verifier = generate_signer(settings.ledger_key_name)
        write_secret_file(settings.ledger_key_path, signer.encode())
        settings.ledger_verifier_path.write_text(verifier + "\n", encoding="utf-8")
        report.created.append(f"ledger signing key {settings.ledger_key_path}")
    if ensure_copy_code_key(settings.copy_code_key_path):
        report.created.append(f"copy code key {settings.copy_code_key_path}")
    if ensure_session_key(settings):
        report.created.append(f"web session key {session_key_path(settings)}")
    engine = app.uow.engine
    before = current_revision(engine)
    upgrade_to_head(engine)
    if current_revision(engine) != before:
        report.created.append(f"database schema {before or 'empty'} -> {current_revision(engine)}")
    if not accounts.user_exists(app.uow, ADMIN_USERNAME):
        credential = accounts.add_user(app.uow, None, ADMIN_USERNAME, Role.ADMIN.value)
        report.created.append(f"user {ADMIN_USERNAME}")
        report.admin_password = credential.secret
        # A ministry account logs in to the web with a second factor (SHOKEI_WEB_MFA_REQUIRED).
        report.admin_otpauth = accounts.enroll_mfa(app.uow, None, ADMIN_USERNAME, app.sealer)
    return report
