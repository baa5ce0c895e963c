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

# Release artifacts (make dist): where they go, for which architectures,
# and the package version dpkg and rpm accept (packaging/version.sh).
DIST        ?= dist
ARCHES      ?= amd64 arm64
MANDIR      ?= $(DIST)/man
PKG_VERSION  = $(shell sh packaging/version.sh '$(VERSION)')
# The commit's date for man pages and package file times: two builds of one
# commit give the same bytes.
SOURCE_DATE_EPOCH ?= $(shell git log -1 --format=%ct 2>/dev/null || date +%s)
HOSTARCH     = $(shell $(GO) env GOHOSTARCH)
NFPM        := $(TOOLS)/nfpm
# v2.46 and later need modules the Go module proxy does not serve.
NFPM_VERSION := v2.45.2
# The peer make bench-peers measures golive against (issue 19 §4).
GOSS        := $(TOOLS)/goss
GOSS_VERSION := v0.4.9

.PHONY: all build test test-deps lint bench bench-peers goss fuzz clean dist man docs generate

all: lint test build

## build: static binary bin/golive (no cgo, no program interpreter)
build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags '$(LDFLAGS)' -o bin/golive ./cmd/golive

## test-deps: install (as root) or name (otherwise) the system packages tests need
test-deps:
	@sh scripts/test-deps.sh

## test: the whole suite with the race detector, CLI tests included (nfpm
## first: the packaging test runs `make dist`, and tests fetch nothing)
test: test-deps $(NFPM) goss
	$(GO) test -race -count=1 -timeout 30m ./...

## lint: gofmt, go vet, staticcheck
lint: $(STATICCHECK)
	@out=$$(gofmt -l . | grep -v '^testdata/' || true); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags golive_testfamily ./checks/...
	$(STATICCHECK) ./...
	$(STATICCHECK) -tags golive_testfamily ./checks/...

$(STATICCHECK):
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

$(NFPM):
	GOBIN=$(TOOLS) $(GO) install github.com/goreleaser/nfpm/v2/cmd/nfpm@$(NFPM_VERSION)

## docs: docs/checks.md from the families' doc.md files and check metadata
## (tools/genchecks), docs/profile.schema.json and docs/profile-reference.md
## from the profile definitions (tools/genprofile); tests fail when a
## committed file is stale
docs:
	$(GO) run ./tools/genchecks -out docs/checks.md
	$(GO) run ./tools/genprofile -schema docs/profile.schema.json -reference docs/profile-reference.md

## generate: internal/profile/builtins.bin, the built-in profiles parsed and
## validated at build time (tools/genbuiltins; run it after editing
## profiles/*.yaml — a test fails when the committed file is stale)
generate:
	$(GO) run ./tools/genbuiltins -out internal/profile/builtins.bin

## man: man pages from the cobra commands, golive.1 and one per subcommand, and
## golive.yaml.5 from docs/profile-reference.md, in $(MANDIR)
man:
	SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) $(GO) run ./tools/gendocs -out $(MANDIR) -version $(VERSION)

## dist: static binaries for $(ARCHES), man pages, shell completions, .deb
## and .rpm packages and SHA256SUMS in $(DIST)/ (see packaging/README.md)
dist: $(NFPM)
	@pv='$(PKG_VERSION)'; [ -n "$$pv" ] || { echo "dist: no package version for VERSION=$(VERSION)" >&2; exit 1; }
	@case ' $(ARCHES) ' in *' $(HOSTARCH) '*) ;; *) echo "dist: completions are written by the $(HOSTARCH) binary: add $(HOSTARCH) to ARCHES" >&2; exit 1 ;; esac
	mkdir -p $(DIST)
	rm -rf $(DIST)/man $(DIST)/completions
	rm -f $(DIST)/golive_* $(DIST)/golive-* $(DIST)/SHA256SUMS
	@set -e; for arch in $(ARCHES); do \
	  echo "build $(DIST)/golive_$(VERSION)_linux_$$arch"; \
	  CGO_ENABLED=0 GOOS=linux GOARCH=$$arch $(GO) build -trimpath -ldflags '$(LDFLAGS)' \
	    -o $(DIST)/golive_$(VERSION)_linux_$$arch ./cmd/golive; \
	done
	$(MAKE) --no-print-directory man MANDIR=$(DIST)/man
	gzip -9nf $(DIST)/man/*.1 $(DIST)/man/*.5
	mkdir -p $(DIST)/completions
	$(DIST)/golive_$(VERSION)_linux_$(HOSTARCH) completion bash >$(DIST)/completions/golive.bash
	$(DIST)/golive_$(VERSION)_linux_$(HOSTARCH) completion zsh >$(DIST)/completions/_golive
	$(DIST)/golive_$(VERSION)_linux_$(HOSTARCH) completion fish >$(DIST)/completions/golive.fish
	@set -e; for arch in $(ARCHES); do for fmt in deb rpm; do \
	  echo "package $$fmt linux/$$arch"; \
	  GOLIVE_ARCH=$$arch GOLIVE_PKG_VERSION='$(PKG_VERSION)' GOLIVE_DIST=$(DIST) \
	  GOLIVE_BINARY=$(DIST)/golive_$(VERSION)_linux_$$arch SOURCE_DATE_EPOCH=$(SOURCE_DATE_EPOCH) \
	    $(NFPM) package --config packaging/nfpm.yaml --packager $$fmt --target $(DIST)/; \
	done; done
	cd $(DIST) && sha256sum golive_$(VERSION)_linux_* *.deb *.rpm >SHA256SUMS
	@cat $(DIST)/SHA256SUMS

## bench: every benchmark, no tests
bench:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./...

## bench-peers: golive side by side with goss $(GOSS_VERSION) on this host, and
## the budgets of DESIGN.md (scripts/bench-peers.sh; RUNS=N pairs, default 21)
bench-peers: build test-deps goss
	bash scripts/bench-peers.sh bin/golive $(GOSS)

## goss: goss $(GOSS_VERSION) in $(TOOLS), unless it is there. Through a throwaway
## module: `go install pkg@version` also reads the module's version list (for
## deprecations), which a module proxy may refuse (403); `go get` of one version does not.
goss:
	@if ! $(GO) version -m $(GOSS) 2>/dev/null | grep -q '^[[:space:]]*mod[[:space:]]*github.com/goss-org/goss[[:space:]]*$(GOSS_VERSION)[[:space:]]'; then \
	  set -e; d=$$(mktemp -d); trap 'rm -rf "$$d"' EXIT; cd "$$d"; \
	  echo "install goss $(GOSS_VERSION) in $(TOOLS)"; \
	  $(GO) mod init throwaway >/dev/null 2>&1; \
	  $(GO) get github.com/goss-org/goss/cmd/goss@$(GOSS_VERSION); \
	  GOBIN=$(TOOLS) $(GO) install github.com/goss-org/goss/cmd/goss; \
	fi

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
