# The two commands: `make run` and `make test`. Both install missing Debian packages first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
export PATH := /opt/swift/usr/bin:$(PATH)

DEBIAN_PACKAGES := libsodium-dev libssl-dev libxml2-dev libsqlite3-dev pkg-config iproute2
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATE_DIR := state

.PHONY: deps build run test clean

deps:
	@missing=""; \
	for package in $(DEBIAN_PACKAGES); do \
		dpkg -s $$package >/dev/null 2>&1 || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	swift build -q --product mycelium

# Starts the node on this machine only: no public peers, no link-local discovery, state under ./state.
run: build
	@mkdir -p $(STATE_DIR) && chmod 700 $(STATE_DIR)
	.build/debug/mycelium -c Config/examples/local.toml -k $(STATE_DIR)/priv_key.bin --disable-peer-discovery

# Builds quietly, runs every test, and prints failures, skips, fuzz counts, simulator and cluster figures and the totals
# (the full log is kept in .build/test.log). Three phases, so that on a 2-core machine the CPU-bound tests
# (fuzzers, simulator) never starve the clocks of the socket tests: pure code first, then sockets and processes,
# then the suites that time real daemons.
IO := MyceliumNodeTests|MyceliumCLITests|SystemLibrariesTests
ALONE := ClusterTests|LinkLocalDiscoveryNamespaceTests
test: deps
	swift build --build-tests -q 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]|which are unhandled; explicitly declare' || true; }
	( status=0; \
	  swift test --skip-build --skip '$(IO)' || status=1; \
	  swift test --skip-build --filter '$(IO)' --skip '$(ALONE)' || status=1; \
	  swift test --skip-build --filter '$(ALONE)' || status=1; \
	  exit $$status ) 2>&1 | tee .build/test.log \
		| awk '!/^◇/ && (/✘|recorded an issue|SKIPPED|^fuzz |^sim:|^cluster:|Test run with|Executed [0-9]+ tests|^error:/)'

clean:
	rm -rf .build
