# Petal: `make run` starts the whole stack, `make test` runs every test, `make bench` measures,
# `make chaos` kills workers and restarts Redis under 20,000 jobs (minutes; not part of `make test`).
# Each target installs the Debian packages it needs when they are missing.

SHELL := /bin/bash
SWIFT ?= swift
APT_PACKAGES := redis-server libhiredis-dev libxml2-dev pkg-config
# Tests use real clients: headless Chromium through chromedriver, curl, Python requests, promtool.
TEST_APT_PACKAGES := chromium chromium-driver curl python3-requests prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test bench chaos build deps clean

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

bench: build
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk; }
	@command -v honcho >/dev/null || pip install -q honcho || echo "honcho not installed: the runner comparison is skipped"
	$(SWIFT) build -c release --product petal-bench
	.build/release/petal-bench --petal .build/release/petal --greeter .build/release/greeter

chaos: build
	$(SWIFT) build -c release --product petal-chaos
	.build/release/petal-chaos --petal .build/release/petal

clean:
	rm -rf .build .petal
