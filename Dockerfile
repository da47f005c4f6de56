# feedkeeper in a container: the scheduler daemon by default, or any one-shot command.
#   docker build -t feedkeeper .
#   docker run -d -v feedkeeper-data:/data -e FEEDKEEPER_URL=https://blog.example/ feedkeeper

# Build stage: uv resolves the locked dependencies and installs the project into a venv.
FROM python:3.13-slim-bookworm AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.9 /uv /usr/local/bin/uv
ENV UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /src
# Dependencies first, so editing the code does not rebuild this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-editable --no-install-project
COPY README.md datasette-metadata.json ./
COPY src ./src
COPY migrations ./migrations
COPY fixtures/site ./fixtures/site
RUN uv sync --frozen --no-dev --no-editable

# Final stage: the same Python, the venv, no uv and no build tools.
FROM python:3.13-slim-bookworm
RUN groupadd --system --gid 10001 feedkeeper \
    && useradd --system --uid 10001 --gid feedkeeper --home-dir /data --no-create-home feedkeeper \
    && mkdir /data \
    && chown feedkeeper:feedkeeper /data
COPY --from=build /app/.venv /app/.venv
ENV PATH=/app/.venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FEEDKEEPER_DB=/data/feedkeeper.db \
    FEEDKEEPER_LOG_FORMAT=json
VOLUME ["/data"]
WORKDIR /data
USER 10001:10001
# The daemon finishes the page in flight on SIGTERM and exits within `docker stop`'s 10 s.
STOPSIGNAL SIGTERM
# Unhealthy when the archive is unreadable or no crawl succeeded for 3 scheduled intervals.
HEALTHCHECK --interval=5m --timeout=30s --start-period=1m --retries=3 \
    CMD ["feedkeeper", "health"]
ENTRYPOINT ["feedkeeper"]
CMD ["schedule"]
