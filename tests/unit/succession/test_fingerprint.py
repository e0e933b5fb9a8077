"""MinHash fingerprints: estimates close to the exact Jaccard similarity computed here by brute force."""

from __future__ import annotations

import unicodedata

import numpy as np
import pytest

from shokei.succession.fingerprint import SCHEME, TextFingerprint, fingerprint_text

KANA = "あいうえおかきくけこさしすせそたちつてとなにぬねのはひふへほまみむめもやゆよらりるれろわをん"


def _random_text(seed: int, length: int) -> str:
    generator = np.random.default_rng(seed)
    return "".join(KANA[index] for index in generator.integers(0, len(KANA), length))


def _exact_jaccard(left: str, right: str) -> float:
    def shingles(text: str) -> set[str]:
        folded = "".join(unicodedata.normalize("NFKC", text).casefold().split())
        return {folded[i : i + 5] for i in range(len(folded) - 4)}

    a, b = shingles(left), shingles(right)
    return len(a & b) / len(a | b)


def _fingerprint(text: str) -> TextFingerprint:
    fingerprint = fingerprint_text(text)
    assert fingerprint is not None
    return fingerprint


@pytest.mark.parametrize("shared", [0, 500, 1000, 1500, 2000])
def test_estimate_is_close_to_the_exact_jaccard_similarity(shared: int) -> None:
    common = _random_text(1, shared)
    left = common + _random_text(2, 2000 - shared)
    right = common + _random_text(3, 2000 - shared)
    estimate = _fingerprint(left).similarity(_fingerprint(right))
    # 128 values: standard error at most 0.045, so 0.15 is more than three of them.
    assert estimate == pytest.approx(_exact_jaccard(left, right), abs=0.15)


def test_width_case_and_spacing_do_not_matter() -> None:
    text = "高周波アンテナ整合回路の調整手順 ＲＦ ｍａｔｃｈｉｎｇ network for the ANTENNA array, rev. B"
    respaced = "高周波アンテナ整合回路の\n調整手順 RF matching   network for the antenna\narray, rev. b"
    assert _fingerprint(text).similarity(_fingerprint(respaced)) == 1.0


def test_stamp_lines_are_not_part_of_the_fingerprint() -> None:
    body = _random_text(4, 600)
    stamped = (
        body[:300]
        + "\nCopy ID: SK-A-0001 | Recipient: corporate no. 8010401050387 | Issued: 2026-06-01\n"
        + "貸与先: 承継電子株式会社（法人番号 8010401050387） 複製番号 SK-A-0001\nSHOKEI-COPY:SK-A-0001\n"
        + body[300:]
    )
    assert _fingerprint(stamped).values == _fingerprint(body[:300] + "\n" + body[300:]).values


def test_storage_round_trip_and_schemes() -> None:
    fingerprint = _fingerprint(_random_text(5, 300))
    stored = fingerprint.to_bytes()
    assert len(stored) == 1024
    assert TextFingerprint.from_bytes(stored) == fingerprint
    assert fingerprint.scheme == SCHEME
    other_scheme = TextFingerprint("minhash-char3-128-v0", fingerprint.values)
    assert fingerprint.similarity(other_scheme) == 0.0


def test_too_little_text_has_no_fingerprint() -> None:
    assert fingerprint_text("") is None
    assert fingerprint_text("短い") is None
