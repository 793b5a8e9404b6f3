"""Office files and PDFs built at test time, with the libraries that read them (reportlab
writes the PDFs pdfplumber reads): a reply letter with a table of figures."""
from __future__ import annotations

import io

FIGURES = [["Year", "Requests received", "Refused"], ["2017", "1,204", "37"], ["2018", "1,350", "41"]]


def pdf_letter(rows=FIGURES, reference: str = "FOI-2019-0042") -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    out = io.BytesIO()
    style = getSampleStyleSheet()["Normal"]
    table = Table(rows)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black)]))
    SimpleDocTemplate(out, pagesize=A4).build([
        Paragraph("Dear Ms Smith,", style),
        Paragraph(f"Our reference: {reference}. Please find the figures you asked for below.", style),
        table, Paragraph("Yours sincerely, FOI Team", style)])
    return out.getvalue()


def scanned_pdf() -> bytes:
    """A page with a picture and no text layer, as a scanner makes it."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.rect(100, 100, 300, 500, fill=1)
    page.showPage()
    page.save()
    return out.getvalue()


def docx_letter(rows=FIGURES) -> bytes:
    import docx

    document = docx.Document()
    document.add_paragraph("Dear Ms Smith,")
    document.add_paragraph("Please find the figures you asked for below.")
    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            table.cell(i, j).text = value
    document.add_paragraph("Yours sincerely,")
    document.add_paragraph("FOI Team")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def xlsx_workbook() -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Requests"
    sheet.append(["Freedom of Information requests by year"])
    sheet.append([])
    sheet.append(["Year", "Requests received", "Refused"])
    sheet.append([2017, 1204, 37])
    sheet.append([2018, 1350, 41])
    second = book.create_sheet("Forces")
    second.append(["Police force", "Officers"])
    second.append(["Kent", 3700])
    second.append(["Essex", None])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
