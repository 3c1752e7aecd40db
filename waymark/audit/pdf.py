"""The child's access report as a printable, tagged PDF (fpdf2, with HarfBuzz shaping).

The fonts ship with the repository (static/fonts: DejaVu Sans for Latin, Noto Sans Arabic for
Arabic, Dari and Pashto, Noto Sans Ethiopic for Tigrinya), embedded as subsets, so the PDF
renders the same on any node with nothing installed. Right-to-left languages are shaped and
right-aligned.

Tagged for screen readers (PDF/UA's structure, ISO 14289): the document declares its language
(/Lang), is marked (/MarkInfo), and every block of text is marked content under a structure
element of the tree (/StructTreeRoot): /H1 for the title, /H2 for a heading, /P for a paragraph
and for each entry. fpdf2 2.8 tags only images and links itself, so ``_tagged`` writes the
marked-content operators through fpdf2's structure builder (``_add_marked_content``, private:
pinned fpdf2==2.8.9; waymark/audit/tests/test_access_report_pdf.py checks the structure).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from waymark.audit.report import phrasebook

_FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
_RTL = frozenset({"ar", "fa", "ps", "prs", "ckb", "ur", "he"})
_ETHIOPIC = frozenset({"ti", "am"})
# Printed on a draft translation's PDF, in English for the adult who prints it.
_FSI, _PDI = "\N{FIRST STRONG ISOLATE}", "\N{POP DIRECTIONAL ISOLATE}"
DRAFT_NOTE = "Draft translation: not yet reviewed by a native speaker."


class _ReportPDF(FPDF):
    def __init__(self, lang: str) -> None:
        super().__init__(format="A4")
        self.add_font("dejavu", fname=str(_FONTS / "DejaVuSans.ttf"))
        self.add_font("dejavu", style="B", fname=str(_FONTS / "DejaVuSans-Bold.ttf"))
        self.add_font("notoarabic", fname=str(_FONTS / "NotoSansArabic-Regular.ttf"))
        self.add_font("notoethiopic", fname=str(_FONTS / "NotoSansEthiopic-Regular.ttf"))
        # The language's own script first; a glyph it lacks (a Latin organisation name, the
        # other scripts) comes from the others.
        if lang in _RTL:
            self._face, self._bold = "notoarabic", ""
            self.set_fallback_fonts(["dejavu", "notoethiopic"], exact_match=False)
        elif lang in _ETHIOPIC:
            self._face, self._bold = "notoethiopic", ""
            self.set_fallback_fonts(["dejavu", "notoarabic"], exact_match=False)
        else:
            self._face, self._bold = "dejavu", "B"
            self.set_fallback_fonts(["notoarabic", "notoethiopic"], exact_match=False)
        self._align = "R" if lang in _RTL else "L"
        self._direction = "rtl" if lang in _RTL else "ltr"

    def tagged(
        self, tag: str, text: str, *, size: float, height: float, bold: bool = False, english: bool = False
    ) -> None:
        """One block of text as marked content under a /``tag`` structure element, on one page
        (a block never straddles a page break: fpdf2's marked content may not). ``english``: a
        left-to-right note, even in a right-to-left report."""
        self.set_font(self._face, self._bold if bold else "", size)
        self.set_text_shaping(use_shaping_engine=True, direction="ltr" if english else self._direction)
        needed = self.multi_cell(0, height, text, align=self._align, dry_run=True, output="HEIGHT")
        assert isinstance(needed, float | int)  # output="HEIGHT" returns the height alone
        if self.get_y() + needed > self.page_break_trigger:
            self.add_page()
        mcid = self.struct_builder.next_mcid_for_page(self.page)
        self._add_marked_content(struct_type=f"/{tag}", mcid=mcid)
        self._out(f"/{tag} <</MCID {mcid}>> BDC")
        self.multi_cell(0, height, text, align=self._align, new_x="LMARGIN", new_y="NEXT")
        self._out("EMC")


def render_access_report(
    *,
    reference: str,
    lang: str,
    printed: str,
    sentences: Sequence[tuple[bool, str]],
    printings: Sequence[str] = (),
    continued: bool = False,
) -> bytes:
    """``sentences``: (allowed, sentence) in order; ``printings``: when this report was printed
    (a list apart); ``continued``: another part follows. Returns the PDF bytes."""
    book = phrasebook(lang)
    pdf = _ReportPDF(lang)
    pdf.set_title(book.title)
    pdf.set_lang(lang)
    pdf.set_creator("Waymark")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.tagged("H1", book.title, size=18, height=10, bold=True)
    # The reference and the date keep their own direction in a right-to-left sentence.
    subtitle = book.subtitle.format(ref=f"{_FSI}{reference}{_PDI}", date=f"{_FSI}{printed}{_PDI}")
    pdf.tagged("P", subtitle, size=10, height=6)
    if book.draft:
        pdf.set_text_color(120, 60, 0)
        pdf.tagged("P", DRAFT_NOTE, size=10, height=6, english=True)
        pdf.set_text_color(0, 0, 0)
    pdf.ln(2)
    pdf.tagged("P", book.intro, size=11, height=6)
    pdf.ln(3)
    if not sentences and not printings:
        pdf.tagged("P", book.empty, size=12, height=7)
    for number, (allowed, sentence) in enumerate(sentences, start=1):
        pdf.set_text_color(0, 0, 0) if allowed else pdf.set_text_color(150, 30, 30)
        pdf.tagged("P", f"{number}. {sentence}", size=12, height=7)
        pdf.ln(1.5)
    pdf.set_text_color(0, 0, 0)
    if printings:
        pdf.ln(3)
        pdf.tagged("H2", book.printed_heading, size=13, height=8, bold=True)
        for sentence in printings:
            pdf.tagged("P", sentence, size=11, height=6)
    if continued:
        pdf.ln(2)
        pdf.tagged("P", book.continued, size=12, height=7, bold=True)
    return bytes(pdf.output())
