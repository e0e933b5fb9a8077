#!/usr/bin/env bash
# Bring both translation catalogues up to date with the texts in the pages:
# new texts are added (empty, to be translated), texts no longer used are dropped.
# tests/web/test_catalogues.py fails until every text has a Japanese and an English translation.
# No compile step: the application reads the .po files directly (shokei.web.i18n).
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel=.venv/bin/pybabel
# The CLI's help texts (docstrings and help=) are not N_ calls: a generated module marks them.
PYTHONPATH=src .venv/bin/python scripts/cli-help-messages.py
template=$(mktemp --suffix=.pot)
trap 'rm -f "$template"' EXIT
"$pybabel" extract -F scripts/babel.cfg -k N_ --no-location --sort-output \
  --project shokei -o "$template" . 2>/dev/null
for language in ja en; do
  "$pybabel" update -i "$template" -d src/shokei/web/locale -l "$language" \
    --no-fuzzy-matching --ignore-obsolete >/dev/null 2>&1
done
.venv/bin/python - <<'PY'
from babel.messages.pofile import read_po
for language in ("ja", "en"):
    with open(f"src/shokei/web/locale/{language}/LC_MESSAGES/messages.po", "rb") as source:
        catalogue = read_po(source, locale=language)
    todo = [m.id for m in catalogue if m.id and (not all(m.string) if isinstance(m.string, tuple) else not m.string)]
    print(f"{language}: {len(catalogue)} messages, {len(todo)} to translate")
    for msgid in todo:
        print("   ", msgid)
PY
