# Chalkboard: one image, one process kind. `chalkboard serve` runs as PID 1 so that
# SIGTERM (Fargate Spot's two-minute warning) reaches it directly.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# Dependencies first, so code changes do not reinstall them.
COPY pyproject.toml README.md ./
RUN mkdir service && touch service/__init__.py \
    && pip install . \
    && pip uninstall --yes chalkboard \
    # The embedded Postgres is for laptops; production always sets DATABASE_URL.
    && pip uninstall --yes pgserver
COPY service ./service
COPY web ./web
COPY tv-client ./tv-client
# Editable: the app finds web/ and tv-client/ beside service/, as in a checkout. Compiled
# here: at run time /app is read-only to the app's user and PYTHONDONTWRITEBYTECODE is set,
# so otherwise every task start would compile every module again, and a replacement task
# (Spot) would take longer to be ready.
RUN pip install --no-deps -e . && python -m compileall -q service

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CHALKBOARD_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000
RUN groupadd --system --gid 10001 chalkboard \
    && useradd --system --uid 10001 --gid chalkboard --no-create-home chalkboard
COPY --from=build /opt/venv /opt/venv
COPY --from=build --chown=root:root /app /app
WORKDIR /app
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('PORT', '8000') + '/healthz', timeout=2)"]
STOPSIGNAL SIGTERM
CMD ["chalkboard", "serve"]
