"""A collaboration's invoices and each member's share as a file: one row per invoice, one
column per member (every municipality with a share of any invoice, by name), and the sum of the
shares beside the amount. The workbook adds a sheet with one row per share and its basis.
Amounts are numbers in kroner with two decimals (in the CSV file with a decimal point)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Collaboration, Invoice

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("csv", "xlsx")


def _invoices(collaboration: Collaboration) -> list[Invoice]:
    return list(
        Invoice.objects.filter(licence__collaboration=collaboration)
        .select_related("licence__resource")
        .prefetch_related("shares__municipality")
        .order_by("issued_on", "pk")
    )


def matrix(collaboration: Collaboration) -> tuple[list[str], list[list]]:
    """The header and the rows: invoices × members."""
    invoices = _invoices(collaboration)
    members = sorted(
        {share.municipality for invoice in invoices for share in invoice.shares.all()},
        key=lambda m: (m.name, m.pk),
    )
    header = [
        _("Invoice date"),
        _("Invoice number"),
        _("Resource"),
        _("Period from"),
        _("Period to"),
        _("Amount (DKK)"),
        *[member.name for member in members],
        _("Sum of shares (DKK)"),
    ]
    rows = []
    for invoice in invoices:
        shares = {share.municipality_id: share.amount for share in invoice.shares.all()}
        rows.append(
            [
                invoice.issued_on,
                invoice.reference,
                invoice.licence.resource.name,
                invoice.period_start,
                invoice.period_end,
                invoice.amount,
                *[shares.get(member.pk, Decimal("0.00")) for member in members],
                sum(shares.values(), Decimal("0.00")),
            ]
        )
    return header, rows


def render(collaboration: Collaboration, file_format: str) -> tuple[bytes, str, str]:
    """The file's bytes, name and content type; `file_format` is "csv" or "xlsx"."""
    header, rows = matrix(collaboration)
    name = f"{slugify(collaboration.name) or 'collaboration'}-invoices"
    if file_format == "xlsx":
        return _xlsx(collaboration, header, rows), f"{name}.xlsx", XLSX_TYPE
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow(
            [value.isoformat() if hasattr(value, "isoformat") else value for value in row]
        )
    # The byte order mark makes Excel read the file as UTF-8 (æ, ø, å).
    return text.getvalue().encode("utf-8-sig"), f"{name}.csv", "text/csv; charset=utf-8"


def _xlsx(collaboration: Collaboration, header: list[str], rows: list[list]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Invoices")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows(min_row=2):
        for cell in row[3:5] + row[:1]:
            cell.number_format = "yyyy-mm-dd"
        for cell in row[5:]:
            cell.number_format = "#,##0.00"
    for column, width in zip("ABCDEF", (12, 16, 28, 12, 12, 14), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "G2"

    shares = workbook.create_sheet(_("Shares")[:31])
    shares.append(
        [
            _("Invoice date"),
            _("Invoice number"),
            _("Resource"),
            _("Member"),
            _("Share (DKK)"),
            _("Basis"),
        ]
    )
    for cell in shares[1]:
        cell.font = Font(bold=True)
    for invoice in _invoices(collaboration):
        for share in invoice.shares.all():
            shares.append(
                [
                    invoice.issued_on,
                    invoice.reference,
                    invoice.licence.resource.name,
                    share.municipality.name,
                    share.amount,
                    share.basis,
                ]
            )
    for row in shares.iter_rows(min_row=2):
        row[0].number_format = "yyyy-mm-dd"
        row[4].number_format = "#,##0.00"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
