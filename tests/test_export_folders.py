"""Folder exports never spill into a busy folder or the file system's root (from a trial)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from sewer_gui.export_folders import ExportFolderError, export_folder


def test_an_empty_or_missing_folder_is_used_as_it_is(tmp_path):
    assert export_folder(tmp_path, "SEG_exchange") == tmp_path
    assert export_folder(tmp_path / "new", "SEG_exchange") == tmp_path / "new"


def test_a_busy_folder_gets_a_sub_folder_named_after_the_segment(tmp_path):
    (tmp_path / "notes.txt").write_text("a coder's own file")
    assert export_folder(tmp_path, "SEG_exchange") == tmp_path / "SEG_exchange"


def test_choosing_an_earlier_exports_own_folder_writes_there_again_not_nested(tmp_path):
    earlier = tmp_path / "SEG_exchange"
    earlier.mkdir()
    (earlier / "PACP_Inspections.csv").write_text("an earlier export")
    assert export_folder(earlier, "SEG_exchange") == earlier
    # Enter twice on the proposal in a save dialog: it opened the folder and kept the name.
    assert export_folder(earlier / "SEG_exchange", "SEG_exchange") == earlier


def test_an_unreadable_folder_is_named_with_the_reason(tmp_path, monkeypatch):
    def refuse(_self):
        raise PermissionError(13, "Permission denied")

    (tmp_path / "locked").mkdir()
    monkeypatch.setattr(Path, "iterdir", refuse)
    with pytest.raises(ExportFolderError, match=r"locked: cannot be read \(Permission denied\)"):
        export_folder(tmp_path / "locked", "SEG_exchange")


def test_the_root_and_a_file_are_refused_with_their_names(tmp_path):
    with pytest.raises(ExportFolderError, match="root of a drive or file system"):
        export_folder(Path(Path.cwd().anchor), "SEG_exchange")
    (tmp_path / "a.csv").write_text("x")
    with pytest.raises(ExportFolderError, match="a.csv: a file, not a folder"):
        export_folder(tmp_path / "a.csv", "SEG_exchange")


def test_the_exchange_dialog_writes_into_a_new_folder_and_says_where(qtbot, coder, tmp_path,
                                                                      monkeypatch):
    w = coder
    w.session.inspection.header.pipe_segment_reference = "SEG-9"
    w.checks.ask = lambda *_a: "export"  # open validation errors: export anyway
    busy = tmp_path / "jobs"
    busy.mkdir()
    (busy / "other.pdf").write_bytes(b"%PDF")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a, **_k: (str(busy), ""))
    target = busy / w.project.default_path("_exchange").name
    assert target.name.startswith("SEG-9")
    w.export_exchange_dialog()
    qtbot.waitUntil(lambda: f"written to {target.resolve()}" in w.statusBar().currentMessage(),
                    timeout=30000)
    assert (target / "PACP_Inspections.csv").is_file()
    assert sorted(p.name for p in busy.iterdir()) == sorted(["other.pdf", target.name])


def test_choosing_the_root_writes_nothing_and_says_why(qtbot, coder, monkeypatch):
    w = coder
    w.checks.ask = lambda *_a: "export"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *_a, **_k: (Path.cwd().anchor, ""))
    before = sorted(Path(Path.cwd().anchor).iterdir())
    w.export_snapshots_dialog()
    assert "root of a drive or file system" in w.last_error
    assert sorted(Path(Path.cwd().anchor).iterdir()) == before


def test_the_export_dialog_proposes_the_segment_folder_and_makes_a_typed_one(
        qtbot, coder, tmp_path, monkeypatch):
    """A trial could not make a folder by typing its name in the folder dialog."""
    w = coder
    w.checks.ask = lambda *_a: "export"
    asked = {}

    def proposed(_parent, _title, path, *_a, **_k):
        asked["path"] = path
        return str(tmp_path / "typed" / "new_exchange"), ""  # a name typed over the proposal

    monkeypatch.setattr(QFileDialog, "getSaveFileName", proposed)
    w.export_exchange_dialog()
    target = (tmp_path / "typed" / "new_exchange").resolve()
    qtbot.waitUntil(lambda: f"written to {target}" in w.statusBar().currentMessage(),
                    timeout=30000)
    assert Path(asked["path"]).name == w.project.default_path("_exchange").name
    assert (target / "PACP_Inspections.csv").is_file()


@pytest.mark.parametrize(("answer", "written"), [("again", "earlier"), ("other", "second"),
                                                 ("cancel", None)])
def test_a_second_export_asks_whether_to_write_the_earlier_folder_again(
        qtbot, coder, tmp_path, monkeypatch, answer, written):
    """Found by a keys-only trial: the second export's dialog opened inside the first one's
    folder with no name to save, and Enter did nothing."""
    w = coder
    w.checks.ask = lambda *_a: "export"
    monkeypatch.setattr(w.project, "default_folder", lambda: tmp_path)
    earlier = tmp_path / w.project.default_path("_exchange").name
    earlier.mkdir()
    (earlier / "PACP_Inspections.csv").write_text("the first export")
    proposals = []

    def dialog(_parent, _title, path, *_a, **_k):
        proposals.append(Path(path))
        return path, ""  # Enter on what is proposed

    monkeypatch.setattr(QFileDialog, "getSaveFileName", dialog)
    monkeypatch.setattr(w, "ask_export_again", lambda *_a: answer)
    w.export_exchange_dialog()
    target = {"earlier": earlier, "second": earlier.with_name(earlier.name + "_2"),
              None: None}[written]
    if target is None:
        qtbot.wait(200)
        assert proposals == [] and (earlier / "PACP_Inspections.csv").read_text() == \
            "the first export"
        return
    qtbot.waitUntil(lambda: f"written to {target.resolve()}" in w.statusBar().currentMessage(),
                    timeout=30000)
    assert proposals == ([] if written == "earlier" else [target])
    assert (target / "PACP_Inspections.csv").read_text() != "the first export"  # written anew
