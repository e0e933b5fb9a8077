"""The shape of the code, held as tests: no import cycle (deferred and TYPE_CHECKING imports
count), no oversized module, cases imports nothing built on it, and no feature hands its
session to another's helper."""

from __future__ import annotations

import re
from pathlib import Path

from shokei.kernel import Permission
from shokei.kernel.audit_tags import AUDIT_TAG_NAMES, AUDIT_TAGS
from tests.architecture.import_graph import SOURCE, cycles, import_graph, module_files
from tests.architecture.session_calls import session_calls

MAX_MODULE_LINES = 500


def test_cycles_finds_a_cycle_through_a_deferred_import(tmp_path: Path) -> None:
    package = tmp_path / "shokei"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from shokei import b\n")
    (package / "b.py").write_text("def late():\n    from shokei.c import thing\n")
    (package / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import shokei.a\n"
    )
    (package / "d.py").write_text("from shokei import a\n")
    assert cycles(import_graph(tmp_path)) == [["shokei.a", "shokei.b", "shokei.c"]]


def test_no_module_imports_itself_back_through_others() -> None:
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in found)


def test_session_calls_finds_a_helper_taking_the_callers_session(tmp_path: Path) -> None:
    package = tmp_path / "shokei"
    for feature in ("a", "b"):
        (package / feature).mkdir(parents=True)
        (package / feature / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a" / "reading.py").write_text(
        "def rows(session, ids):\n    pass\n\ndef views(uow, ids):\n    pass\n"
    )
    (package / "a" / "services.py").write_text("from shokei.a.reading import rows, views\n")
    (package / "a" / "own.py").write_text("from shokei.a import reading\nreading.rows(None, [])\n")
    (package / "b" / "services.py").write_text(
        "from shokei.a import services as a\n"
        "def use(uow):\n    a.rows(uow.session, [])\n    a.views(uow, [])\n"
    )
    (package / "b" / "pages.py").write_text("from shokei.a.services import rows\nrows(None, [])\n")
    assert session_calls(tmp_path) == [
        "shokei.b.pages: shokei.a.reading.rows",
        "shokei.b.services: shokei.a.reading.rows",
    ]


def test_no_feature_hands_its_session_to_another_features_helper() -> None:
    """One unit of work, one signature: what other features call takes the `uow` (and joins the
    caller's transaction), never the caller's session."""
    found = session_calls()
    assert not found, "cross-feature calls of helpers taking a session:\n" + "\n".join(found)


def test_no_module_outgrows_itself() -> None:
    oversized = {
        name: lines
        for name, path in module_files().items()
        if "migrations" not in path.parts
        and (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not oversized, (
        f"modules over {MAX_MODULE_LINES} lines (split into a package of the same name): {oversized}"
    )


def test_cases_imports_nothing_built_on_it() -> None:
    above = ("shokei.examination", "shokei.purchase", "shokei.succession", "shokei.documents", "shokei.demo")
    graph = import_graph()
    reaching_up = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        if module.startswith("shokei.cases")
        for target in targets
        if target.startswith(above)
    )
    assert reaching_up == []
    assert (SOURCE / "shokei" / "cases" / "services" / "__init__.py").is_file()


def test_every_recorded_audit_tag_is_in_the_kernel_catalogue() -> None:
    permissions = {permission.value for permission in Permission}
    found: set[str] = set()
    for name, path in module_files().items():
        if name == "shokei.kernel.audit_tags":
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'"([a-z_]+:[a-z_]+:[a-z_]+)"', text)) - permissions
        # Tags built from a kind (case:offer:{kind}) are listed by each kind they take.
        found |= {
            f"case:offer:{kind}" for kind in ("offer", "counter", "agreement") if "case:offer:{kind}" in text
        }
    assert found - AUDIT_TAGS == set(), "tags recorded but not in shokei.kernel.audit_tags"
    assert AUDIT_TAGS - found == set(), "tags in the catalogue that nothing records"


def test_every_audit_tag_has_a_display_name() -> None:
    """The pages show a tag by its name in the reader's language (the names are catalogue
    msgids: tests/web/test_catalogues.py checks both translations)."""
    assert set(AUDIT_TAG_NAMES) == set(AUDIT_TAGS)
