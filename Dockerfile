# syntax=docker/dockerfile:1
# One file, two targets, each a static binary on a distroless base running as
# a non-root user:
#
#   docker build --target function -t function-aerospike .
#   docker build --target provider -t provider-aerospike .
#
# The builder runs on the build machine's platform and cross-compiles for
# the target platform, so multi-platform builds need no emulation.

FROM --platform=${BUILDPLATFORM} golang:1.26 AS build
WORKDIR /src
ENV CGO_ENABLED=0
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .

FROM build AS build-function
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o /out/function ./function

FROM build AS build-provider
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o /out/provider ./provider

FROM gcr.io/distroless/static-debian12:nonroot AS provider
COPY --from=build-provider /out/provider /provider
USER 65532:65532
ENTRYPOINT ["/provider"]

# Last, so that a build without --target builds the function.
FROM gcr.io/distroless/static-debian12:nonroot AS function
COPY --from=build-function /out/function /function
USER 65532:65532
# gRPC, where Crossplane calls the function.
EXPOSE 9443
ENTRYPOINT ["/function"]
