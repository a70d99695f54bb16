"""A worker process loads its models before its first job (articles.tasks.load_models_once), so the first
import or analysis it runs does not wait for them: spaCy's pipeline, the sentence encoder and the language
identifier."""

from __future__ import annotations

from articles.nlp import embeddings, language
from articles.tasks import load_models_once


def test_a_worker_process_has_every_model_loaded_before_its_first_job():
    embeddings.encoder.cache_clear()
    language._identifier.cache_clear()
    load_models_once()
    assert embeddings.encoder.cache_info().currsize == 1
    assert language._identifier.cache_info().currsize == 1
    # Loaded, not merely attempted: the models answer.
    assert language.detect_language("The harbour reopened to ferries on Saturday after a storm. " * 3) == "en"
    assert embeddings.encoder().encode(["The harbour reopened."]).shape == (1, embeddings.DIMENSIONS)
