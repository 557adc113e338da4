"""Build the sample Data Protection Addendum PDF from its plain-text source.

The text lives in scripts/sample_sources/dpa.txt (outside the samples folder, because every
file under knowledge/samples/ is indexed). Markup is minimal: a line starting with "# " is the
document title, "## " starts a section heading, and blank lines separate paragraphs.

Usage:
    .venv/bin/python scripts/make_sample_pdf.py [--source PATH] [--output PATH]

The PDF uses the core Helvetica font, which only covers latin-1, so the source must be ASCII.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT / "scripts" / "sample_sources" / "dpa.txt"
DEFAULT_OUTPUT = REPO_ROOT / "knowledge" / "samples" / "acme-customer-care" / "04-data-protection-addendum.pdf"
FOOTER_TEXT = "ACME-MSA-2025-014 - Schedule C (Data Protection Addendum)"
# A fixed date keeps the output byte-for-byte reproducible between runs.
FIXED_DATE = datetime(2025, 3, 1, tzinfo=UTC)


class DpaPdf(FPDF):
    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", size=8)
        self.set_text_color(110, 110, 110)
        self.cell(0, 8, f"{FOOTER_TEXT} - Page {self.page_no()} of {{nb}}", align="C")
        self.set_text_color(0, 0, 0)


def parse_blocks(text: str) -> list[tuple[str, str]]:
    """Split the source into ("title" | "heading" | "para", text) blocks."""
    blocks: list[tuple[str, str]] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("para", " ".join(para)))
            para.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("## "):
            flush()
            blocks.append(("heading", line[3:].strip()))
        elif line.startswith("# "):
            flush()
            blocks.append(("title", line[2:].strip()))
        else:
            para.append(line)
    flush()
    return blocks


def build_pdf(source: Path, output: Path) -> int:
    text = source.read_text(encoding="ascii")  # fails loudly on non-ASCII input
    blocks = parse_blocks(text)
    title = next((body for kind, body in blocks if kind == "title"), "Data Protection Addendum")

    pdf = DpaPdf(format="letter", unit="mm")
    pdf.set_title(title)
    pdf.set_author("Acme Retail Group, Inc. and Meridian Contact Solutions Ltd.")
    pdf.set_subject("Data Protection Addendum to the Master Services Agreement ACME-MSA-2025-014")
    pdf.set_creator("Liaison scripts/make_sample_pdf.py")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_margins(left=25, top=22, right=25)
    pdf.set_auto_page_break(auto=True, margin=22)
    pdf.add_page()

    for kind, body in blocks:
        if kind == "title":
            pdf.set_font("Helvetica", style="B", size=15)
            pdf.multi_cell(0, 8, body, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
        elif kind == "heading":
            # Keep a heading together with at least the first lines of its paragraph.
            if pdf.get_y() > pdf.h - pdf.b_margin - 25:
                pdf.add_page()
            pdf.ln(2)
            pdf.set_font("Helvetica", style="B", size=11.5)
            pdf.multi_cell(0, 6.5, body, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        else:
            pdf.set_font("Helvetica", size=10.5)
            indent = 6 if body.startswith("(") else 0
            pdf.set_x(pdf.l_margin + indent)
            pdf.multi_cell(0, 5.4, body, align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.ln(2.2)

    output.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(output))
    return pdf.pages_count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    pages = build_pdf(args.source, args.output)
    print(f"wrote {args.output} ({pages} pages)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
