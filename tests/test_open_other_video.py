"""Opening another video over an inspection that holds rows coded on its own video asks where
it goes: a new inspection (the default), this inspection's video, or nowhere."""

from __future__ import annotations

import shutil

import pytest

from sewer_gui.pacp.model import Observation


@pytest.fixture()
def coded(coder, tmp_path):
    """The window with one row coded on its video, and another video to open."""
    coder.session.inspection.observations.append(Observation(1.2, "CL", clock_from=3,
                                                             video_time=2.0))
    other = tmp_path / "other.mp4"
    shutil.copy(coder.session.video_path(), other)
    return coder, other


def _answer(monkeypatch, window, choice: str) -> list[tuple]:
    asked: list[tuple] = []

    def choose(current, rows, new):
        asked.append((current, rows, new))
        return choice

    monkeypatch.setattr(window.project, "choose_video_target", choose)
    return asked


def test_a_new_inspection_takes_the_other_video_and_the_rows_stay_with_theirs(coded,
                                                                            monkeypatch):
    w, other = coded
    first_video = w.session.video_path()
    asked = _answer(monkeypatch, w, "new")
    assert w.project.open_video_file(other)
    assert asked == [(first_video.name, 1, "other.mp4")]
    assert len(w.session.job) == 2 and w.session.inspection.observations == []
    assert w.session.video_path().resolve() == other.resolve()
    first = w.session.job[0]
    assert [o.code for o in first.observations] == ["CL"]
    assert w.session.video_path(first).resolve() == first_video.resolve()


def test_this_inspections_video_keeps_its_rows(coded, monkeypatch):
    w, other = coded
    _answer(monkeypatch, w, "replace")
    assert w.project.open_video_file(other)
    assert len(w.session.job) == 1 and [o.code for o in w.session.inspection.observations] == \
        ["CL"]
    assert w.session.video_path().resolve() == other.resolve()


def test_cancel_changes_nothing_and_the_same_video_is_not_asked_about(coded, monkeypatch):
    w, other = coded
    before = w.session.video_path()
    _answer(monkeypatch, w, "cancel")
    assert not w.project.open_video_file(other)
    assert w.session.video_path() == before and len(w.session.job) == 1
    asked = _answer(monkeypatch, w, "cancel")
    assert w.project.open_video_file(before)  # its own video again: nothing to ask
    assert asked == []


def test_a_file_that_is_no_video_adds_no_inspection_and_asks_nothing(coded, monkeypatch,
                                                                     tmp_path):
    """From a trial: the fake .mp4 was refused, but only after a new, empty inspection had
    been made and autosaved."""
    w, _other = coded
    fake = tmp_path / "fake.mp4"
    fake.write_text("hello\n")
    asked = _answer(monkeypatch, w, "new")
    errors = []
    monkeypatch.setattr(w, "report_error", lambda title, text: errors.append(text))
    assert not w.project.open_video_file(fake)
    assert asked == [] and len(w.session.job) == 1
    assert errors and str(fake) in errors[0] and "not a video" in errors[0]
