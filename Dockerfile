# syntax=docker/dockerfile:1
# One file, two targets: `docker build --target function .` and
# `docker build --target provider .`. Static binaries on a distroless base,
# running as a non-root user.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ENV CGO_ENABLED=0

FROM build AS build-provider
ARG TARGETOS=linux TARGETARCH=amd64
RUN GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o /out/provider ./provider

FROM gcr.io/distroless/static-debian12:nonroot AS provider
COPY --from=build-provider /out/provider /provider
USER 65532:65532
ENTRYPOINT ["/provider"]

FROM build AS build-function
ARG TARGETOS=linux TARGETARCH=amd64
RUN GOOS=${TARGETOS} GOARCH=${TARGETARCH} go build -trimpath -ldflags="-s -w" -o /out/function ./function

# The function is the default target.
FROM gcr.io/distroless/static-debian12:nonroot AS function
COPY --from=build-function /out/function /function
USER 65532:65532
EXPOSE 9443
ENTRYPOINT ["/function"]
