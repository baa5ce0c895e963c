# golive — build, test, lint. `make test` is the one command that sets up
# and runs the whole test suite on a fresh Debian/Ubuntu machine.

GO          ?= go
VERSION     ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -s -w -X github.com/golive-sh/golive/internal/cli.Version=$(VERSION)
TOOLS       := $(CURDIR)/.tools
STATICCHECK := $(TOOLS)/staticcheck
STATICCHECK_VERSION := v0.8.2
FUZZTIME    ?= 10s
BENCHTIME   ?= 1s

.PHONY: all build test test-deps lint bench fuzz clean

all: lint test build

## build: static binary bin/golive (no cgo, no program interpreter)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/golive ./cmd/golive

## test-deps: install (as root) or name (otherwise) the system packages tests need
test-deps:
	@sh scripts/test-deps.sh

## test: the whole suite with the race detector, CLI tests included
test: test-deps
	$(GO) test -race -count=1 ./...

## lint: gofmt, go vet, staticcheck
lint: $(STATICCHECK)
	@out=$$(gofmt -l . | grep -v '^testdata/' || true); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags golive_testfamily ./checks/...
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags golive_testfamily ./checks/...

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

## bench: every benchmark, no tests
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## fuzz: a short run of every fuzz target (FUZZTIME each)
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
	  for t in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
	    echo "fuzz $$pkg $$t"; \
	    $(GO) test -run '^$$' -fuzz "^$$t$$" -fuzztime $(FUZZTIME) $$pkg; \
	  done; \
	done

clean:
	rm -rf bin dist
