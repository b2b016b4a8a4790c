# syntax=docker/dockerfile:1
# check=experimental=all

# docpipe: one image for every role; the command picks it (serve, api, worker, ocr, ...).
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg CREATED=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t docpipe .
#
# See docs/container.md for running it read-only and non-root.

# GO_VERSION is the Go release of the builder image.
ARG GO_VERSION=1.26
# DEBIAN_SUITE is the Debian release of both stages; the runtime libraries must match the build.
ARG DEBIAN_SUITE=bookworm

# build compiles docpipe with cgo against libtesseract.
FROM docker.io/library/golang:${GO_VERSION}-${DEBIAN_SUITE} AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++ gcc libc6-dev pkg-config \
        libtesseract-dev libleptonica-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
ARG GOPROXY
ARG GOSUMDB
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download
COPY cmd ./cmd
COPY internal ./internal
ARG VERSION=dev
ARG REVISION=unknown
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=1 go build -trimpath -buildvcs=false \
        -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
        -o /out/docpipe ./cmd/docpipe

FROM docker.io/library/debian:${DEBIAN_SUITE}-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates poppler-utils qpdf \
        tesseract-ocr tesseract-ocr-eng tesseract-ocr-osd \
        tesseract-ocr-deu tesseract-ocr-fra tesseract-ocr-spa tesseract-ocr-ita tesseract-ocr-por tesseract-ocr-nld \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 65532 docpipe \
    && useradd --system --uid 65532 --gid 65532 --home-dir /var/lib/docpipe \
        --no-create-home --shell /usr/sbin/nologin docpipe \
    && install -d -o 65532 -g 65532 -m 0750 /var/lib/docpipe
COPY --from=build /out/docpipe /usr/local/bin/docpipe

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED
ARG LICENSES=NOASSERTION
ARG SOURCE=https://github.com/docpipe/docpipe
LABEL org.opencontainers.image.title="docpipe" \
      org.opencontainers.image.description="Upload documents, OCR them in the background, search their text" \
      org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.licenses="${LICENSES}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"

ENV DOCPIPE_ADDR=0.0.0.0:8080 \
    DOCPIPE_DATA_DIR=/var/lib/docpipe \
    OMP_THREAD_LIMIT=1
VOLUME /var/lib/docpipe
WORKDIR /var/lib/docpipe
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 \
    CMD ["docpipe", "healthcheck"]
ENTRYPOINT ["docpipe"]
CMD ["serve"]
