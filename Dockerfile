# Tocsin in a container: docs/deploy.md ("Containers"). With compose.yaml: PostgreSQL 15,
# the API and the engine as services of their own.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system tocsin \
    && useradd --system --gid tocsin --home-dir /var/lib/tocsin --create-home --shell /usr/sbin/nologin tocsin

COPY pyproject.toml README.md /src/tocsin/
COPY src /src/tocsin/src
RUN pip install /src/tocsin && rm -rf /src/tocsin

ENV TOCSIN_DATA_DIR=/var/lib/tocsin \
    TOCSIN_HOST=0.0.0.0 \
    TOCSIN_PORT=8080
USER tocsin
WORKDIR /var/lib/tocsin
VOLUME /var/lib/tocsin
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s%s/health/live' % (os.environ.get('TOCSIN_PORT', '8080'), os.environ.get('TOCSIN_ROOT_PATH', '')), timeout=4)" || exit 1

# Migrates the database, then serves (and runs the engine, unless --no-engine).
CMD ["tocsin", "serve"]
