"""Lists as Excel workbooks (openpyxl): the same rows as the page, without its pagination.

Every text cell is stored as text, never as a formula: a title such as ``=HYPERLINK(…)`` typed by a user stays
the characters it is (spreadsheet formula injection). A list longer than ``MAX_ROWS`` is cut there and says so
in its last row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
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


def workbook(sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], cut_note: str) -> bytes:
    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
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
    for i, header in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, 2 * len(header) + 4))
    ws.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], cut_note: str
) -> Response:
    content = workbook(sheet, headers, rows, cut_note)
    ascii_name = "export.xlsx"
    return Response(
        content,
        mimetype=XLSX,
        headers={
            "Content-Disposition": f"attachment; filename={ascii_name}; filename*=UTF-8''{quote(filename)}",
            "Cache-Control": "no-store",
        },
    )
