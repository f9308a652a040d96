"""Scan candidates on their way into the project file, and back out of it (no Qt).

A scan's candidates are written with the inspection they were found in. Before the project has
a file, or while it is open read-only, they wait and are written at the next save; a reopened
project shows them, and what was decided on them.
"""

from __future__ import annotations

from ml.runtime.scan import DefectEvent
from sewer_gui.pacp.model import Inspection
from sewer_gui.storage.project_store import ProjectFileError, ProjectStore

Waiting = tuple[Inspection, str, list[DefectEvent]]  # inspection, model id, events


class ScanCandidates:
    def __init__(self) -> None:
        self._waiting: dict[int, Waiting] = {}  # by id() of the inspection
        # What the project file holds, by inspection id (None: never scanned), read once: the
        # inspection list asks for every inspection after every edit.
        self._stored: dict[int, list[DefectEvent] | None] = {}

    def clear(self) -> None:
        self._waiting.clear()
        self._stored.clear()

    def reread(self) -> None:
        """Another project file (Save As): what was read of the old one does not apply."""
        self._stored.clear()

    def forget(self, inspection_id: int) -> None:
        """A scan was written for this inspection by someone else (the pre-scan): read again."""
        self._stored.pop(inspection_id, None)

    def keep(self, inspection: Inspection, model_id: str, events: list[DefectEvent],
             store: ProjectStore | None, job: list[Inspection]) -> None:
        """Write now if the project can take it, else at the next save. ProjectSaveError when
        the write fails: they stay waiting."""
        self._waiting[id(inspection)] = (inspection, model_id, list(events))
        self.flush(store, job)

    def flush(self, store: ProjectStore | None, job: list[Inspection]) -> None:
        if store is None or store.read_only:
            return
        for key, (inspection, model_id, events) in list(self._waiting.items()):
            if not any(i is inspection for i in job):
                del self._waiting[key]  # deleted meanwhile
            elif inspection.id is not None:
                store.save_candidates(inspection.id, model_id, [e.to_json() for e in events])
                self._stored[inspection.id] = list(events)
                del self._waiting[key]

    def aside(self, inspection: Inspection, store: ProjectStore | None
              ) -> tuple[str, list[DefectEvent]] | None:
        """(model id, events) of its last scan, for an inspection about to be deleted: an
        undone delete brings them back (a trial's restored segment had lost its candidates)."""
        waiting = self._waiting.get(id(inspection))
        if waiting is not None:
            return waiting[1], list(waiting[2])
        try:  # damaged candidates must not stop the segment being deleted (a review)
            events = self._read(inspection, store)
            stored = store.candidates(inspection.id) if store and inspection.id is not None \
                else None
        except ProjectFileError:
            return None
        return (stored[0], list(events)) if stored is not None and events is not None else None

    def of(self, inspection: Inspection, store: ProjectStore | None) -> list[DefectEvent]:
        """What the last scan of the inspection's video found: waiting, else stored (damaged
        rows skipped)."""
        return self.last_scan(inspection, store) or []

    def last_scan(self, inspection: Inspection,
                  store: ProjectStore | None) -> list[DefectEvent] | None:
        """`of`, but None when the video was never scanned (a scan may have found nothing)."""
        waiting = self._waiting.get(id(inspection))
        if waiting is not None:
            return list(waiting[2])
        stored = self._read(inspection, store)
        return None if stored is None else list(stored)

    def _read(self, inspection: Inspection,
              store: ProjectStore | None) -> list[DefectEvent] | None:
        if store is None or inspection.id is None:
            return None
        if inspection.id not in self._stored:
            stored = store.candidates(inspection.id)
            events = None if stored is None else []
            for row in stored[1] if stored else []:
                try:
                    events.append(DefectEvent.from_json(row))  # type: ignore[union-attr]
                except ValueError:
                    continue
            self._stored[inspection.id] = events
        return self._stored[inspection.id]

    @staticmethod
    def carried(store: ProjectStore | None,
                job: list[Inspection]) -> list[tuple[str, list[dict]] | None]:
        """Each inspection's stored scan, read before a Save As; one that cannot be read is
        left behind rather than stopping the save that may rescue the file."""
        out: list[tuple[str, list[dict]] | None] = []
        for inspection in job:
            try:
                out.append(store.candidates(inspection.id) if store is not None
                           and inspection.id is not None else None)
            except ProjectFileError:
                out.append(None)
        return out
