# kubectl-etcd: `make build`, `make test`, `make demo`, `make bench`, `make fuzz`.
# Every target installs what it needs (Debian packages, Go-built etcd servers).

BUILD     ?= build
ASAN_BUILD ?= build-asan
JOBS      ?= $(shell nproc)
CTEST_JOBS ?= 2
TOOLS     := tests/tools
# Warnings are errors in CI (CI=true) and wherever WERROR=ON is given.
WERROR    ?= $(if $(CI),ON,OFF)

.PHONY: all deps build build-tests test test-node unit e2e sanitize lint demo bench fuzz clean test-servers dist image test-dist install

all: build

deps:
	@$(TOOLS)/install-deps.sh

$(BUILD)/build.ninja: CMakeLists.txt | deps
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKETCD_WERROR=$(WERROR)

build: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS) --target kubectl-etcd
	@echo "built $(BUILD)/kubectl-etcd"

build-tests: deps $(BUILD)/build.ninja
	cmake --build $(BUILD) -j $(JOBS)

# Every unit test (ctest -L unit) under AddressSanitizer and UndefinedBehaviorSanitizer:
# the parsers of untrusted files (bbolt pages, snapshot status, manifests, units,
# kubeconfig, JSON output of byte strings), the restore writers and everything else.
sanitize: deps
	cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DKETCD_SANITIZE=ON -DKETCD_WERROR=$(WERROR) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS) --target unit-tests
	cd $(ASAN_BUILD) && ctest --output-on-failure -j $(JOBS) -L unit --no-tests=error

# clang-tidy (.clang-tidy: the checks) over every file of pkg/ and cmd/ in the build's
# compile_commands.json; any finding fails. The build comes first for the generated
# protobuf headers.
lint: deps build-tests
	@$(TOOLS)/install-deps.sh clang-tidy
	run-clang-tidy -quiet -p $(BUILD) -j $(JOBS) -extra-arg=-Wno-unknown-warning-option \
	  '$(CURDIR)/(pkg|cmd)/.*\.cc$$' >$(BUILD)/lint.log 2>&1 \
	  || { grep -E 'warning:|error:' $(BUILD)/lint.log | sort -u; echo "lint: findings above ($(BUILD)/lint.log)"; exit 1; }
	@echo "lint: no findings"

unit: build-tests
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -L unit --no-tests=error

# Test servers, built once from their Go modules and cached outside the repo: etcd 3.5-3.7
# (etcd 3.4 is Debian's), a kube-apiserver for the kubeconfig discovery, node restore and
# object tests (1.36: from 1.37 on it refuses 127.0.0.1 as its advertise address with its
# default endpoint reconciler), the Kubernetes binaries of the real node (one binary that
# runs as kubelet, kubeadm and the control plane), bbolt's own `bbolt check` for the
# restored databases, and versitygw (an S3 gateway over a local directory) for the backups
# to S3.
KAPI_VERSION ?= v1.36.3
KAPI_DIR := $(HOME)/.cache/kubectl-etcd/kube-apiserver-$(KAPI_VERSION)
KUBE_VERSION ?= v1.37.2
KUBE_DIR := $(HOME)/.cache/kubectl-etcd/kube-node-$(KUBE_VERSION)
# The versions are worked out before `cd`, and a failure there stops the run.
E2E_RUN = versions=$$($(CURDIR)/$(TOOLS)/etcd-versions.sh) && \
  bbolt=$$($(CURDIR)/$(TOOLS)/build-bbolt.sh --no-build) && \
  versitygw=$$($(CURDIR)/$(TOOLS)/build-versitygw.sh --no-build) && cd $(BUILD) && \
  KETCD_ETCD_VERSIONS=$$versions KETCD_KUBE_APISERVER=$(KAPI_DIR)/kube-apiserver KETCD_BBOLT=$$bbolt \
  KETCD_VERSITYGW=$$versitygw

test-servers:
	@$(TOOLS)/etcd-versions.sh >/dev/null
	@$(TOOLS)/build-bbolt.sh >/dev/null
	@$(TOOLS)/build-versitygw.sh >/dev/null
	@[ -x $(KAPI_DIR)/kube-apiserver ] || PATH=$$PATH:/usr/local/go/bin \
	  tests/discovery/build-kube-apiserver.sh $(KAPI_DIR) $(KAPI_VERSION) >&2
	@[ -x $(KUBE_DIR)/kube-node ] || PATH=$$PATH:/usr/local/go/bin \
	  tests/node/build-kube-node.sh $(KUBE_DIR) $(KUBE_VERSION) >&2

e2e: build-tests test-servers
	$(E2E_RUN) ctest --output-on-failure -j $(CTEST_JOBS) -L e2e --no-tests=error --timeout 900

# A real single-node kubeadm control plane (kubelet, containerd, runc, kubeadm's static
# pods) in namespaces of its own: the seed procedure and the node restore killed at every
# step (tests/node/). Needs root; builds the Kubernetes binaries once into ~/.cache.
test-node: build-tests test-servers
	@KUBE_VERSION=$(KUBE_VERSION) tests/node/run.sh $(BUILD)/kubectl-etcd $(BUILD)/kubectl-etcd-test-hooks

# All tests: unit, sanitizers, end-to-end against etcd 3.4, 3.5, 3.6 and 3.7, the release,
# the real node.
test: build-tests sanitize test-servers test-dist test-node
	$(E2E_RUN) ctest --output-on-failure -j $(CTEST_JOBS) --no-tests=error --timeout 900

# The main job on a local TLS etcd laid out like a kubeadm control-plane node.
demo: build
	@$(TOOLS)/demo.sh $(BUILD)/kubectl-etcd

# Times the release binary (what Krew installs: -O3, linked statically) against the etcd tools.
bench: build dist
	@tests/bench/bench.sh $(DIST_BUILD)/kubectl-etcd $(BUILD)

# Every libFuzzer target (pkg/*/fuzz/), FUZZ_SECONDS each, starting from its committed seed
# corpus pkg/<pkg>/fuzz/corpus/<target>/. New inputs go to build-fuzz/corpus/<target>/ and
# crashes to build-fuzz/artifacts/; the first target that fails stops the run.
FUZZ_SECONDS ?= 60
FUZZ_BUILD ?= build-fuzz
fuzz:
	@$(TOOLS)/install-deps.sh clang libclang-rt-14-dev
	cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKETCD_FUZZ=ON \
	  -DCMAKE_CXX_COMPILER=clang++ >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzzers
	@mkdir -p $(FUZZ_BUILD)/artifacts
	@set -e; for seeds in pkg/*/fuzz/corpus/*/; do \
	  seeds=$${seeds%/}; name=$${seeds##*/}; dir=$${seeds%/corpus/*}; \
	  echo "== $$name: $(FUZZ_SECONDS)s from $$seeds"; \
	  mkdir -p $(FUZZ_BUILD)/corpus/$$name; \
	  ./$(FUZZ_BUILD)/$$dir/$$name -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -timeout=30 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_BUILD)/artifacts/$$name- \
	    $(FUZZ_BUILD)/corpus/$$name $$seeds; \
	done

# Release archives with a fully static, stripped binary for linux/amd64 and linux/arm64
# (cross-compiled), their .sha256 and the Krew manifest:
# dist/kubectl-etcd_v<version>_linux_{amd64,arm64}.tar.gz, dist/etcd.yaml.
DIST_BUILD ?= build-dist
dist: deps
	@BUILD_DIST=$(DIST_BUILD) JOBS=$(JOBS) $(TOOLS)/dist.sh

# The container image (OCI archive, both platforms) of those binaries:
# dist/kubectl-etcd_v<version>_image.tar. No registry and no daemon needed.
image: dist
	@$(TOOLS)/image.sh

# Each archive in an empty root (chroot, no libc; arm64 under qemu), installed by krew and
# run through kubectl, the image in containerd, completion, and the README's examples.
test-dist: dist image test-servers
	@tests/release/run.sh

PREFIX ?= /usr/local
install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 755 $(BUILD)/kubectl-etcd $(DESTDIR)$(PREFIX)/bin/kubectl-etcd
	install -m 755 cmd/kubectl-etcd/kubectl_complete-etcd $(DESTDIR)$(PREFIX)/bin/kubectl_complete-etcd

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) build-fuzz $(DIST_BUILD) $(DIST_BUILD)-arm64 dist
