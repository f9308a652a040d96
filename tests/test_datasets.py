import numpy as np
import pytest

from ml.classes import CrackClass
from ml.datasets import (
    DatasetError,
    index_image_folder,
    index_manifest,
    stratified_split,
    unreadable,
)


def _image(path):
    import cv2

    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), np.full((8, 8, 3), 90, np.uint8))


def test_folders_named_by_pacp_code_map_onto_classes(tmp_path):
    for folder, n in (("CL", 2), ("FL", 1), ("CH3", 1), ("ND", 1), ("holiday", 1)):
        for k in range(n):
            _image(tmp_path / folder / f"{k}.png")
    index = index_image_folder(tmp_path)
    assert index.counts()["CL"] == 3 and index.counts()["CH"] == 1
    assert any("holiday" in s for s in index.skipped)


def test_empty_or_unlabelled_folder_is_a_clear_error(tmp_path):
    _image(tmp_path / "pictures" / "a.png")
    with pytest.raises(DatasetError, match="no images in class folders"):
        index_image_folder(tmp_path)
    with pytest.raises(DatasetError, match="not a folder"):
        index_image_folder(tmp_path / "missing")


def test_manifest_with_unknown_code_names_the_line(tmp_path):
    _image(tmp_path / "a.png")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,code\na.png,CC\na.png,ZZ\n")
    with pytest.raises(DatasetError, match=r"m\.csv: 1 bad row\(s\): line 3: unknown class or "
                                           "code 'ZZ'"):
        index_manifest(manifest)
    manifest.write_text("file,label\na.png,CC\n")
    with pytest.raises(DatasetError, match="path,code"):
        index_manifest(manifest)


def test_every_bad_manifest_row_is_named_at_once(tmp_path):
    """Found by a keys-only trial: one error at a time, "unknown class or code None" for a row
    without a code, and an unclosed quote blamed on the file's last line."""
    manifest = tmp_path / "m.csv"
    manifest.write_text('path,code,group\na.png,CC,g\nb.png\nc.png,XX\n,CL\n"d.png,CL\n'
                        'e.png,CC\nf.png,CC\n')
    with pytest.raises(DatasetError) as error:
        index_manifest(manifest)
    text = str(error.value)
    assert text.startswith(f"{manifest}: 4 bad row(s): line 3: no code; line 4: unknown class "
                           "or code 'XX'; line 5: no image path; lines 6-8: a field runs over several "
                           "lines")
    assert "None" not in text
    manifest.write_text("path,code\na.png,CC\n\nb.png,ZZ\n\n\nc.png\n")  # blank lines skipped
    with pytest.raises(DatasetError, match=r": line 4: unknown class or code 'ZZ'; line 7: no "
                                           r"code$"):
        index_manifest(manifest)
    rows = "".join(f"x{k}.png,ZZ\n" for k in range(12))
    manifest.write_text("path,code\n" + rows)
    with pytest.raises(DatasetError, match=r"12 bad row\(s\).*line 9: .*; and 4 more$"):
        index_manifest(manifest)


def test_unreadable_images_are_named(tmp_path):
    _image(tmp_path / "CC" / "good.png")
    (tmp_path / "CC" / "bad.png").write_bytes(b"not a png")
    problems = unreadable(index_image_folder(tmp_path))
    assert len(problems) == 1 and "bad.png" in problems[0]


def test_stratified_split_keeps_every_class_in_every_part(tmp_path):
    for label in CrackClass:
        for k in range(10):
            _image(tmp_path / label.value / f"{k}.png")
    parts = stratified_split(index_image_folder(tmp_path), 0, 0.2, 0.2)
    for name in ("train", "val", "test"):
        assert {s.label for s in parts[name]} == set(CrackClass)
    assert len(parts["train"]) == 36
    again = stratified_split(index_image_folder(tmp_path), 0, 0.2, 0.2)
    assert [s.path for s in again["test"]] == [s.path for s in parts["test"]]
