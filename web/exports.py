"""Lists as Excel workbooks (openpyxl): the same rows as the page, without its pagination.

Every text cell is stored as text, never as a formula: a title such as ``=HYPERLINK(…)`` typed by a user stays
the characters it is (spreadsheet formula injection). A list longer than ``MAX_ROWS`` is cut there and says so
in its last row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import quote

from flask import Response
from openpyxl import Workbook
from openpyxl.cell.cell import TYPE_STRING
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from engine.clock import SHANGHAI

MAX_ROWS = 10_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _cell_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(SHANGHAI).replace(tzinfo=None) if value.tzinfo else value
    return value


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[Any]]


def workbook(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], cut_note: str) -> bytes:
    return workbook_of([Sheet(sheet, headers, rows)], cut_note)


def workbook_of(sheets: Sequence[Sheet], cut_note: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        _fill(book.create_sheet(sheet.title[:31]), sheet.headers, sheet.rows, cut_note)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def _fill(ws: Any, headers: Sequence[str], rows: Iterable[Sequence[Any]], cut_note: str) -> None:
    ws.append(list(headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for n, row in enumerate(rows):
        if n >= MAX_ROWS:
            ws.append([cut_note])
            break
        ws.append([_cell_value(v) for v in row])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING  # text stays text: never a formula
            elif isinstance(cell.value, datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(header) + 4))
    ws.freeze_panes = "A2"


def yuan(fen: int | None) -> Decimal:
    """Fen as an exact amount of 元 for a spreadsheet cell (shown with two decimals)."""
    return Decimal(int(fen or 0)) / 100


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], cut_note: str
) -> Response:
    return xlsx_file(filename, workbook(sheet, headers, rows, cut_note))


def xlsx_file(filename: str, content: bytes) -> Response:
    ascii_name = "export.xlsx"
    return Response(
        content,
        mimetype=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )
