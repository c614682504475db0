# Two commands: `make serve` (set up + run the service) and `make test`
# (set up + run every test). Both create .venv when it is missing.
VENV    ?= .venv
PYTHON  ?= python3
PY      := $(VENV)/bin/python
PIP     := $(PY) -m pip
STAMP   := $(VENV)/.installed-$(shell cat setup.cfg pyproject.toml | cksum | cut -d' ' -f1)
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CHROMIUM ?= /usr/bin/chromium

NPM_STAMP := node_modules/.package-lock.json

.PHONY: serve test test-fast test-e2e bench install browser lint-extension dist version clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	# The stock pip (23.x) crashes resolving lxml[html-clean]: upgrade first.
	$(PIP) install --quiet --upgrade pip

$(STAMP): $(PY) setup.cfg pyproject.toml
	# Pin torch before sentence-transformers: this takes the CPU build, an
	# unpinned torch pulls a multi-GB CUDA build.
	$(PIP) install --quiet torch==2.13.0
	$(PIP) install --quiet -e '.[test,bench,ray]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/newsgist serve

# The end-to-end tests drive Debian's Chromium and Firefox ESR; install them when missing.
FIREFOX ?= /usr/bin/firefox-esr
browser:
	@missing=""; [ -x $(CHROMIUM) ] || missing="chromium"; \
	[ -x $(FIREFOX) ] || missing="$$missing firefox-esr"; \
	if [ -n "$$missing" ]; then \
	  $(SUDO) apt-get update -q && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q $$missing; fi

# web-ext (npm) lints the extension for Chromium and Firefox.
$(NPM_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund

lint-extension: $(NPM_STAMP)
	npx --no-install web-ext lint --source-dir extension --no-config-discovery

# dist/newsgist-chromium.zip and dist/newsgist-firefox.xpi, each linted (tools/release.py).
dist: $(STAMP) $(NPM_STAMP)
	$(PY) tools/release.py dist

# Print the version (one source: service/newsgist/__init__.py); `make version V=0.2.0` sets it.
version:
	$(PYTHON) tools/release.py version $(V)

test: $(STAMP) browser lint-extension
	$(PY) -m pytest

# The browser end-to-end tests alone.
test-e2e: $(STAMP) browser
	$(PY) -m pytest -m e2e

# Unit and API tests only (fake encoder): seconds, no browser, no model.
test-fast: $(STAMP)
	$(PY) -m pytest -m "not slow and not e2e"

bench: $(STAMP)
	$(PY) bench/rouge.py
	$(PY) bench/extraction.py
	$(PY) bench/latency.py

clean:
	rm -rf $(VENV) node_modules .pytest_cache artifacts build dist *.egg-info service/*.egg-info
