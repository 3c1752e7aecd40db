"""The child's access report as a printable PDF (fpdf2, with HarfBuzz shaping for Arabic).

The font ships with the repository (DejaVu Sans, static/fonts), so the PDF renders the same on
any node with nothing installed. Right-to-left languages are shaped and right-aligned.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

_FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
_RTL = frozenset({"ar", "fa", "ps", "prs", "ckb", "ur", "he"})

TITLES = {
    "en": ("Who has seen your information", "Case {ref}. Printed {date}. Fictional demo data is marked so."),
    "ar": ("من اطّلع على معلوماتك", "الملف {ref}. طُبع في {date}."),
    "fr": ("Qui a vu tes informations", "Dossier {ref}. Imprimé le {date}."),
    "it": ("Chi ha visto le tue informazioni", "Fascicolo {ref}. Stampato il {date}."),
}
EMPTY = {
    "en": "Nobody has read or received your information yet.",
    "ar": "لم يطّلع أحد على معلوماتك بعد.",
    "fr": "Personne n'a encore lu ni reçu tes informations.",
    "it": "Nessuno ha ancora letto o ricevuto le tue informazioni.",
}
# A long report is printed in parts (the view pages it): the last line of a part says so.
CONTINUED = {
    "en": "This is one part of the report. The next part is printed separately.",
    "ar": "هذا جزء من التقرير. الجزء التالي يُطبع على حدة.",
    "fr": "Ceci est une partie du rapport. La partie suivante est imprimée à part.",
    "it": "Questa è una parte del rapporto. La parte successiva viene stampata a parte.",
}


def render_access_report(
    *,
    reference: str,
    lang: str,
    printed: str,
    sentences: Sequence[tuple[bool, str]],
    continued: bool = False,
) -> bytes:
    """``sentences``: (allowed, sentence) in order; ``continued``: another part follows.
    Returns the PDF bytes."""
    rtl = lang in _RTL
    title, subtitle = TITLES.get(lang, TITLES["en"])
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_creator("Waymark")
    pdf.add_font("dejavu", fname=str(_FONTS / "DejaVuSans.ttf"))
    pdf.add_font("dejavu", style="B", fname=str(_FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_text_shaping(use_shaping_engine=True, direction="rtl" if rtl else "ltr")
    align = "R" if rtl else "L"
    pdf.add_page()
    pdf.set_font("dejavu", "B", 18)
    pdf.multi_cell(0, 10, title, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("dejavu", "", 10)
    pdf.multi_cell(
        0, 6, subtitle.format(ref=reference, date=printed), align=align, new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)
    pdf.set_font("dejavu", "", 12)
    if not sentences:
        pdf.multi_cell(0, 7, EMPTY.get(lang, EMPTY["en"]), align=align, new_x="LMARGIN", new_y="NEXT")
    for number, (allowed, sentence) in enumerate(sentences, start=1):
        pdf.set_text_color(0, 0, 0) if allowed else pdf.set_text_color(150, 30, 30)
        pdf.multi_cell(0, 7, f"{number}. {sentence}", align=align, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1.5)
    if continued:
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("dejavu", "B", 12)
        pdf.multi_cell(0, 7, CONTINUED.get(lang, CONTINUED["en"]), align=align, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
