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

FUNCTION_BIN := $(OUTPUT)/bin/function
PROVIDER_BIN := $(OUTPUT)/bin/provider

# The address `make render` serves the function on.
RENDER_ADDRESS ?= 127.0.0.1:9443

FUZZTIME ?= 15s

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(CROSSPLANE) $(CROSSPLANE_LINK) ## Build the real crossplane CLI once into .cache/tools.

# `go install ...@v2.2.1` refuses the CLI because its go.mod has replace
# directives; the wrapper module under hack/tools/crossplane pins it and its
# dependencies instead. The binary is a plain file target, so it is built
# only when missing. It is built next to its final name and moved into
# place, so an interrupted build never leaves a binary that looks complete.
$(CROSSPLANE):
	@mkdir -p $(@D)
	@echo "Building the crossplane CLI $(CROSSPLANE_VERSION) into $@ (about 4 minutes on a cold Go cache)"
	cd hack/tools/crossplane && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-s -w -X github.com/crossplane/crossplane/v2/internal/version.version=$(CROSSPLANE_VERSION)" \
		-o $@.tmp github.com/crossplane/crossplane/v2/cmd/crank
	mv $@.tmp $@

$(CROSSPLANE_LINK): $(CROSSPLANE)
	ln -sfn $(notdir $<) $@

.PHONY: build
build: ## Build the function and provider binaries into _output/bin.
	@mkdir -p $(OUTPUT)/bin
	CGO_ENABLED=0 go build -trimpath -o $(FUNCTION_BIN) ./function
	CGO_ENABLED=0 go build -trimpath -o $(PROVIDER_BIN) ./provider

.PHONY: render
render: tools build ## Render every example with the real CLI; output also in _output/render.
	CROSSPLANE=$(CROSSPLANE) FUNCTION=$(FUNCTION_BIN) ADDRESS=$(RENDER_ADDRESS) OUTPUT=$(OUTPUT)/render hack/render.sh

.PHONY: test
test: tools ## Run every test with the race detector, then fuzz RunFunction for FUZZTIME.
	CROSSPLANE_CLI=$(CROSSPLANE) go test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

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

# gofmt checks every Go file git would commit, tracked or new.
.PHONY: lint
lint: ## go vet, and fail when gofmt would change a file.
	go vet ./...
	@out=$$(git ls-files --cached --others --exclude-standard -z '*.go' | xargs -0 gofmt -l); \
	if [[ -n "$$out" ]]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: clean
clean: ## Remove build output (not the tool cache in .cache).
	rm -rf $(OUTPUT)
