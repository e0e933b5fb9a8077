"""Signed notes and checkpoints against the Go reference vectors and a live sum.golang.org note."""

from __future__ import annotations

import base64

import pytest

from shokei.audit.notes import (
    Checkpoint,
    KeyFormatError,
    NoteSigner,
    NoteVerificationError,
    NoteVerifier,
    checkpoint_body,
    generate_signer,
    key_id,
    open_note,
    open_signed_note,
    parse_checkpoint,
    sign_checkpoint,
    sign_note,
    signer_key_text,
    verifier_key_text,
)
from shokei.web import i18n

# golang.org/x/mod sumdb/note/note_test.go (golang/mod): TestNewVerifier, TestSign, TestOpen.
PETER_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
PETER_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
ENOCH_VKEY = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
PETER_SIG = (
    "\u2014 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)
ENOCH_SIG = (
    "\u2014 EnochRoot "
    "rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n"
)
PETER_NOTE = TEXT + "\n" + PETER_SIG

# A live checkpoint of the Go checksum database, quoted from a sum.golang.org /lookup response
# in sigsum-go's release-tag proposal; its key is the one pinned in the Go toolchain
# (golang/go src/cmd/go/internal/modfetch/key.go).
SUMDB_VKEY = "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8"
SUMDB_NOTE = (
    "go.sum database tree\n"
    "49189689\n"
    "ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=\n"
    "\n"
    "\u2014 sum.golang.org "
    "Az3grlKZssqRoMNPpZfKt0TphbbcF+pzXqElURJKRNFKfaUAgqeI5k2AORH0QAhg/ebRwyIqD/OqP4oLtLnNumvOBAM=\n"
)


def _public_key_of(vkey: str) -> bytes:
    return base64.b64decode(vkey.split("+", 2)[2])[1:]


# --- Keys --------------------------------------------------------------------------------
def test_key_id_matches_the_go_vector() -> None:
    assert key_id("PeterNeumann", _public_key_of(PETER_VKEY)).hex() == "c74f20a3"
    assert key_id("EnochRoot", _public_key_of(ENOCH_VKEY)).hex() == "af0cfe78"


def test_signer_key_parses_and_derives_the_published_verifier_key() -> None:
    signer = NoteSigner.parse(PETER_SKEY)
    assert (signer.name, signer.key_id.hex()) == ("PeterNeumann", "c74f20a3")
    assert signer.verifier_key_text == PETER_VKEY
    assert signer_key_text(signer.name, signer.private_key) == PETER_SKEY
    assert verifier_key_text("PeterNeumann", _public_key_of(PETER_VKEY)) == PETER_VKEY


def test_verifier_key_parses() -> None:
    verifier = NoteVerifier.parse(PETER_VKEY)
    assert (verifier.name, verifier.key_id.hex()) == ("PeterNeumann", "c74f20a3")


@pytest.mark.parametrize("key", [PETER_VKEY, PETER_SKEY])
def test_every_mangled_key_is_refused(key: str) -> None:
    # Same manglings as Go's TestNewVerifier/TestNewSigner: every proper substring and
    # every single-byte increment.
    parse = NoteSigner.parse if key.startswith("PRIVATE") else NoteVerifier.parse
    substrings = [key[i:j] for i in range(len(key)) for j in range(i + 1, len(key) + 1)]
    increments = [key[:i] + chr(ord(key[i]) + 1) + key[i + 1 :] for i in range(len(key))]
    accepted = []
    for candidate in [*substrings, *increments]:
        if candidate == key:
            continue
        try:
            parse(candidate)
        except KeyFormatError:
            continue
        accepted.append(candidate)
    assert accepted == []


@pytest.mark.parametrize(
    "key",
    [
        # Go's two adjusted-hash cases: wrong key length, unknown algorithm.
        "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==",
        "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
    ],
)
def test_wrong_length_or_algorithm_is_refused_even_with_a_matching_id(key: str) -> None:
    with pytest.raises(KeyFormatError):
        NoteVerifier.parse(key)


def test_generated_keys_are_a_matching_pair() -> None:
    signer_text, verifier_text = generate_signer("shokei.example/audit")
    assert verifier_text.startswith("shokei.example/audit+")
    assert NoteSigner.parse(signer_text).verifier_key_text == verifier_text
    note = sign_note(TEXT, "shokei.example/audit", NoteSigner.parse(signer_text).private_key)
    assert open_signed_note(note, verifier_text) == TEXT


# --- Signing and opening the Go note ------------------------------------------------------
def test_our_signature_equals_the_published_one() -> None:
    # Ed25519 is deterministic (RFC 8032): same key and text, same bytes.
    assert sign_note(TEXT, "PeterNeumann", NoteSigner.parse(PETER_SKEY).private_key) == PETER_NOTE


def test_published_note_opens() -> None:
    assert open_signed_note(PETER_NOTE, PETER_VKEY) == TEXT


def test_other_signers_lines_are_ignored_and_each_key_finds_its_own() -> None:
    note = TEXT + "\n" + PETER_SIG + ENOCH_SIG
    assert open_signed_note(note, PETER_VKEY) == TEXT
    assert open_signed_note(note, ENOCH_VKEY) == TEXT


def test_a_note_without_our_signature_is_refused() -> None:
    with pytest.raises(NoteVerificationError, match="no signature by key EnochRoot"):
        open_signed_note(PETER_NOTE, ENOCH_VKEY)


def test_a_refusal_says_why_in_either_language() -> None:
    with pytest.raises(NoteVerificationError) as refused:
        open_signed_note(PETER_NOTE, ENOCH_VKEY)
    assert str(refused.value) == "note has no signature by key EnochRoot+af0cfe78"
    with i18n.activate("ja"):
        assert refused.value.text.render(i18n.gettext) == "鍵EnochRoot+af0cfe78による署名がありません"


@pytest.mark.parametrize("position", [0, 17, len(TEXT) - 2])
def test_one_bit_changed_in_the_text_fails(position: int) -> None:
    flipped = TEXT[:position] + chr(ord(TEXT[position]) ^ 1) + TEXT[position + 1 :]
    with pytest.raises(NoteVerificationError, match="invalid signature"):
        open_signed_note(flipped + "\n" + PETER_SIG, PETER_VKEY)


@pytest.mark.parametrize("bit", [0, 100, 511])
def test_one_bit_changed_in_the_signature_fails(bit: int) -> None:
    blob = bytearray(base64.b64decode(PETER_SIG.split(" ")[2]))
    blob[4 + bit // 8] ^= 1 << (bit % 8)  # after the 4-byte key id
    line = f"\u2014 PeterNeumann {base64.b64encode(bytes(blob)).decode()}\n"
    with pytest.raises(NoteVerificationError, match="invalid signature"):
        open_signed_note(TEXT + "\n" + line, PETER_VKEY)


def test_a_forged_line_under_our_key_fails_even_beside_a_good_one() -> None:
    bad = PETER_SIG[:60] + "ABCD" + PETER_SIG[60:]  # Go's "Invalid signature" case
    with pytest.raises(NoteVerificationError):
        open_signed_note(TEXT + "\n" + PETER_SIG + bad, PETER_VKEY)


@pytest.mark.parametrize(
    "message",
    [
        # Go's TestOpen "Invalid encoded message syntax" table.
        TEXT,
        TEXT + "\n",
        TEXT + "\n" + PETER_SIG[:-1],
        "\x01" + TEXT + "\n" + PETER_SIG,
        TEXT + "\n" + PETER_SIG.replace("PeterNeumann", "Bad Name").removesuffix("\n"),
        TEXT + "\n" + PETER_SIG + "Unexpected line.\n",
        TEXT + "\n" + PETER_SIG * 101,  # more signatures than any verifier should read
        "\ud800" + TEXT + "\n" + PETER_SIG,  # not encodable as UTF-8
    ],
)
def test_malformed_notes_are_refused(message: str) -> None:
    with pytest.raises(NoteVerificationError, match="malformed"):
        open_signed_note(message, PETER_VKEY)


def test_an_unusable_verifier_key_is_a_verification_error() -> None:
    with pytest.raises(NoteVerificationError, match="verifier key"):
        open_signed_note(PETER_NOTE, "PeterNeumann+c74f20a3")


def test_signing_refuses_text_without_a_final_newline() -> None:
    with pytest.raises(ValueError, match="newline"):
        sign_note("abc", "PeterNeumann", NoteSigner.parse(PETER_SKEY).private_key)


# --- Checkpoints -------------------------------------------------------------------------
def test_a_live_sum_golang_org_checkpoint_opens() -> None:
    checkpoint = open_note(SUMDB_NOTE, SUMDB_VKEY)
    assert checkpoint.origin == "go.sum database tree"
    assert checkpoint.size == 49189689
    assert base64.b64encode(checkpoint.root).decode() == ("ftjbAOzaupaIvaPo/G+Dk63nxOZ2s1OPOKIaPtXs7S4=")


def test_a_live_checkpoint_with_its_size_changed_fails() -> None:
    with pytest.raises(NoteVerificationError, match="invalid signature"):
        open_note(SUMDB_NOTE.replace("49189689", "49189690"), SUMDB_VKEY)


def test_checkpoint_body_is_the_c2sp_text() -> None:
    assert checkpoint_body("shokei.example/audit", 42, bytes(32)) == (
        "shokei.example/audit\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
    )


def test_a_signed_checkpoint_round_trips() -> None:
    signer_text, verifier_text = generate_signer("shokei.example/audit")
    root = bytes(range(32))
    note = sign_checkpoint(signer_text, "shokei.example/audit", 7, root)
    assert open_note(note, verifier_text) == Checkpoint("shokei.example/audit", 7, root)


def test_a_note_that_is_not_a_checkpoint_is_refused() -> None:
    with pytest.raises(NoteVerificationError, match="malformed checkpoint"):
        open_note(PETER_NOTE, PETER_VKEY)


@pytest.mark.parametrize(
    "body",
    [
        "origin\n42\n",  # no root line
        "\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # empty origin
        "origin\n042\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",  # leading zero
        "origin\n-1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
        "origin\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==\n",  # 31 bytes
        "origin\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB=\n",  # non-canonical base64
        "origin\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n\nextension\n",
    ],
)
def test_malformed_checkpoint_text_is_refused(body: str) -> None:
    with pytest.raises(NoteVerificationError, match="malformed checkpoint"):
        parse_checkpoint(body)


def test_checkpoint_extension_lines_are_kept() -> None:
    body = "origin\n42\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nrekor-id 7\n"
    assert parse_checkpoint(body).extensions == ("rekor-id 7",)


@pytest.mark.parametrize(
    ("origin", "size", "root"),
    [("", 1, bytes(32)), ("two\nlines", 1, bytes(32)), ("o", -1, bytes(32)), ("o", 1, b"x")],
)
def test_checkpoint_body_refuses_bad_fields(origin: str, size: int, root: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - each field has its own message
        checkpoint_body(origin, size, root)
