# Territoires du Plan — deux commandes sur une machine neuve :
#   make run   installe et lance l'application sur la démonstration Isère
#   make test  installe ce qu'il faut aux tests (dont chromium de Debian) et les passe
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8501
WORKSPACE ?= $(CURDIR)/workspace/demo-isere
STAMP := $(VENV)/.installed

.PHONY: run test test-sqlite test-postgres test-replicas load-test install lint bench demo clean system-deps

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	TERRITOIRES_WORKSPACE=$(WORKSPACE) $(BIN)/territoires demo --workspace $(WORKSPACE)

run: install
	@$(MAKE) --no-print-directory system-deps SYSTEM_PACKAGES="$(RUN_PACKAGES)"
	@test -f $(WORKSPACE)/workspace.sqlite || $(MAKE) --no-print-directory demo
	TERRITOIRES_WORKSPACE=$(WORKSPACE) $(BIN)/streamlit run dashboard/app/main.py \
		--server.port $(PORT) --server.address 127.0.0.1

# Debian packages the tests need: chromium (Playwright), poppler-utils (pdftoppm, PDF pages
# to PNG), DejaVu fonts and Pango (weasyprint). Installed only when missing.
RUN_PACKAGES := fonts-dejavu-core libpango-1.0-0 libpangoft2-1.0-0
TEST_PACKAGES := $(RUN_PACKAGES) chromium poppler-utils
SYSTEM_PACKAGES ?= $(TEST_PACKAGES)
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do \
		dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "Installation des paquets Debian :$$missing"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	fi

lint: install
	$(BIN)/ruff check dashboard geo pages tests benchmarks

# The whole suite runs twice: on SQLite, then on PostgreSQL + PostGIS (a throwaway cluster
# on 127.0.0.1, installed from Debian's packages when missing, stopped afterwards).
# pytest exits 5 when it collects no test: that is a failure here, not a success.
test: install system-deps lint
	@$(MAKE) --no-print-directory test-sqlite
	@$(MAKE) --no-print-directory test-postgres

test-sqlite: install system-deps
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-postgres: install system-deps
	scripts/postgres-test-server.sh $(BIN)/python -m pytest -q -p no:cacheprovider

# Two Streamlit replicas behind nginx on a throwaway PostgreSQL (tests/test_replicas.py, also
# part of test-postgres); nginx is installed by deploy/replicas.sh when missing.
test-replicas: install system-deps
	scripts/postgres-test-server.sh $(BIN)/python -m pytest -q -p no:cacheprovider -m replicas

# Load test on loopback: demo workspace, two replicas and nginx, LOAD_ARGS users/duration,
# JSON report; everything is stopped afterwards. Not part of `make test`.
LOAD_ARGS ?= --users 8 --duration 60
load-test: install
	scripts/postgres-test-server.sh $(BIN)/python benchmarks/load_test.py --start $(LOAD_ARGS)

bench: install
	$(BIN)/territoires bench

clean:
	rm -rf $(VENV) workspace .pytest_cache
