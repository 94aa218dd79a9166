# syntax=docker/dockerfile:1
# Multi-stage: build wheels for the package and its pinned dependencies, then install them into a
# slim, non-root runtime image. `docker build -t steersman:0.1.0 .`
FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11.7-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp
RUN useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin steersman
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir --no-index /wheels/*.whl && rm -rf /wheels
# Numeric, so runAsNonRoot can verify it; the root filesystem can be read-only (HOME is /tmp).
USER 65532:65532
EXPOSE 8080 9440
ENTRYPOINT ["steersman"]
CMD ["run"]
