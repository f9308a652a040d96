"""The app, the scan and `sewer-ml classify` run a packaged model's int8 twin, with the fp32
file's decision policy; a folder without a twin still runs its fp32 file."""

from __future__ import annotations

import shutil

import onnx
import pytest

from ml import cli
from ml.runtime.model_files import (
    INT8_ID_SUFFIX,
    int8_twin,
    read_package,
    run_runtime_model,
    runtime_model,
)
from ml.training.export import int8_weight_range
from sewer_gui import resources


def _meta(model) -> dict[str, str]:
    return {p.key: p.value for p in onnx.load(str(model)).metadata_props}


def test_the_twin_is_named_as_the_packager_names_it(tmp_path):
    assert int8_twin(tmp_path / "model.onnx") == tmp_path / "model_int8.onnx"
    assert int8_twin(tmp_path / "cmi_student.onnx") == tmp_path / "cmi_student_int8.onnx"


def test_runtime_model_takes_the_twin_only_when_it_exists(tiny_onnx, tmp_path):
    fp32 = tmp_path / "model.onnx"
    shutil.copyfile(tiny_onnx, fp32)
    assert runtime_model(fp32) == fp32
    shutil.copyfile(tiny_onnx, tmp_path / "model_int8.onnx")
    assert runtime_model(fp32) == tmp_path / "model_int8.onnx"


def test_the_bundled_model_runs_as_seven_bit_int8_with_the_fp32_policy():
    app, tool = resources.default_model_path(), cli.default_model_path()
    assert app == tool and app.name == "cmi_student_int8.onnx" and app.is_file()
    fp32 = _meta(app.with_name("cmi_student.onnx"))
    int8 = _meta(app)
    assert int8["model_id"] == fp32["model_id"] + INT8_ID_SUFFIX
    assert int8["decision"] == fp32["decision"]
    assert max(map(abs, int8_weight_range(app))) <= 64


@pytest.mark.parametrize("package", [None, b"\xff\xfe not json", b"[1, 2]", b'{"model_id": "a"}',
                                     b'{"int8_weight_bits": 8}'])
def test_a_run_without_a_readable_seven_bit_package_runs_its_fp32_file(tiny_onnx, tmp_path,
                                                                        package):
    for name in ("model.onnx", "model_int8.onnx"):
        shutil.copyfile(tiny_onnx, tmp_path / name)
    if package is not None:
        (tmp_path / "package.json").write_bytes(package)
    assert run_runtime_model(tmp_path) == tmp_path / "model.onnx"
    assert isinstance(read_package(tmp_path), dict)


def test_a_run_packaged_with_seven_bit_weights_runs_its_int8_file(tiny_onnx, tmp_path):
    for name in ("model.onnx", "model_int8.onnx"):
        shutil.copyfile(tiny_onnx, tmp_path / name)
    (tmp_path / "package.json").write_text('{"model_id": "a", "int8_weight_bits": 7}')
    assert run_runtime_model(tmp_path) == tmp_path / "model_int8.onnx"
