"""A model file with wrong metadata, shapes or outputs is refused on load with a message."""

import numpy as np
import pytest

from ml.classes import CLASS_NAMES
from ml.runtime.classifier import CrackClassifier, ModelError

pytest.importorskip("onnx")
from tests.onnx_fixtures import linear_onnx as _model  # noqa: E402


def test_a_well_formed_model_loads_and_classifies(tmp_path):
    clf = CrackClassifier(_model(tmp_path / "ok.onnx"))
    probabilities = clf.probabilities([np.zeros((40, 50, 3), np.uint8)])
    assert probabilities.shape == (1, len(CLASS_NAMES))
    assert np.isclose(probabilities.sum(), 1)


@pytest.mark.parametrize("meta,message", [
    ({"std": "[0, 1, 1]"}, "std above 0"),
    ({"mean": "[NaN, 0.5, 0.5]"}, "must be finite"),
    ({"mean": "[0.5, 0.5]"}, "malformed model metadata"),
    ({"input_size": "big"}, "malformed model metadata"),
    ({"input_size": "0"}, "input_size 0 is not"),
    ({"class_names": "{\"a\": 1}"}, "class_names must be a list"),
    ({"class_names": "not json"}, "malformed model metadata"),
])
def test_malformed_metadata_is_refused(tmp_path, meta, message):
    with pytest.raises(ModelError, match=message):
        CrackClassifier(_model(tmp_path / "m.onnx", **meta))


def test_input_size_and_output_count_must_match_the_metadata(tmp_path):
    with pytest.raises(ModelError, match=r"takes .* not images of 3 x 64 x 64"):
        CrackClassifier(_model(tmp_path / "size.onnx", input_size="64"))
    with pytest.raises(ModelError, match="not 6 class scores per frame"):
        CrackClassifier(_model(tmp_path / "count.onnx", classes=4))


def test_nan_outputs_are_refused_on_load(tmp_path):
    with pytest.raises(ModelError, match="non-finite scores"):
        CrackClassifier(_model(tmp_path / "nan.onnx", scale=float("nan")))


@pytest.mark.parametrize("location", ["../secret.bin", "ABSOLUTE"])
def test_external_data_outside_the_model_folder_is_refused(tmp_path, location):
    """onnxruntime>=1.24 (pyproject) validates external data paths; this checks the one here."""
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.ones(18, np.float32).tobytes())
    folder = tmp_path / "models"
    folder.mkdir()
    (folder / "inside.bin").write_bytes(secret.read_bytes())
    assert CrackClassifier(_model(folder / "in.onnx", external="inside.bin")).model_id == "tiny"
    location = str(secret) if location == "ABSOLUTE" else location
    with pytest.raises(ModelError, match="not an ONNX model ONNX Runtime can load"):
        CrackClassifier(_model(folder / "ext.onnx", external=location))
