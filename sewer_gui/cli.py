"""`sewer-pacp`: ratings, validation, reports and exchange export from the command line."""

from __future__ import annotations

import argparse
import json
import sys
import traceback
from pathlib import Path

from sewer_gui.exchange.exchange import (
    ExchangeError,
    export_csv,
    export_sqlite,
    import_csv,
    read_conditions,
)
from sewer_gui.pacp.codes import CodeTable, CodeTableError, default_code_table
from sewer_gui.pacp.examples import sample_inspection
from sewer_gui.pacp.header_rules import default_lookups, normalise_header
from sewer_gui.pacp.model import Units
from sewer_gui.pacp.ratings import rate
from sewer_gui.pacp.validation import Severity, validate
from sewer_gui.report.job_summary import write_job_summary
from sewer_gui.report.pdf_report import ReportError, write_report
from sewer_gui.storage.project_store import (
    ProjectFileError,
    ProjectSaveError,
    ProjectStore,
)

EXCHANGE_SQLITE_NAME = "PACP_exchange.sqlite"


class CliError(Exception):
    pass


def _load_table(path: str | None) -> CodeTable:
    return CodeTable.load(Path(path)) if path else default_code_table()


def cmd_ratings(args: argparse.Namespace, table: CodeTable) -> int:
    grouped = read_conditions(Path(args.conditions), table)
    units = Units(args.units)
    result = [{"InspectionID": _maybe_int(iid), **rate(obs, units, table).as_exchange_row()}
              for iid, obs in grouped.items()]
    print(json.dumps(result, indent=2))
    return 0


def _maybe_int(text: str) -> int | str:
    return int(text) if text.isascii() and text.isdigit() else text  # '²'.isdigit() is True


def _open_inspections(project: str):
    store = ProjectStore.open(Path(project), read_only=True)  # readers never wait for a writer
    try:
        inspections = store.inspections()
    finally:
        store.close()
    if not inspections:
        raise CliError(f"{project}: the project holds no inspection")
    return inspections


def cmd_report(args: argparse.Namespace, table: CodeTable) -> int:
    inspections = _open_inspections(args.project)
    out = Path(args.pdf)
    for number, inspection in enumerate(inspections, start=1):
        target = out if len(inspections) == 1 else out.with_name(f"{out.stem}_{number}{out.suffix}")
        write_report(inspection, table, target, project_file=Path(args.project).name)
        print(target)
    summary = out.with_name(f"{out.stem}_summary{out.suffix}")
    write_job_summary(inspections, table, summary, project_file=Path(args.project).name)
    print(summary)
    return 0


def cmd_export(args: argparse.Namespace, table: CodeTable) -> int:
    inspections = _open_inspections(args.project)
    folder = Path(args.exchange)
    written = export_csv(inspections, table, folder)
    written.append(export_sqlite(inspections, table, folder / EXCHANGE_SQLITE_NAME))
    for path in written:
        print(path)
    return 0


def cmd_validate(args: argparse.Namespace, table: CodeTable) -> int:
    errors = 0
    for inspection in _open_inspections(args.project):
        findings = validate(inspection, table)
        print(f"{inspection.title()}: {len(findings)} finding(s)")
        for finding in findings:
            print(f"  {finding.describe()}")
        errors += sum(f.severity is Severity.ERROR for f in findings)
    return 1 if errors else 0


def cmd_import(args: argparse.Namespace, table: CodeTable) -> int:
    inspections = import_csv(Path(args.exchange), table)
    lookups = default_lookups()
    for inspection in inspections:  # header values checked like the app's typed fields
        for problem in normalise_header(inspection.header, lookups):
            print(f"warning: {inspection.title()}: {problem}", file=sys.stderr)
    with ProjectStore.replacing(Path(args.project)) as store:  # the old file stays until done
        for inspection in inspections:
            store.save_inspection(inspection)
    print(f"{args.project}: {len(inspections)} inspection(s), "
          f"{sum(len(i.observations) for i in inspections)} observation(s)")
    return 0


def cmd_sample(args: argparse.Namespace, table: CodeTable) -> int:
    with ProjectStore.replacing(Path(args.project)) as store:
        store.save_inspection(sample_inspection())
    print(args.project)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sewer-pacp", description=__doc__)
    parser.add_argument("--codes", help="a replacement code table CSV (default: the shipped one)")
    parser.add_argument("--debug", action="store_true",
                        help="print the traceback of an unexpected error")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("ratings", help="ratings of a PACP_Conditions CSV as JSON")
    p.add_argument("conditions")
    p.add_argument("--units", choices=[u.value for u in Units], default="ft")
    p.set_defaults(func=cmd_ratings)
    p = sub.add_parser("report", help="PDF report of each inspection in a project, and the "
                       "job summary (OUT_summary.pdf) beside them")
    p.add_argument("project")
    p.add_argument("--pdf", required=True)
    p.set_defaults(func=cmd_report)
    p = sub.add_parser("export", help="PACP-style exchange tables (CSV and SQLite)")
    p.add_argument("project")
    p.add_argument("--exchange", required=True, metavar="DIR")
    p.set_defaults(func=cmd_export)
    p = sub.add_parser("validate", help="list errors and warnings; exit 1 on errors")
    p.add_argument("project")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("import", help="exchange CSV tables back into a new project")
    p.add_argument("exchange", metavar="DIR")
    p.add_argument("--project", required=True)
    p.set_defaults(func=cmd_import)
    p = sub.add_parser("sample", help="write a sample project")
    p.add_argument("project")
    p.set_defaults(func=cmd_sample)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, _load_table(args.codes))
    except (CodeTableError, ExchangeError, ProjectFileError, ProjectSaveError, ReportError,
            CliError) as exc:
        print(f"sewer-pacp: error: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:  # noqa: BLE001 - every failure ends in a message, never a traceback
        if args.debug:
            traceback.print_exc()
        print(f"sewer-pacp: error: unexpected {type(exc).__name__}: {exc}"
              f"{'' if args.debug else ' (run with --debug to see where)'}", file=sys.stderr)
        return 3


if __name__ == "__main__":
    sys.exit(main())
