# xp-aerospike: one target per job. Tools are built from the Go module proxy
# at pinned versions into .cache/, once.

SHELL := /usr/bin/env bash
.SHELLFLAGS := -euo pipefail -c

CACHE     := $(CURDIR)/.cache
TOOLS     := $(CACHE)/tools
OUTPUT    := $(CURDIR)/_output

CROSSPLANE_VERSION := v2.2.1
CROSSPLANE         := $(TOOLS)/crossplane-$(CROSSPLANE_VERSION)
FUNCTION_BIN       := $(OUTPUT)/bin/function

# The address `make render` serves the function on; examples' functions.yaml
# name it as their development target.
RENDER_ADDRESS ?= 127.0.0.1:9443

FUZZTIME ?= 15s

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show the targets.
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-10s %s\n", $$1, $$2}'

.PHONY: tools
tools: $(CROSSPLANE) ## Build the real crossplane CLI once into .cache/tools.

# The CLI left the crossplane repository after v2.2; its go.mod has replace
# directives, so `go install` refuses it. The wrapper module under
# hack/tools/crossplane pins it and its dependencies.
$(CROSSPLANE): hack/tools/crossplane/go.mod hack/tools/crossplane/go.sum
	@mkdir -p $(TOOLS)
	@echo "Building the crossplane CLI $(CROSSPLANE_VERSION) (a few minutes the first time)"
	cd hack/tools/crossplane && CGO_ENABLED=0 go build -trimpath \
		-ldflags "-X github.com/crossplane/crossplane/v2/internal/version.version=$(CROSSPLANE_VERSION)" \
		-o $@ github.com/crossplane/crossplane/v2/cmd/crank
	ln -sf $(notdir $@) $(TOOLS)/crossplane

.PHONY: build
build: ## Build the function binary into _output/bin.
	@mkdir -p $(OUTPUT)/bin
	CGO_ENABLED=0 go build -trimpath -o $(FUNCTION_BIN) ./function

.PHONY: render
render: tools build ## Render every example through the real function with the real crossplane render.
	CROSSPLANE=$(CROSSPLANE) FUNCTION=$(FUNCTION_BIN) ADDRESS=$(RENDER_ADDRESS) OUTPUT=$(OUTPUT)/render hack/render.sh

.PHONY: test
test: tools ## Run every test, with the race detector, then a short fuzz run.
	CROSSPLANE_CLI=$(CROSSPLANE) go test -race -count=1 ./...
	$(MAKE) --no-print-directory fuzz FUZZTIME=$(FUZZTIME)

.PHONY: fuzz
fuzz: ## Fuzz RunFunction for FUZZTIME (default 15s).
	go test -run='^$$' -fuzz=FuzzRunFunction -fuzztime=$(FUZZTIME) ./function/

.PHONY: bench
bench: ## Run the benchmarks.
	go test -run='^$$' -bench=. -benchmem ./function/...

.PHONY: generate
generate: ## Regenerate deepcopy methods, the XRD and the input CRD from the Go types.
	go generate ./...

.PHONY: lint
lint: ## go vet, and fail when gofmt would change a file.
	go vet ./...
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [[ -n "$$out" ]]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

.PHONY: clean
clean: ## Remove build output (not the tool cache).
	rm -rf $(OUTPUT)
