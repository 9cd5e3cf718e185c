# The two commands: `make run` and `make test`. Both install missing Debian packages first.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -ec
export PATH := /opt/swift/usr/bin:$(PATH)

DEBIAN_PACKAGES := libsodium-dev libssl-dev libxml2-dev libsqlite3-dev pkg-config iproute2 iperf3 iputils-ping traceroute curl swaks isync fetchmail neomutt
TEST_PACKAGES := thunderbird
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STATE_DIR := state

.PHONY: deps test-deps build run test bench clean

# The packages of the list $(1) that are not installed, each with a leading space (shell code for a recipe).
missing_packages = $$(for package in $(1); do dpkg -s $$package >/dev/null 2>&1 || printf ' %s' $$package; done)

deps:
	@missing="$(call missing_packages,$(DEBIAN_PACKAGES))"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Clients only the tests drive, installed without their recommended packages (Thunderbird's would pull in a desktop).
test-deps: deps
	@missing="$(call missing_packages,$(TEST_PACKAGES))"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages for the tests:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq \
			--no-install-recommends $$missing >/dev/null; \
	fi

build: deps
	swift build -q --product mycelium

# Starts the node on this machine only: no public peers, no link-local discovery, state under ./state. As root it
# creates the TUN interface `mycelium` (400::/7); otherwise it runs routing-only (--no-tun).
NO_TUN := $(shell [ "$$(id -u)" = 0 ] || echo --no-tun)
run: build
	@mkdir -p $(STATE_DIR) && chmod 700 $(STATE_DIR)
	.build/debug/mycelium -c Config/examples/local.toml -k $(STATE_DIR)/priv_key.bin --disable-peer-discovery $(NO_TUN)

# Builds quietly, runs every test, and prints failures, skips, fuzz counts, simulator and cluster figures and the totals
# (the full log is kept in .build/test.log). Three phases, so that on a 2-core machine the CPU-bound tests
# (fuzzers, simulator) never starve the clocks of the socket tests: pure code first, then sockets and processes,
# then the suites that time real daemons, then the mail gateway's real-client suites on their own (run beside the
# link-local discovery suite they made its beacon test time out).
IO := MyceliumNodeTests|MyceliumCLITests|MyceliumGatewayKitTests|SystemLibrariesTests|SMTPServerTests|SMTPRealClientTests|IMAPServerTests|MailGatewayDeliveryTests
ALONE := ClusterTests|MessageBusDaemonTests|LinkLocalDiscoveryNamespaceTests|DataPlaneNamespaceTests
MAIL := MailGatewayDaemonTests|MailNamespaceTests
test: test-deps
	swift build --build-tests -q 2>&1 | { grep -vE '^\[[0-9]+/[0-9]+\]|which are unhandled; explicitly declare' || true; }
	( status=0; \
	  swift test --skip-build --skip '$(IO)' || status=1; \
	  swift test --skip-build --filter '$(IO)' --skip '$(ALONE)|$(MAIL)' || status=1; \
	  swift test --skip-build --filter '$(ALONE)' || status=1; \
	  swift test --skip-build --filter '$(MAIL)' || status=1; \
	  exit $$status ) 2>&1 | tee .build/test.log \
		| awk '!/^◇/ && (/✘|recorded an issue|SKIPPED|^fuzz |^sim:|^cluster:|^dataplane:|^bus:|^store:|^mail:|Test run with|Executed [0-9]+ tests|^error:/)'

# Benchmark (as root): plain IPv6 vs. this node vs. Debian's yggdrasil, in network namespaces on this machine only
# (pair, line and triangle of veths), and this node's message bus (1 KiB message rate, a 10 MiB message) beside a
# TCP transfer of the same bytes, printed as one table; see Benchmarks/README.md.
# Installing yggdrasil: a temporary policy-rc.d keeps the package from starting its system-wide service (which would
# use multicast discovery on the LAN); the service is left disabled. BENCH_ARGS passes options, e.g.
# `make bench BENCH_ARGS="--only raw,mycelium --topologies pair --duration 2"`.
BENCH_PACKAGES := iperf3 yggdrasil iputils-ping traceroute dovecot-imapd dovecot-lmtpd
bench: deps
	@[ "$$(id -u)" = 0 ] || { echo "make bench must run as root (it creates network namespaces and TUN devices): sudo make bench" >&2; exit 1; }
	@missing="$(call missing_packages,$(BENCH_PACKAGES))"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		guard=""; \
		if [ ! -e /usr/sbin/policy-rc.d ]; then \
			printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1; \
		fi; \
		status=0; \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; } || status=$$?; \
		[ -z "$$guard" ] || rm -f /usr/sbin/policy-rc.d; \
		if command -v systemctl >/dev/null 2>&1; then systemctl disable --now yggdrasil >/dev/null 2>&1 || true; fi; \
		exit $$status; \
	fi
	swift build -c release -q --product mycelium
	python3 Benchmarks/bench.py --mycelium .build/release/mycelium $(BENCH_ARGS)

clean:
	rm -rf .build
