"""Finance exports (CSV and Excel). A cell a spreadsheet could read as a formula (starting with
= + - @, a tab or a carriage return) is prefixed with ' so it is shown as text, never run."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from .selectors import FinanceRow, SummaryRow

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADERS = [
    "Type",
    "Number",
    "Invoicing body",
    "Date",
    "Due",
    "School",
    "Order",
    "Purchase order",
    "Status",
    "Amount (GBP)",
    "Balance (GBP)",
    "Reference",
]


def neutralise(value):
    """Text that a spreadsheet would treat as a formula, made inert. Numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def _cells(row: FinanceRow) -> list:
    return [
        row.kind,
        row.number,
        row.body_name,
        row.issue_date,
        row.due_date or "",
        row.school,
        row.order_number,
        row.purchase_order_number,
        row.status,
        row.total,
        row.balance,
        row.reference,
    ]


def _csv_cell(value) -> str:
    """Amounts and dates are ours and stay as they are (a credit note's -200.00 is a number);
    text, which may come from a school or a buyer, is neutralised."""
    if isinstance(value, Decimal | int):
        return f"{value:.2f}" if isinstance(value, Decimal) else str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


def finance_csv(rows: list[FinanceRow]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    for row in rows:
        writer.writerow([_csv_cell(c) for c in _cells(row)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")  # the BOM lets Excel read UTF-8


def finance_xlsx(rows: list[FinanceRow], summary: list[SummaryRow]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "Documents"
    sheet.append(HEADERS)
    for row in rows:
        sheet.append([float(c) if isinstance(c, Decimal) else neutralise(c) for c in _cells(row)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column in ("D", "E"):
        for cell in sheet[column][1:]:
            cell.number_format = "dd/mm/yyyy"
    for column in ("J", "K"):
        for cell in sheet[column][1:]:
            cell.number_format = "#,##0.00"
    widths = [12, 20, 32, 12, 12, 36, 14, 16, 16, 14, 14, 20]
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    totals = book.create_sheet("Summary")
    totals.append(
        [
            "Invoicing body",
            "Month",
            "Invoices",
            "Invoiced (GBP)",
            "Credit notes",
            "Credited (GBP)",
            "Net (GBP)",
        ]
    )
    for s in summary:
        totals.append(
            [
                neutralise(s.body_name),
                s.month.strftime("%Y-%m"),
                s.invoice_count,
                float(s.invoiced),
                s.credit_note_count,
                float(s.credited),
                float(s.net),
            ]
        )
    for cell in totals[1]:
        cell.font = Font(bold=True)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
