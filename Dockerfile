# syntax=docker/dockerfile:1

# Build a static cmesim binary. The scenario library is embedded in it.
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/cmesim ./cmd/cmesim \
 && mkdir -p /out/data

# Run it as a non-root user on a minimal base with no shell.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/cmesim /cmesim
COPY configs/cmesim.yaml /etc/cmesim/cmesim.yaml
COPY --from=build --chown=65532:65532 /out/data /data
# Inside a container the server must listen on all interfaces to be reached
# through a published port; state goes to the /data volume.
ENV CMESIM_LISTEN=:8080 \
    CMESIM_DATA_DIR=/data
VOLUME ["/data"]
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/cmesim"]
# The live server, on the embedded SQLite store in /data. Its admin key is
# printed at start and kept in /data/admin.key (or set CMESIM_ADMIN_KEY).
CMD ["serve"]
