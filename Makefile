# docpipe: `make run` starts everything on embedded defaults; `make test` runs every test.

VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS  := -s -w -X main.version=$(VERSION) -X main.revision=$(REVISION)
export OMP_THREAD_LIMIT ?= 1

.PHONY: run build deps check test fuzz bench clean

## run: build and start `docpipe serve` on http://127.0.0.1:8080 with data in ./data
run: build
	./bin/docpipe serve

## build: build ./bin/docpipe (installs tesseract and poppler if missing)
build: deps
	go build -trimpath -ldflags '$(LDFLAGS)' -o bin/docpipe ./cmd/docpipe

## deps: install the system packages docpipe needs (Debian/Ubuntu)
deps:
	@scripts/deps.sh

## check: the quick loop while working: gofmt, vet, go test -race -short of the offline packages
check:
	scripts/check.sh

## test: every test, installing what the tests need (what CI runs)
test:
	scripts/test.sh

## fuzz: run every fuzz target for FUZZTIME (default 1m)
fuzz:
	scripts/fuzz.sh $(or $(FUZZTIME),1m)

## bench: the benchmarks behind docs/benchmarks.md
bench: build
	scripts/bench.sh

clean:
	rm -rf bin
