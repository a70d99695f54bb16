"""The NLP pipeline: plain Python that knows nothing of Django or Celery. Text in, dataclasses out."""
