# syntax=docker/dockerfile:1
# Multi-stage: fetch the pinned dependencies (hack/image/requirements.lock, hash-checked) and build
# the package's wheel, then install them into a slim, non-root runtime image.
# `docker build -t steersman:0.1.0 .`
# Without a registry to pull the base from, `make image` builds the same image from Debian's
# packages (hack/image/build.sh; see docs/image.md). Keep the two in step.
FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY hack/image/requirements.lock ./
RUN pip download --no-cache-dir --only-binary=:all: --no-deps --require-hashes \
      -r requirements.lock -d /wheels \
 && cp requirements.lock /wheels/
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.7-slim-bookworm
# MALLOC_ARENA_MAX: two malloc arenas, not one per thread (the chart and record work in
# asyncio's threads otherwise leaves memory spread over up to 8 arenas per core).
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    MALLOC_ARENA_MAX=2 \
    HOME=/tmp
RUN groupadd --gid 65532 steersman \
 && useradd --uid 65532 --gid 65532 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin steersman
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index --no-deps --require-hashes --find-links /wheels \
      -r /wheels/requirements.lock \
 && pip install --no-cache-dir --no-index --no-deps /wheels/steersman-*.whl \
 && rm -rf /wheels
# Numeric, so runAsNonRoot can verify it; the root filesystem can be read-only (HOME is /tmp).
USER 65532:65532
WORKDIR /tmp
EXPOSE 8080 9440
ENTRYPOINT ["steersman"]
CMD ["run"]
