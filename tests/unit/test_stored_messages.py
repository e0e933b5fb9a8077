"""A message kept in a text column (a suspension's reason, a timeline note) is stored as its msgid
and parameters, nested messages included, and read back in each reader's language; a column
written before messages were data, or typed by a user, reads as written."""

from __future__ import annotations

from shokei.errors import N_, Text, from_stored, stored, stored_english
from shokei.web import i18n


def test_a_stored_message_reads_in_each_language() -> None:
    rule = Text(N_("certification revoked: %(reason)s"), {"reason": "監査で不備"})
    note = Text("%(trigger)s — %(rules)s", {"trigger": Text(N_("documents released")), "rules": (rule, rule)})
    kept = stored(note)
    assert from_stored(kept) == note
    assert (
        stored_english(kept)
        == "documents released — certification revoked: 監査で不備; certification revoked: 監査で不備"
    )
    with i18n.activate("ja"):
        japanese = from_stored(kept).render(i18n.gettext)
    assert japanese.startswith("文書を引き渡しました — ")
    assert "documents" not in japanese


def test_free_text_reads_as_written() -> None:
    for typed in ("工場閉鎖のため", "documents released", '{"msgid": broken', ""):
        assert stored(typed) == typed
        assert stored_english(typed) == typed
        with i18n.activate("ja"):
            assert from_stored(typed).render(i18n.gettext) == typed
    assert stored_english(None) is None
