# syntax=docker/dockerfile:1
# concur-gateway: `docker run -p 8080:8080 concur-gateway` serves the embedded sandbox demo.
# Configuration is environment only (CONCUR_GATEWAY_*, REDIS_URL, OTEL_*): see the README.

ARG PYTHON_IMAGE=python:3.11-slim

# --- build: the project and its dependencies into a virtualenv (pre-compiled bytecode) ---
FROM ${PYTHON_IMAGE} AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY pyproject.toml README.md ./
COPY adapters/ adapters/
COPY gateway/ gateway/
COPY resolvers/ resolvers/
COPY sandbox/ sandbox/
RUN pip install .

# --- runtime: the virtualenv only, as an unprivileged user ---
FROM ${PYTHON_IMAGE} AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CONCUR_GATEWAY_SERVER__HOST=0.0.0.0 \
    CONCUR_GATEWAY_SERVER__PORT=8080
RUN groupadd --system --gid 10001 gateway \
    && useradd --system --uid 10001 --gid gateway --no-create-home --home-dir /nonexistent \
       --shell /usr/sbin/nologin gateway
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8080
# Liveness only (no Concur call): python, since the slim image has no curl.
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('CONCUR_GATEWAY_SERVER__PORT', '8080'), timeout=2)"]
STOPSIGNAL SIGTERM
CMD ["concur-gateway", "serve"]
