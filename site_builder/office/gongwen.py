"""The 公文 layout of GB/T 9704-2012 over python-docx: page, fonts, lines, page numbers, tables.

A4; 版心 156 × 225 mm with 天头 37 mm and 订口 28 mm; 22 lines of 28 characters: every line is set
exactly one grid line high (225 mm / 22) and the characters are drawn 0.25 pt closer than their
3号 size, so that 28 fit the 156 mm line. Title 2号 方正小标宋简体, body 3号 仿宋_GB2312, first-level
headings 3号 黑体, second-level 3号 楷体_GB2312; page numbers "— 1 —" in 4号 宋体 below the text
block, on the right of odd pages and the left of even pages (右空一字, 左空一字). The fonts are named,
not embedded: the bureau's machines have them, and others fall back to a CJK font of their own.

Same input, same bytes: the document's dates come from the data, and the zip is written with a
fixed time for every entry (python-docx stamps the clock into it).
"""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm, Pt
from docx.text.paragraph import Paragraph

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
TOP, INNER = 37, 28  # 天头, 订口 (mm)
BLOCK_WIDTH, BLOCK_HEIGHT = 156, 225  # 版心 (mm)
LINES, CHARS = 22, 28

TITLE_FONT, BODY_FONT, H1_FONT, H2_FONT, NUMBER_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312", "宋体"
LATIN_FONT = "Times New Roman"
SIZE_2, SIZE_3, SIZE_4, SIZE_S4 = Pt(22), Pt(16), Pt(14), Pt(12)  # 2号, 3号, 4号, 小四

LINE_PITCH = Pt(28.95)  # one grid line: 579 twips, the pitch Word uses for 22 lines in the 225 mm block
CHAR_SQUEEZE_TWIPS = -5  # -0.25 pt a character (w:spacing is in twentieths of a point): 28 × 15.75 pt < 156 mm
INDENT_TWO = Pt(2 * 15.75)  # 首行缩进二字

FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


def _fonts(run_or_style_rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the fonts of a run or style: Latin letters and digits, and Chinese (w:eastAsia)."""
    font = run_or_style_rpr_owner.font
    font.name = latin
    rpr = run_or_style_rpr_owner.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _squeeze(rpr) -> None:
    spacing = rpr.find(qn("w:spacing"))
    if spacing is None:
        spacing = OxmlElement("w:spacing")
        rpr.append(spacing)
    spacing.set(qn("w:val"), str(CHAR_SQUEEZE_TWIPS))


class GongWen:
    """One 公文 being written: paragraphs in the order they are added."""

    def __init__(self, *, title: str, author: str, day: dt.date | None, mark: str | None = None):
        self.doc = Document()
        self._page_setup()
        self._styles()
        self._page_numbers()
        self.mark = mark
        if mark:
            self._mark_every_page(mark)
        props = self.doc.core_properties
        when = dt.datetime(day.year, day.month, day.day) if day else dt.datetime(2000, 1, 1)
        props.title, props.author, props.last_modified_by = title, author, author
        props.created = props.modified = when
        props.last_printed = when
        props.revision = 1
        props.comments = props.keywords = props.subject = props.category = ""
        # the template's first empty paragraph
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):
            body.remove(p)

    # --- page, styles, page numbers ------------------------------------------------------------

    def _page_setup(self) -> None:
        section = self.doc.sections[0]
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.left_margin = Mm(TOP), Mm(INNER)
        section.right_margin = Mm(210 - INNER - BLOCK_WIDTH)
        section.bottom_margin = Mm(297 - TOP - BLOCK_HEIGHT)
        section.header_distance = Mm(20)
        section.footer_distance = Mm(297 - TOP - BLOCK_HEIGHT - 7 - 5)  # 一字线 7 mm below the block
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))

    def _styles(self) -> None:
        styles = self.doc.styles
        normal = styles["Normal"]
        _fonts(normal, BODY_FONT)
        normal.font.size = SIZE_3
        _squeeze(normal.element.get_or_add_rPr())
        fmt = normal.paragraph_format
        fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt.line_spacing = LINE_PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False
        for name, font, size in (
            ("Title", TITLE_FONT, SIZE_2),
            ("Heading 1", H1_FONT, SIZE_3),
            ("Heading 2", H2_FONT, SIZE_3),
        ):
            style = styles[name]
            _fonts(style, font)
            style.font.size = size
            style.font.bold = False
            style.font.italic = False
            style.font.color.rgb = None
            rpr = style.element.get_or_add_rPr()
            _squeeze(rpr)
            pf = style.paragraph_format
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = LINE_PITCH
            pf.space_before = pf.space_after = Pt(0)
            pf.keep_with_next = name != "Title"
            pf.first_line_indent = INDENT_TWO if name != "Title" else None
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER if name == "Title" else WD_ALIGN_PARAGRAPH.JUSTIFY
            # the template's theme fonts and border under Title would override ours
            for tag in ("w:pBdr",):
                ppr = style.element.get_or_add_pPr()
                for el in ppr.findall(qn(tag)):
                    ppr.remove(el)

    def _page_numbers(self) -> None:
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in (
            (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
            (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
        ):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            fmt = p.paragraph_format
            fmt.first_line_indent = None
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(14)  # 右空一字
            else:
                fmt.left_indent = Pt(14)  # 左空一字
            self._number_run(p, "— ")
            self._page_field(p)
            self._number_run(p, " —")

    def _number_run(self, p: Paragraph, text: str):
        run = p.add_run(text)
        _fonts(run, NUMBER_FONT, NUMBER_FONT)
        run.font.size = SIZE_4
        return run

    def _page_field(self, p: Paragraph) -> None:
        for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
            run = self._number_run(p, "")
            if kind:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._r.append(fld)
            elif text == " PAGE ":
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
            else:
                run.text = text

    def _mark_every_page(self, mark: str) -> None:
        section = self.doc.sections[0]
        for header in (section.header, section.even_page_header):
            header.is_linked_to_previous = False
            p = header.paragraphs[0]
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.first_line_indent = None
            run = p.add_run(f"【{mark}】")
            _fonts(run, H1_FONT)
            run.font.size = SIZE_4

    # --- content -------------------------------------------------------------------------------

    def title(self, text: str) -> None:
        self.doc.add_paragraph(text, style="Title")
        self.blank()

    def blank(self) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = None

    def addressee(self, text: str) -> None:
        """主送机关: flush left, no indent, ending with a full-width colon."""
        p = self.doc.add_paragraph(text + "：")
        p.paragraph_format.first_line_indent = None

    def heading(self, text: str, level: int = 1) -> None:
        self.doc.add_paragraph(text, style="Heading 1" if level == 1 else "Heading 2")

    def para(
        self, text: str = "", *, indent: bool = True, align: str | None = None, runs: Sequence[tuple[str, dict]] = ()
    ) -> Paragraph:
        p = self.doc.add_paragraph()
        if text:
            p.add_run(text)
        for piece, style in runs:
            run = p.add_run(piece)
            if style.get("font"):
                _fonts(run, style["font"])
            if style.get("highlight"):
                from docx.enum.text import WD_COLOR_INDEX

                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            if style.get("bold"):
                run.bold = True
        if not indent:
            p.paragraph_format.first_line_indent = None
        else:
            p.paragraph_format.first_line_indent = INDENT_TWO
        if align == "right":
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "center":
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        else:
            p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        return p

    def signature(self, issuer: str, day: dt.date | None) -> None:
        """发文机关署名 and 成文日期 (Arabic numerals), right-aligned with four characters to spare."""
        self.blank()
        self.blank()
        for text in (issuer, zh_date_arabic(day) if day else "（成文日期待定）"):
            p = self.para(text, indent=False, align="right")
            p.paragraph_format.right_indent = Pt(4 * 15.75)

    def page_break(self) -> None:
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = None
        p.add_run().add_break(WD_BREAK.PAGE)

    def new_section(self) -> None:
        self.doc.add_section(WD_SECTION.NEW_PAGE)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[str]],
        widths_mm: Sequence[float],
        numeric: Iterable[int] = (),
    ) -> None:
        """A bordered table in 小四 仿宋 (黑体 header), its header row repeated on every page it runs
        onto; a long row may break across pages. Written as WordprocessingML directly: python-docx's
        cell API re-walks the table on every access, seconds for a year's notices."""
        numeric = set(numeric)
        twips = [round(w / 25.4 * 1440) for w in widths_mm]
        border = "".join(
            f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
            for side in ("top", "left", "bottom", "right", "insideH", "insideV")
        )
        out = [
            f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(twips)}" w:type="dxa"/><w:jc w:val="center"/>'
            f'<w:tblBorders>{border}</w:tblBorders><w:tblLayout w:type="fixed"/></w:tblPr><w:tblGrid>',
            *(f'<w:gridCol w:w="{t}"/>' for t in twips),
            "</w:tblGrid>",
        ]
        size = round(SIZE_S4.pt * 2)
        for r, values in enumerate([header, *rows]):
            out.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r == 0 else "<w:tr>")
            for c, value in enumerate(values):
                align = "center" if r == 0 else "right" if c in numeric else "left"
                fonts = (
                    (
                        f'<w:rFonts w:ascii="{LATIN_FONT}" w:hAnsi="{LATIN_FONT}" w:cs="{LATIN_FONT}" '
                        f'w:eastAsia="{H1_FONT}"/>'
                    )
                    if r == 0
                    else ""
                )
                out.append(
                    f'<w:tc><w:tcPr><w:tcW w:w="{twips[c]}" w:type="dxa"/></w:tcPr><w:p><w:pPr>'
                    '<w:snapToGrid w:val="0"/><w:spacing w:line="360" w:lineRule="exact"/>'  # 18 pt, off the 22-line grid
                    f'<w:jc w:val="{align}"/></w:pPr><w:r><w:rPr>{fonts}<w:sz w:val="{size}"/>'
                    f'<w:szCs w:val="{size}"/></w:rPr><w:t xml:space="preserve">{escape(str(value))}</w:t></w:r></w:p></w:tc>'
                )
            out.append("</w:tr>")
        out.append("</w:tbl>")
        body = self.doc.element.body
        body.insert(len(body) - 1, parse_xml("".join(out)))  # before the section properties

    # --- bytes ---------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        raw = io.BytesIO()
        self.doc.save(raw)
        return fixed_zip(raw.getvalue())


def fixed_zip(data: bytes) -> bytes:
    """The same zip with every entry's time fixed (and the entries in their order), deflated."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()


def zh_date_arabic(day: dt.date) -> str:
    """成文日期 as GB/T 9704-2012 writes it: Arabic numerals, no leading zeros: 2024年1月15日."""
    return f"{day.year}年{day.month}月{day.day}日"


CHINESE_NUMBERS = "一二三四五六七八九十"


def chinese_ordinal(n: int) -> str:
    """1 -> 一, 11 -> 十一, 20 -> 二十 (first-level headings: 一、二、…)."""
    if n <= 10:
        return CHINESE_NUMBERS[n - 1]
    tens, ones = divmod(n, 10)
    return (CHINESE_NUMBERS[tens - 1] if tens > 1 else "") + "十" + (CHINESE_NUMBERS[ones - 1] if ones else "")
