# Multi-stage build: compile in the Rust image, run in a slim Debian with libpq.
FROM rust:1-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Cargo.toml Cargo.lock rustfmt.toml diesel.toml ./
COPY src ./src
COPY migrations ./migrations
COPY assets ./assets
RUN cargo build --release --locked --bin budgetwatch

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpq5 ca-certificates curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /app budgetwatch
COPY --from=build /src/target/release/budgetwatch /usr/local/bin/budgetwatch
WORKDIR /app
USER budgetwatch
ENV BUDGETWATCH_HOST=0.0.0.0 \
    BUDGETWATCH_PORT=8080 \
    BUDGETWATCH_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/readyz || exit 1
ENTRYPOINT ["budgetwatch"]
CMD ["serve"]
