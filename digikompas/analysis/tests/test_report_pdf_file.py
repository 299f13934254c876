"""The PDF report as a reader gets it: the text read back from the file's bytes with pypdf."""

import io
import re

from pypdf import PdfReader

from digikompas.analysis import reports
from digikompas.analysis.reports import ReportSpec


def test_the_pdf_file_opens_and_holds_the_sections_and_the_method_note(report_round):
    built = reports.build(
        ReportSpec(round=report_round, language="en", file_format="pdf", group_by="municipality")
    )

    pdf = PdfReader(io.BytesIO(built.content))
    text = re.sub(r"\s+", " ", " ".join(page.extract_text() for page in pdf.pages))

    assert len(pdf.pages) >= 2
    assert pdf.metadata.title.startswith("National analysis report")
    for heading in ("Method", "The largest gaps", "Denmark per competency"):
        assert heading in text
    assert "No figure describes fewer than 5 respondents." in text
    # Odense's need figures are hidden in the heat map; they never appear as numbers.
    assert re.search(r"Odense – –", text)
