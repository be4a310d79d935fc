# talentnet production image: slim Python 3.12, non-root, static files collected at build.
FROM python:3.12-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext libpq5 \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md requirements.lock ./
# The locked runtime versions (with hashes), then the project without resolving again.
RUN pip install --upgrade pip && pip install -r requirements.lock && pip install --no-deps .
COPY . .

# Build-time settings only: the real ones come from the environment at run time. The
# settings want the three service URLs with DEBUG off; these two commands connect to none.
ARG BUILD_ENV="DEBUG=false SECRET_KEY=build-only STATIC_MANIFEST=true TALENTNET_VAR_DIR=/app/var \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost/0 \
    CELERY_BROKER_URL=redis://localhost/1"
RUN env $BUILD_ENV python manage.py compilemessages --ignore=.venv -v0 \
    && env $BUILD_ENV python manage.py collectstatic --noinput -v0

RUN useradd --create-home --uid 10001 talentnet && mkdir -p /app/var/media && chown -R talentnet /app/var
USER talentnet

EXPOSE 8000
# bind, workers, timeout, the redacted access log, no Server banner: talentnet/gunicorn.conf.py
CMD ["gunicorn", "-c", "talentnet/gunicorn.conf.py", "talentnet.wsgi"]
