# Two commands on a fresh machine: `make run` and `make test`. Both bootstrap .venv from nothing,
# installing exactly the versions pinned in constraints.txt (the versions CI tested).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/postgres

.PHONY: run test test-sqlite test-postgres lint typecheck bench clean install browser forensics

$(BIN)/python:
	$(PYTHON) -m venv --without-pip $(VENV)

# uv (pinned in constraints.txt, fetched by the system's pip into .venv/installer) resolves and
# downloads in parallel and links from its cache: a fresh install takes a fraction of pip's time,
# and the venv needs no pip of its own (ensurepip alone costs ~13 s). Where uv cannot be had (no
# wheel for the platform, no pip on the system, an index uv cannot reach), the venv gets pip and pip installs the same set.
INSTALLER := $(VENV)/installer
$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	if $(PYTHON) -m pip install --quiet --disable-pip-version-check --upgrade \
			--target $(INSTALLER) -c constraints.txt uv \
		&& $(INSTALLER)/bin/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[dev]'; \
	then :; else \
		echo "uv unavailable: installing with pip"; \
		$(BIN)/python -m ensurepip --upgrade >/dev/null; \
		$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'; \
	fi
	touch $(STAMP)

install: $(STAMP)

# The server and the notification worker together; Ctrl-C (or a failing one) stops both.
run: $(STAMP) forensics
	$(BIN)/shokei worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/shokei run

# Headless Chromium for the browser tests (tests/e2e) and the Japanese font PDF reports embed
# (IPAex Gothic): Debian's packages, installed when missing.
IPAEX_FONT := /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf

browser:
	command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium fonts-noto-cjk)
	test -f $(IPAEX_FONT) || (apt-get update && apt-get install -y fonts-ipaexfont)

# Reading marks from pixels (shokei trace on scans, photos and image-only PDFs): Tesseract with
# Japanese for the stamp and watermark text, libzbar0 for the 2D code (through pyzbar), poppler
# to render PDF pages (pdftoppm) and, in tests, to print a copy to PDF (pdftocairo). Debian's
# packages, installed when missing.
FORENSIC_TOOLS := tesseract pdftoppm pdftocairo
ZBAR_LIBRARY := /usr/lib/$(shell uname -m)-linux-gnu/libzbar.so.0

forensics:
	@for tool in $(FORENSIC_TOOLS); do command -v $$tool >/dev/null || missing=1; done; \
	tesseract --list-langs 2>/dev/null | grep -qx jpn || missing=1; \
	test -e $(ZBAR_LIBRARY) || missing=1; \
	if [ -n "$$missing" ]; then apt-get update && \
		apt-get install -y tesseract-ocr tesseract-ocr-jpn libzbar0 poppler-utils; fi

# The whole suite on SQLite, then everything that touches the database again on PostgreSQL, each
# pass spread over the machine's cores (pytest-xdist; every worker builds its own database); then
# the few tests that measure latency (`alone`), one at a time with the machine to themselves.
TEST_WORKERS ?= auto
test: $(STAMP) lint browser forensics
	$(BIN)/python -m pytest -n $(TEST_WORKERS) -m "not alone"
	SHOKEI_TEST_DATABASE=postgresql $(BIN)/python -m pytest -n $(TEST_WORKERS) -m "db and not browser and not alone"
	$(BIN)/python -m pytest -p no:xdist -m alone
	SHOKEI_TEST_DATABASE=postgresql $(BIN)/python -m pytest -p no:xdist -m alone

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src/shokei
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
