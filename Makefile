# xp-aerospike: one target per job. Tools are built from the Go module proxy
# at pinned versions into .cache/, once; a fresh machine needs only Go.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:

CACHE  := $(CURDIR)/.cache
TOOLS  := $(CACHE)/tools
OUTPUT := $(CURDIR)/_output

# The crossplane CLI (render, xpkg build, beta validate). It left the
# crossplane repository after v2.2, so v2.2.1 is the newest there is. The
# version is part of the file name: bumping it builds the new one.
CROSSPLANE_VERSION := v2.2.1
CROSSPLANE         := $(TOOLS)/crossplane-$(CROSSPLANE_VERSION)
# A stable name for the current CLI, which test/render falls back to.
CROSSPLANE_LINK    := $(TOOLS)/crossplane

# A real control plane for end-to-end tests, without a cluster: kube-apiserver
# and etcd for controller-runtime's envtest, and Crossplane core to run
# against them. Each is pinned by the go.mod of its wrapper module under
# hack/tools; the versions here name the files and must agree with those.
# KUBE_ASSETS is envtest's BinaryAssetsDirectory: it holds files named
# exactly kube-apiserver and etcd. kube-controller-manager, from the same
# wrapper module, does garbage collection and namespace deletion for the e2e.
KUBE_VERSION         := v1.35.3
KUBE_ASSETS          := $(TOOLS)/kube-$(KUBE_VERSION)
KUBE_APISERVER       := $(KUBE_ASSETS)/kube-apiserver
KUBE_CONTROLLER_MANAGER := $(KUBE_ASSETS)/kube-controller-manager
KUBE_LDFLAGS         := -s -w \
	-X k8s.io/component-base/version.gitVersion=$(KUBE_VERSION) \
	-X k8s.io/component-base/version.gitMajor=$(word 1,$(subst ., ,$(KUBE_VERSION:v%=%))) \
	-X k8s.io/component-base/version.gitMinor=$(word 2,$(subst ., ,$(KUBE_VERSION:v%=%)))
ETCD_VERSION         := v3.6.5
ETCD                 := $(TOOLS)/etcd-$(ETCD_VERSION)
ETCD_LINK            := $(KUBE_ASSETS)/etcd
CROSSPLANE_CORE_VERSION := v2.4.0
CROSSPLANE_CORE      := $(TOOLS)/crossplane-core-$(CROSSPLANE_CORE_VERSION)
# Core's CRDs (cluster/crds of its module), to install before core starts.
CROSSPLANE_CRDS      := $(TOOLS)/crossplane-core-$(CROSSPLANE_CORE_VERSION)-crds
export KUBE_ASSETS KUBE_CONTROLLER_MANAGER CROSSPLANE_CORE CROSSPLANE_CRDS
# The Prometheus Operator's ServiceMonitor CRD, which the composed
# ServiceMonitor is validated against (from its module on the Go proxy).
PROMETHEUS_OPERATOR_VERSION := v0.85.0
SERVICEMONITOR_CRD   := $(TOOLS)/servicemonitors-crd-$(PROMETHEUS_OPERATOR_VERSION).yaml

# golangci-lint for `make lint`, pinned by hack/tools/golangci-lint/go.mod
# (not the project's go.mod, which would then carry its few hundred
# dependencies); the version here names the file and must agree with it.
GOLANGCI_LINT_VERSION := v2.15.0
GOLANGCI_LINT         := $(TOOLS)/golangci-lint-$(GOLANGCI_LINT_VERSION)

# What `make xpkg` builds and `make publish` pushes: the packages' version
# (a semantic version from the newest v* tag, else v0.0.0-g<commit>), the
# commit, the registry the Configurations find the function in, and the
# platforms of the runtime images.
ifeq ($(origin VERSION),undefined)
VERSION := $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || \
	echo "v0.0.0-g$$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)$$(git diff --quiet HEAD 2>/dev/null || echo -dirty)")
endif
ifeq ($(origin REVISION),undefined)
REVISION := $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
endif
REGISTRY  ?= xpkg.crossplane.io/xp-aerospike
PLATFORMS ?= linux/amd64,linux/arm64
XPKG_DIR  := $(OUTPUT)/xpkg

FUNCTION_BIN := $(OUTPUT)/bin/function
PROVIDER_BIN := $(OUTPUT)/bin/provider

# The address `make render` serves the function on.
RENDER_ADDRESS ?= 127.0.0.1:9443

FUZZTIME ?= 15s

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets.
	@grep -hE '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(CROSSPLANE) $(CROSSPLANE_LINK) $(SERVICEMONITOR_CRD) ## Build the real crossplane CLI once into .cache/tools; fetch the ServiceMonitor CRD.

# `go install ...@v2.2.1` refuses the CLI because its go.mod has replace
# directives; the wrapper module under hack/tools/crossplane pins it and its
# dependencies instead. The binary is a plain file target, so it is built
# only when missing. It is built next to its final name under a name of its
# own process and moved into place in the same shell, so an interrupted
# build never leaves a binary that looks complete, and two builds at once
# (two `make` runs on one checkout) never move each other's file.
$(CROSSPLANE):
	@mkdir -p $(@D)
	@echo "Building the crossplane CLI $(CROSSPLANE_VERSION) into $@ (about 4 minutes on a cold Go cache)"
	cd hack/tools/crossplane && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/crossplane/crossplane/v2/internal/version.version=$(CROSSPLANE_VERSION)" \
		-o $@.$$$$.tmp github.com/crossplane/crossplane/v2/cmd/crank && mv $@.$$$$.tmp $@

$(CROSSPLANE_LINK): $(CROSSPLANE)
	ln -sfn $(notdir $<) $@

# Built like the crossplane CLI: a file target, under a temporary name, then
# moved into place. From a cold Go cache it costs 5m20s of CPU: about 3
# minutes on 2 idle cores (9m18s measured on 2 cores shared with other
# builds); nothing once the file exists. The -X flags give
# `golangci-lint version` the version a wrapper module's build cannot see.
$(GOLANGCI_LINT):
	@mkdir -p $(@D)
	@echo "Building golangci-lint $(GOLANGCI_LINT_VERSION) into $@ (about 3 minutes on a cold Go cache)"
	cd hack/tools/golangci-lint && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X main.version=$(GOLANGCI_LINT_VERSION:v%=%) -X main.date=module-proxy" \
		-o $@.$$$$.tmp github.com/golangci/golangci-lint/v2/cmd/golangci-lint && mv $@.$$$$.tmp $@

# About 11 minutes on 2 cores from a cold Go cache (the four share many
# packages); nothing to do once the files exist.
.PHONY: e2e-tools
e2e-tools: $(KUBE_APISERVER) $(KUBE_CONTROLLER_MANAGER) $(ETCD_LINK) $(CROSSPLANE_CORE) $(CROSSPLANE_CRDS) ## Build kube-apiserver, kube-controller-manager, etcd and Crossplane core once into .cache/tools.

# k8s.io/kubernetes cannot be `go install`ed either: its go.mod replaces its
# staging modules (k8s.io/api, ...) with folders of its own repository. The
# wrapper module replaces them with their published releases. Without the
# -X flags the server reports v0.0.0-master, which clients that parse the
# server version may reject.
$(KUBE_APISERVER) $(KUBE_CONTROLLER_MANAGER): $(KUBE_ASSETS)/%:
	@mkdir -p $(@D)
	@echo "Building $* $(KUBE_VERSION) into $@ (kube-apiserver: about 7 minutes on a cold Go cache; kube-controller-manager: about 1 more, as it shares most packages)"
	cd hack/tools/kube-apiserver && tmp=$@.$$$$.tmp && CGO_ENABLED=0 go build -trimpath \
		-ldflags "$(KUBE_LDFLAGS)" -o $$tmp k8s.io/kubernetes/cmd/$* && mv $$tmp $@

# envtest wants the file name etcd; the versioned binary keeps a bump of
# ETCD_VERSION a new file, which the link then follows.
$(ETCD):
	@mkdir -p $(@D)
	@echo "Building etcd $(ETCD_VERSION) into $@ (about 1 minute on a cold Go cache)"
	cd hack/tools/etcd && CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" \
		-o $@.$$$$.tmp . && mv $@.$$$$.tmp $@

$(ETCD_LINK): $(ETCD)
	@mkdir -p $(@D)
	ln -sfn ../$(notdir $<) $@

# Core's go.mod replaces its apis/v2 module with a folder; the wrapper
# requires the published one. Core reads its own version from
# crossplane-runtime (not internal/version, as the v2.2 CLI does) and checks
# packages' crossplane version constraints against it.
$(CROSSPLANE_CORE):
	@mkdir -p $(@D)
	@echo "Building Crossplane core $(CROSSPLANE_CORE_VERSION) into $@ (about 4 minutes on a cold Go cache)"
	cd hack/tools/crossplane-core && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/crossplane/crossplane-runtime/v2/pkg/version.version=$(CROSSPLANE_CORE_VERSION)" \
		-o $@.$$$$.tmp github.com/crossplane/crossplane/v2/cmd/crossplane && mv $@.$$$$.tmp $@

# The module cache is read-only; install gives the copies ordinary modes.
$(CROSSPLANE_CRDS):
	@mkdir -p $(@D)
	cd hack/tools/crossplane-core && tmp=$@.$$$$.tmp && mkdir -p $$tmp && \
		go mod download github.com/crossplane/crossplane/v2 && \
		install -m 0644 "$$(go list -m -f '{{.Dir}}' github.com/crossplane/crossplane/v2)"/cluster/crds/*.yaml $$tmp/ && \
		mv $$tmp $@

# Downloaded outside any module, so go.mod never names it: only the tests
# read it, as data.
$(SERVICEMONITOR_CRD):
	@mkdir -p $(@D)
	cd / && dir=$$(go mod download -json github.com/prometheus-operator/prometheus-operator@$(PROMETHEUS_OPERATOR_VERSION) | \
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p') && test -n "$$dir" && \
		install -m 0644 "$$dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml" $@.$$$$.tmp && \
		mv $@.$$$$.tmp $@

.PHONY: build
build: ## Build the function and provider binaries into _output/bin.
	@mkdir -p $(OUTPUT)/bin
	CGO_ENABLED=0 go build -trimpath -o $(FUNCTION_BIN) ./function
	CGO_ENABLED=0 go build -trimpath -o $(PROVIDER_BIN) ./provider

.PHONY: xpkg
xpkg: $(CROSSPLANE) ## Build the function, provider and configuration packages into _output/xpkg (VERSION, REGISTRY, PLATFORMS).
	go run ./hack/xpkg build --cli=$(CROSSPLANE) --version=$(VERSION) --revision=$(REVISION) \
		--registry=$(REGISTRY) --platforms=$(PLATFORMS) --output=$(XPKG_DIR)

# Checked before the packages are built for the default registry.
.PHONY: require-registry
require-registry:
	@[[ "$(origin REGISTRY)" != file ]] || { echo "set REGISTRY, for example make publish REGISTRY=ghcr.io/acme" >&2; exit 1; }

.PHONY: publish
publish: require-registry xpkg ## Push the packages to REGISTRY with `crossplane xpkg push` (credentials from `docker login`).
	go run ./hack/xpkg push --cli=$(CROSSPLANE) --registry=$(REGISTRY) --output=$(XPKG_DIR)

.PHONY: render
render: tools build ## Render every example with the real CLI; output also in _output/render.
	CROSSPLANE=$(CROSSPLANE) FUNCTION=$(FUNCTION_BIN) ADDRESS=$(RENDER_ADDRESS) OUTPUT=$(OUTPUT)/render hack/render.sh

# The tools the tests that need them are given. Each such test skips
# without its tool, except under CI=true, where it fails.
TEST_ENV := CROSSPLANE_CLI=$(CROSSPLANE) KUBEBUILDER_ASSETS=$(KUBE_ASSETS) \
	CROSSPLANE_CORE=$(CROSSPLANE_CORE) CROSSPLANE_CRDS=$(CROSSPLANE_CRDS) \
	KUBE_CONTROLLER_MANAGER=$(KUBE_CONTROLLER_MANAGER) SERVICEMONITOR_CRD=$(SERVICEMONITOR_CRD) \
	XPKG_DIR=$(XPKG_DIR)

.PHONY: test
test: tools e2e-tools xpkg ## Run every test (the e2e too, on the packages `make xpkg` built) with the race detector, then fuzz for FUZZTIME.
	$(TEST_ENV) go test -race -count=1 -timeout 45m ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

.PHONY: e2e
e2e: tools e2e-tools xpkg ## Only the whole stack: real apiserver, Crossplane core, our packages, real Aerospike.
	$(TEST_ENV) go test -race -count=1 -v -timeout 30m ./test/e2e/...

.PHONY: fuzz
fuzz: ## Fuzz RunFunction, the plan and its guard, each for FUZZTIME (default 15s).
	go test -run='^$$' -fuzz=FuzzRunFunction -fuzztime=$(FUZZTIME) ./function/
	go test -run='^$$' -fuzz=FuzzNext -fuzztime=$(FUZZTIME) ./function/internal/plan/
	go test -run='^$$' -fuzz=FuzzGuard -fuzztime=$(FUZZTIME) ./function/internal/plan/

.PHONY: bench
bench: ## Run the benchmarks.
	go test -run='^$$' -bench=. -benchmem ./function/...

.PHONY: generate
generate: ## Regenerate what derives from the Go types (deepcopy, XRD, input CRD).
	go generate ./...

# golangci-lint (.golangci.yml: go vet, staticcheck, gosec, the formatters,
# ...) over every package; it builds itself on first use. Its formatters see
# only the files the packages hold, so the gofmt check still covers every Go
# file git would commit, tracked or new, including files outside any build.
.PHONY: lint
lint: $(GOLANGCI_LINT) ## Run golangci-lint (.golangci.yml), and fail when gofmt would change a file.
	$(GOLANGCI_LINT) run ./...
	@out=$$(git ls-files --cached --others --exclude-standard -z '*.go' | xargs -0 gofmt -l); \
	if [[ -n "$$out" ]]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: clean
clean: ## Remove build output (not the tool cache in .cache).
	rm -rf $(OUTPUT)
