# Petal: `make run` starts the whole stack, `make test` runs every test, `make bench` measures (beside Sidekiq, Celery and RQ),
# `make chaos` kills workers and restarts Redis under 20,000 jobs (minutes; not part of `make test`),
# `make honcho-suite` runs honcho's own integration tests against `petal` (fetches honcho from PyPI).
# Each target installs the Debian packages it needs when they are missing.

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := redis-server libhiredis-dev libxml2-dev libssl-dev pkg-config
# Tests use real clients: headless Chromium through chromedriver, curl, Python requests, promtool;
# luacheck lints the Redis function library (Sources/Petal/Lua); and real infrastructure:
# redis-sentinel (failover), openssl (a CA for TLS), iproute2 (ip netns).
TEST_APT_PACKAGES := chromium chromium-driver curl python3-requests prometheus lua-check redis-sentinel openssl iproute2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench peers chaos honcho-suite build deps clean

deps:
	@missing=""; for p in $(APT_PACKAGES) $(EXTRA_APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

build: deps
	$(SWIFT) build -c release

run: build
	@[ -f .env ] || { cp .env.example .env; echo "created .env from .env.example"; }
	.build/release/petal start

# Build once with tests, then run without rebuilding (alternating build and test recompiles).
test:
	@$(MAKE) --no-print-directory deps EXTRA_APT_PACKAGES="$(TEST_APT_PACKAGES)"
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-xctest

bench: build peers
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	@command -v honcho >/dev/null || pip install -q honcho || echo "honcho not installed: the runner comparison is skipped"
	$(SWIFT) build -c release --product petal-bench
	.build/release/petal-bench --petal .build/release/petal --greeter .build/release/greeter --peers Benchmarks/peers --peers-python $(PEERS_VENV)/bin/python

# The bench's peers (Benchmarks/peers/): Debian's Sidekiq, and Celery 5 and RQ in a virtualenv
# under .petal/. One that does not install is skipped by the bench, never fatal.
PEERS_VENV := .petal/peers
peers:
	@dpkg -s ruby-sidekiq >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq ruby-sidekiq; } \
		|| echo "ruby-sidekiq not installed: the bench skips Sidekiq"
	@[ -x $(PEERS_VENV)/bin/python ] || python3 -m venv $(PEERS_VENV) || echo "no virtualenv (python3-venv): the bench skips Celery and RQ"
	@[ ! -x $(PEERS_VENV)/bin/python ] || $(PEERS_VENV)/bin/python -c 'import celery' 2>/dev/null \
		|| $(PEERS_VENV)/bin/pip install -q 'celery[redis]>=5,<6' || echo "Celery not installed: the bench skips it"
	@[ ! -x $(PEERS_VENV)/bin/python ] || $(PEERS_VENV)/bin/python -c 'import rq' 2>/dev/null \
		|| $(PEERS_VENV)/bin/pip install -q 'rq>=2,<4' || echo "RQ not installed: the bench skips it"

chaos: build
	$(SWIFT) build -c release --product petal-chaos
	.build/release/petal-chaos --petal .build/release/petal

# honcho 2.0's own integration tests against `petal`, through a shim named `honcho` on PATH (by hand:
# it fetches honcho's source package from PyPI; `make test` plays the same scenarios offline in
# HonchoScenarioTests). test_main is left out: it runs `python -m honcho`, which no shim can answer.
HONCHO_DIR := .build/honcho
honcho-suite:
	$(SWIFT) build --product petal
	@mkdir -p $(HONCHO_DIR)/bin
	@[ -d $(HONCHO_DIR)/honcho-2.0.0 ] || { python3 -m pip download -q --no-deps --no-binary :all: honcho==2.0.0 -d $(HONCHO_DIR) \
		&& tar xzf $(HONCHO_DIR)/honcho-2.0.0.tar.gz -C $(HONCHO_DIR); }
	@[ -x $(HONCHO_DIR)/venv/bin/pytest ] || { python3 -m venv $(HONCHO_DIR)/venv && $(HONCHO_DIR)/venv/bin/pip install -q pytest; }
	@printf '#!/bin/sh\nexec %s "$$@"\n' "$(CURDIR)/.build/debug/petal" > $(HONCHO_DIR)/bin/honcho && chmod +x $(HONCHO_DIR)/bin/honcho
	cd $(HONCHO_DIR)/honcho-2.0.0 && PATH="$(CURDIR)/$(HONCHO_DIR)/bin:$$PATH" ../venv/bin/python -m pytest -p no:cacheprovider \
		tests/integration --deselect tests/integration/test_main.py::test_main

clean:
	rm -rf .build .petal
