# syntax=docker/dockerfile:1
# Multi-stage: build a wheel, then install it into a slim, non-root runtime image.
FROM python:3.11.7-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operator ./operator
RUN pip wheel --no-cache-dir --wheel-dir /wheels .

FROM python:3.11.7-slim-bookworm
RUN useradd --uid 65532 --no-create-home --shell /usr/sbin/nologin steersman
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 65532:65532
ENTRYPOINT ["steersman"]
CMD ["run"]
