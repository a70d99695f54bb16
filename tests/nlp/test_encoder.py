"""The sentence encoder runs an int8 graph derived once from the packaged model (articles.nlp.embeddings): it
must mean what the packaged graph means, be built once per installation, still work where it cannot be kept,
and never let vectors of two graphs be compared."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from articles.nlp import embeddings

SENTENCES = [
    "The ferry company said 40 ships would resume sailing on Wednesday.",
    "Forty vessels will be back in service by Wednesday, the operator said.",
    "The central bank raised interest rates by half a point on Thursday.",
    "Rescuers pulled three survivors from the rubble of the collapsed hotel.",
]


@pytest.fixture(scope="module")
def both_encoders():
    return (
        embeddings.SentenceEncoder(threads=1, quantized_graph=False),
        embeddings.SentenceEncoder(threads=1, quantized_graph=True),
    )


def test_the_int8_graph_means_what_the_packaged_graph_means(both_encoders):
    packaged, derived = both_encoders
    assert derived.quantized and not packaged.quantized
    a, b = packaged.encode(SENTENCES), derived.encode(SENTENCES)
    # Each sentence's vector from the two graphs points the same way...
    assert (a * b).sum(axis=1).min() > 0.97
    # ...and the paraphrase is the nearest sentence to the first one under both.
    for vectors in (a, b):
        similarity = vectors[1:] @ vectors[0]
        assert int(np.argmax(similarity)) == 0
    assert np.abs((a @ a.T) - (b @ b.T)).max() < 0.06


def test_the_derived_graph_is_built_once_and_then_read(tmp_path, monkeypatch):
    monkeypatch.setenv(embeddings.CACHE_ENV, str(tmp_path / "models"))
    first = embeddings.prepared_model()
    assert first.parent == tmp_path / "models" and first.is_file()
    assert [p.name for p in first.parent.iterdir()] == [first.name], "no partial file left behind"

    def no_second_build(*_args):
        raise AssertionError("the kept graph was built again")

    monkeypatch.setattr(embeddings, "_derive", no_second_build)
    assert embeddings.prepared_model() == first


def test_an_upgrade_removes_the_graph_the_previous_version_derived(tmp_path, monkeypatch):
    folder = tmp_path / "models"
    folder.mkdir()
    superseded = folder / "minilm-l6-int8-dynamic-0123456789abcdef.onnx"
    superseded.write_bytes(b"a graph an earlier recipe derived")
    unrelated = folder / "notes.txt"
    unrelated.write_text("not ours to remove")
    monkeypatch.setenv(embeddings.CACHE_ENV, str(folder))
    kept = embeddings.prepared_model()
    assert kept.is_file() and not superseded.exists() and unrelated.exists()


def test_a_cache_folder_that_cannot_be_written_still_gives_a_working_encoder(tmp_path, monkeypatch, caplog):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(embeddings.CACHE_ENV, str(blocker / "models"))
    with caplog.at_level(logging.WARNING, logger="articles.nlp.embeddings"):
        path = embeddings.prepared_model()
    try:
        assert path.is_file() and blocker not in path.parents
        assert "Cannot keep the derived encoder" in caplog.text
    finally:
        path.unlink()


def test_an_encoder_built_where_its_graph_cannot_be_kept_leaves_no_file_behind(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(embeddings.CACHE_ENV, str(blocker / "models"))
    built = []
    real = embeddings.prepared_model
    monkeypatch.setattr(embeddings, "prepared_model", lambda: built.append(real()) or built[-1])
    encoder = embeddings.SentenceEncoder(threads=1)
    assert encoder.encode(SENTENCES[:1]).shape == (1, embeddings.DIMENSIONS)
    assert built and not built[0].exists()


def test_without_the_quantiser_the_error_says_what_to_install(tmp_path, monkeypatch):
    from importlib import metadata

    monkeypatch.setenv(embeddings.CACHE_ENV, str(tmp_path))
    real_version = metadata.version

    def version(name):
        if name == "onnx":
            raise metadata.PackageNotFoundError(name)
        return real_version(name)

    monkeypatch.setattr(metadata, "version", version)
    with pytest.raises(
        embeddings.EmbeddingModelUnavailable, match="'onnx' is not installed.*EMBEDDING_QUANTIZED=0"
    ):
        embeddings.prepared_model()


def test_a_vector_of_another_graph_reads_as_missing(monkeypatch):
    vector = np.full(embeddings.DIMENSIONS, 1 / np.sqrt(embeddings.DIMENSIONS), dtype=np.float32)
    monkeypatch.setenv(embeddings.QUANTIZED_ENV, "1")
    stored = embeddings.to_bytes(vector)
    assert np.allclose(embeddings.from_bytes(stored), vector, atol=1e-3)
    # Stored before the derived graph existed: bare float16 values, no tag.
    assert embeddings.from_bytes(vector.astype(np.float16).tobytes()) is None
    monkeypatch.setenv(embeddings.QUANTIZED_ENV, "0")
    assert embeddings.from_bytes(stored) is None, "the packaged graph's encoder must not read int8 vectors"
    assert embeddings.from_bytes(embeddings.to_bytes(vector)) is not None


def test_the_derived_graph_keeps_float_only_where_int8_moves_the_meaning_most():
    import onnx

    graph = onnx.load(str(embeddings.prepared_model()), load_external_data=False).graph
    weights = {init.name for init in graph.initializer}
    float_products = [n for n in graph.node if n.op_type == "MatMul" and any(i in weights for i in n.input)]
    integer_products = [n for n in graph.node if n.op_type in {"MatMulInteger", "DynamicQuantizeMatMul"}]
    # Six layers of four attention and two feed-forward products: all int8 but the first two layers' second
    # feed-forward product.
    assert len(float_products) == embeddings.FLOAT_FFN_OUT_LAYERS == 2
    assert len(integer_products) == 6 * 6 - 2


def test_a_sentence_gets_the_same_vector_whatever_is_embedded_with_it(both_encoders):
    _, derived = both_encoders
    alone = derived.encode(SENTENCES[:1])[0]
    with_others = derived.encode(SENTENCES[::-1] + ["A much longer sentence " * 10])[len(SENTENCES) - 1]
    np.testing.assert_array_equal(alone, with_others)
