"""The coding window: video, live suggestions, observations, header, ratings and validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ml.runtime.classifier import CrackClassifier, ModelError
from ml.runtime.video import VideoError
from sewer_gui.app_settings import AppSettings
from sewer_gui.frame_cache import FrameCache
from sewer_gui.pacp.codes import CodeTable
from sewer_gui.pacp.grade_colours import grade_hex
from sewer_gui.pacp.model import Observation, ReviewState
from sewer_gui.resources import default_model_path
from sewer_gui.session import CodingSession, Suggestion
from sewer_gui.ui import actions
from sewer_gui.ui.calibration import CalibrationController
from sewer_gui.ui.coding import CodingController
from sewer_gui.ui.counter import CounterController
from sewer_gui.ui.dialogs import DialogsMixin
from sewer_gui.ui.export_checks import ExportChecks
from sewer_gui.ui.focus_return import FocusReturn
from sewer_gui.ui.header_form import HeaderForm
from sewer_gui.ui.inference import InferenceWorker
from sewer_gui.ui.inspections import InspectionsController
from sewer_gui.ui.keyboard import COMMANDED, TAB_REACHABLE, install_typing_keys, install_window_keys
from sewer_gui.ui.observation_editor import ObservationEditor
from sewer_gui.ui.observation_table import ObservationModel
from sewer_gui.ui.panels import RatingsPanel, SuggestionPanel, ValidationPanel
from sewer_gui.ui.playback import PlaybackKeys, clock_text
from sewer_gui.ui.player import SPEEDS, VideoPlayer
from sewer_gui.ui.project import ProjectController
from sewer_gui.ui.review import ReviewController
from sewer_gui.ui.widgets.timeline import Marker, Timeline
from sewer_gui.ui.widgets.video_view import VideoView
from sewer_gui.ui.workers import WorkersMixin

APP_TITLE = "Sewer PACP Coding Assistant"


class MainWindow(DialogsMixin, WorkersMixin, QMainWindow):
    """Owns the widgets and the controllers (project, review, coding, calibration) and wires
    them; each concern's behaviour lives in its controller."""

    def __init__(self, settings: AppSettings, table: CodeTable) -> None:
        super().__init__()
        self.settings = settings
        self.table = table
        self.session = CodingSession(table)
        self.player = VideoPlayer(self)
        self.classifier: CrackClassifier | None = None
        self.inference: InferenceWorker | None = None
        self.recent_frames = FrameCache()  # bounded by bytes too: 90 8K frames are 9 GB
        self.last_error = ""
        self.model = ObservationModel(table, self)
        self._build_ui()
        self.project = ProjectController(self)
        self.review = ReviewController(self)
        self.playback = PlaybackKeys(self)
        self.coding = CodingController(self)
        self.calibration = CalibrationController(self)
        self.counter = CounterController(self)
        self.inspections = InspectionsController(self)
        self.checks = ExportChecks(self)
        self.focus_return = FocusReturn(self)  # keys come back after a dialog, WM or not
        self.actions_by_name = actions.install(self)
        self.menus["File"].insertMenu(self.actions_by_name["project.open_video_dialog"],
                                      self.project.recent_menu)
        self.actions_by_name["toggle_live"].setChecked(settings.live_suggestions)
        self.window_keys = install_window_keys(self, self.focus_video)
        install_typing_keys(QApplication.instance(), self)
        self._wire()
        self.init_workers()
        self.load_model(Path(settings.model_path) if settings.model_path else default_model_path())
        self.new_project()
        self.project.restore_layout()

    # ----- layout ------------------------------------------------------------------------------
    def _build_ui(self) -> None:
        self.video_view = VideoView()
        self.timeline = Timeline()
        self.play_button = QPushButton("Play")
        self.speed_box = QComboBox()
        self.speed_box.addItems([f"{s:g}x" for s in SPEEDS])
        self.speed_box.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_box.setProperty(COMMANDED, True)
        self.time_label = QLabel("0:00.0 / 0:00")
        self.live_box = QCheckBox("Live suggestions (L)")
        self.live_box.setProperty(COMMANDED, True)
        self.scan_button = QPushButton("Scan video (Ctrl+R)")
        self.scan_progress = QProgressBar()
        self.scan_progress.setMaximumWidth(180)
        self.scan_progress.setVisible(False)
        self.cancel_scan_button = QPushButton("Cancel scan")
        self.cancel_scan_button.setProperty(TAB_REACHABLE, True)  # no command of its own
        self.cancel_scan_button.setVisible(False)
        transport = QHBoxLayout()
        for w in (self.play_button, QLabel("Speed"), self.speed_box, self.time_label):
            transport.addWidget(w)
        transport.addStretch(1)
        for w in (self.live_box, self.scan_button):
            transport.addWidget(w)
        # In the status bar, which spans the window: beside the buttons they widened the
        # window past a 1600 px screen while a scan ran.
        self.statusBar().addPermanentWidget(self.scan_progress)
        self.statusBar().addPermanentWidget(self.cancel_scan_button)
        centre = QWidget()
        layout = QVBoxLayout(centre)
        layout.addWidget(self.video_view, 1)
        layout.addWidget(self.timeline)
        layout.addLayout(transport)
        self.setCentralWidget(centre)

        self.suggestion_panel = SuggestionPanel(self.table)
        self.editor = ObservationEditor(self.table)
        self.table_view = QTableView()
        self.table_view.setModel(self.model)
        self.table_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table_view.horizontalHeader().setStretchLastSection(True)
        self.table_view.verticalHeader().setVisible(False)
        self.header_form = HeaderForm()
        self.ratings_panel = RatingsPanel()
        self.validation_panel = ValidationPanel()
        self.side_tabs = QTabWidget()
        self.side_tabs.addTab(self.ratings_panel, "Ratings")
        self.side_tabs.addTab(self.validation_panel, "Validation")
        self.side_tabs.addTab(self.header_form, "Inspection header")
        self._dock("AI suggestion", self.suggestion_panel, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Observation", self.editor, Qt.DockWidgetArea.RightDockWidgetArea)
        self._dock("Observations", self.table_view, Qt.DockWidgetArea.BottomDockWidgetArea)
        self._dock("Inspection", self.side_tabs, Qt.DockWidgetArea.LeftDockWidgetArea)

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title)
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable
                         | QDockWidget.DockWidgetFeature.DockWidgetFloatable)
        self.addDockWidget(area, dock)
        return dock

    def _wire(self) -> None:
        self.player.frameShown.connect(self.on_frame)
        self.player.playingChanged.connect(
            lambda playing: self.play_button.setText("Pause" if playing else "Play"))
        self.player.playingChanged.connect(self.decide_still_frame)
        self.player.errorOccurred.connect(lambda text: self.report_error("Video", text))
        self.play_button.clicked.connect(self.playback.toggle_play)
        self.speed_box.currentIndexChanged.connect(lambda i: self.player.set_speed(SPEEDS[i]))
        self.timeline.seekRequested.connect(self.player.seek_time)
        self.live_box.setChecked(self.settings.live_suggestions)
        self.live_box.toggled.connect(self._set_live)
        self.scan_button.clicked.connect(self.start_scan)
        self.cancel_scan_button.clicked.connect(self.cancel_scan)
        self.suggestion_panel.confirmRequested.connect(self.review.confirm)
        self.suggestion_panel.fractureRequested.connect(self.review.fracture)
        self.suggestion_panel.rejectRequested.connect(self.review.reject)
        self.suggestion_panel.dismissRequested.connect(self.review.dismiss)
        self.model.changed.connect(self.on_observations_changed)
        self.table_view.selectionModel().currentRowChanged.connect(self._on_row_selected)
        self.header_form.changed.connect(self._on_header_changed)
        self.header_form.problem.connect(lambda text: self.statusBar().showMessage(text, 6000))
        self.header_form.done.connect(self.focus_video)

    # ----- errors ------------------------------------------------------------------------------
    def report_error(self, title: str, text: str) -> None:
        """A clear, non-blocking message; the window keeps working."""
        self.last_error = text
        self.statusBar().showMessage(text, 15000)
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok,
                          self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # ----- project (ProjectController does the work) -------------------------------------------
    def new_project(self) -> None:
        self.project.new_project()

    def open_project(self, path: Path) -> bool:
        return self.project.open_project(path)

    def save_project(self, path: Path | None = None) -> bool:
        return self.project.save(path)

    def confirm_discard(self) -> bool:
        return self.project.ask_discard()

    def bind_inspection(self) -> None:
        self.model.set_inspection(self.session.inspection)
        self.header_form.set_header(self.session.inspection.header)
        self.editor.set_observation(None)
        self.on_observations_changed(mark_dirty=False)

    def reset_screen(self) -> None:
        """Nothing of the previous project stays on screen: time, status, editor, suggestion."""
        self.review.reset()
        self.recent_frames.clear()
        self.timeline.set_duration(0)
        self.timeline.set_position(0)
        self.time_label.setText("0:00.0 / 0:00.0")
        self.video_view.set_distance_text("")
        self.video_view.set_placeholder("Open a video (Ctrl+I) or a project (Ctrl+O)")
        self.statusBar().clearMessage()

    def update_title(self) -> None:
        path = self.session.project_path
        name = path.name if path else "unsaved project"
        self.setWindowTitle(f"{'*' if self.session.dirty else ''}{name} - {APP_TITLE}")

    def _on_header_changed(self, name: str, text: str) -> None:
        if getattr(self.session.inspection.header, name) != text:
            setattr(self.session.inspection.header, name, text)
            self.on_observations_changed()

    # ----- video -------------------------------------------------------------------------------
    def open_video(self, path: Path, keep_inspection: bool = False) -> bool:
        """Open a video; `keep_inspection` (reopening a project's own video) keeps it clean."""
        was_dirty = self.session.dirty
        try:
            info = self.session.attach_video(Path(path))
        except VideoError as exc:
            self.report_error("Open video", str(exc))
            return False
        if keep_inspection:
            self.session.dirty = was_dirty
        self.stop_inference()
        self.review.reset()
        self.player.open(Path(path), info)
        self.timeline.set_duration(info.duration)
        self.video_view.set_placeholder("Decoding...")
        self.start_inference()
        self._refresh_markers()
        self.update_title()
        source = {"sidecar": "the video's sidecar", "calibration": "your calibration anchors",
                  "none": "no source yet: press D at frames where the counter is readable"}
        self.statusBar().showMessage(
            f"{Path(path).name}: {info.width}x{info.height}, {info.fps:g} fps, "
            f"{info.duration:.0f} s; distances from {source[self.session.track_source]}", 15000)
        self.counter.start(Path(path))  # after that message: it may say why it reads again
        self.focus_video()
        return True

    def stop_video(self) -> None:
        self.cancel_scan(wait=True)
        self.counter.cancel(wait=True)
        self.stop_inference()
        self.player.close()
        self.video_view.set_frame(None)

    def on_frame(self, index: int, frame: np.ndarray) -> None:
        self.video_view.set_frame(frame)
        self.refresh_overlay()
        self.recent_frames[index] = frame
        if self.inference is not None and self.live_box.isChecked():
            self.inference.submit(index, frame, still=not self.player.is_playing)

    def refresh_overlay(self) -> None:
        """Time and distance for the frame on screen (also after a calibration change)."""
        t = self.player.time_s()
        info = self.player.info
        self.timeline.set_position(t)
        total = info.duration if info else 0
        self.time_label.setText(f"{clock_text(t)} / {clock_text(total)}")  # same precision
        if info is None:
            return
        unit = self.session.inspection.units.value
        text = f"{self.session.distance_at(t):.2f} {unit}"
        if self.session.distance_source == "none":
            text += "  (D: calibrate)"  # no sidecar, no anchors: the figure is not a measurement
        elif self.session.distance_source == "ocr":
            text += "  OCR"  # read from the burnt-in counter, not typed or from a sidecar
        self.video_view.set_distance_text(text)

    def focus_video(self) -> None:
        """After a commit the one-key commands (Space, arrows, Enter, N...) work again."""
        self.video_view.setFocus(Qt.FocusReason.OtherFocusReason)

    # ----- suggestions (ReviewController does the work) ----------------------------------------
    @property
    def suggestion(self) -> Suggestion | None:
        return self.review.suggestion

    @property
    def suggestion_code(self) -> str:
        return self.review.code

    def _set_live(self, on: bool) -> None:
        self.actions_by_name["toggle_live"].setChecked(on)
        if not on:
            self.review.show(None)
        elif not self.player.is_playing:  # paused: the frame on screen, now (a trial stepped)
            self.decide_still_frame(False)

    def toggle_live(self) -> None:
        self.live_box.setChecked(not self.live_box.isChecked())

    # ----- observations ------------------------------------------------------------------------
    def add_manual_observation(self, code: str = "") -> Observation:
        return self.coding.add_manual(code)

    def select_observation(self, obs: Observation, seek: bool = True) -> None:
        row = self.model.row_of(obs)
        if row >= 0:
            self.table_view.selectRow(row)
            self.table_view.scrollTo(self.model.index(row, 0))
            self.editor.set_observation(obs)
            if seek and obs.video_time is not None and self.player.info is not None:
                self.player.seek_time(obs.video_time)

    def _on_row_selected(self, current, _previous) -> None:
        self.editor.set_observation(self.model.observation_at(current.row()))

    def on_observations_changed(self, mark_dirty: bool = True) -> None:
        if mark_dirty:
            self.session.dirty = True
            self.project.autosave_timer.start()
        findings = self.coding.shown(self.session.findings())
        self.model.set_findings(findings)
        self.validation_panel.set_findings(findings)
        self.ratings_panel.set_ratings(self.session.ratings())
        self.header_form.set_header(self.session.inspection.header)
        self.review.rows_changed()
        current = self.editor.obs
        if current is not None:
            kept = self.model.row_of(current) >= 0
            self.editor.set_observation(current if kept else None)
            if kept:  # the model was reset: keep the row selected for S, E, C, K, Del
                self.table_view.selectRow(self.model.row_of(current))
        self._refresh_markers()
        self.update_title()
        self.inspections.refresh_soon()

    def _refresh_markers(self) -> None:
        observations = [Marker(o.video_time, o.video_time,
                               "#9e9e9e" if o.review is not ReviewState.ACCEPTED else
                               grade_hex(self.session.grade(o)), o.code)
                        for o in self.session.inspection.observations if o.video_time is not None]
        self.timeline.set_markers(observations, self.review.candidate_markers())
        self.inspections.refresh_soon()  # its Reviewed column counts the decided candidates

    def model_id(self) -> str:
        return self.classifier.model_id if self.classifier else ""

    # ----- model -------------------------------------------------------------------------------
    def load_model(self, path: Path) -> bool:
        try:
            classifier = CrackClassifier(path, threads=1)
        except ModelError as exc:
            self.report_error("Model", f"{exc}\nLive suggestions are off until a valid model "
                                       "is chosen (Suggestion > Choose model).")
            return False
        self.classifier = classifier
        self.session.inspection.model_used = classifier.model_id
        if self.player.info is not None:
            self.stop_inference()
            self.start_inference()
        self.statusBar().showMessage(f"Model {classifier.model_id} loaded", 4000)
        return True

    # ----- closing -----------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if not self.confirm_discard():
            event.ignore()
            return
        self.project.save_layout()
        self.shutdown()
        event.accept()

    def shutdown(self) -> None:
        """Stop every worker and close the project; safe to call more than once."""
        self.project.autosave_timer.stop()
        if self.session.project_path is not None and self.session.dirty:
            self.save_project()
        self.stop_video()
        self.inspections.prescan.cancel()
        self.wait_for_workers()
        self.session.close()
