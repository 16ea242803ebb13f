#!/usr/bin/env python3
"""Render a tmux pane capture as a PNG that looks like a terminal window.

Usage:
    tmux capture-pane -p -e -N -t PANE > capture.txt
    python3 scripts/screenshot.py --width 100 --height 30 --out screenshots/x.png < capture.txt

The input is what `tmux capture-pane -p -e` prints: one line per row, '\\n' line endings,
ANSI SGR escapes for colours (16, 256 and 24-bit) and attributes (bold, dim, italic,
underline, reverse, strikethrough, hidden). Pass `-N` to capture-pane so that trailing
blanks, and with them background colours that run to the right edge, are kept.

The text goes through pyte (a VT100 emulator) at the pane's size, and Pillow draws every
cell at a fixed grid position with DejaVu Sans Mono (Debian: fonts-dejavu-core): a dark
palette, bold and italic faces, reverse video, dim, wide (CJK) characters over two cells
with a fallback font for glyphs DejaVu lacks (e.g. fonts-droid-fallback), an optional
block cursor, inside a window frame with a title bar.

Needs: python3 -m pip install pyte pillow
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import unicodedata
from typing import NamedTuple, Optional

try:
    import pyte
    from pyte import modes as pyte_modes
    from PIL import Image, ImageDraw, ImageFont
except ImportError as error:  # pragma: no cover - the message is the point
    sys.exit(f"screenshot.py: {error.name} is missing: python3 -m pip install pyte pillow")


# ---------------------------------------------------------------------------------------------
# Palette: a dark theme (the 16 ANSI colours of VS Code's dark terminal) on a near-black
# background. pyte names the 16 colours; 256-colour and 24-bit colours arrive as hex.

DEFAULT_FG = (0xD4, 0xD4, 0xD4)
DEFAULT_BG = (0x1E, 0x1E, 0x1E)
CURSOR = (0xAE, 0xAF, 0xAD)

ANSI = [
    ("black", (0x00, 0x00, 0x00)),
    ("red", (0xCD, 0x31, 0x31)),
    ("green", (0x0D, 0xBC, 0x79)),
    ("brown", (0xE5, 0xE5, 0x10)),  # pyte's name for yellow
    ("blue", (0x24, 0x72, 0xC8)),
    ("magenta", (0xBC, 0x3F, 0xBC)),
    ("cyan", (0x11, 0xA8, 0xCD)),
    ("white", (0xE5, 0xE5, 0xE5)),
    ("brightblack", (0x66, 0x66, 0x66)),
    ("brightred", (0xF1, 0x4C, 0x4C)),
    ("brightgreen", (0x23, 0xD1, 0x8B)),
    ("brightbrown", (0xF5, 0xF5, 0x43)),
    ("brightblue", (0x3B, 0x8E, 0xEA)),
    ("brightmagenta", (0xD6, 0x70, 0xD6)),
    ("brightcyan", (0x29, 0xB8, 0xDB)),
    ("brightwhite", (0xFF, 0xFF, 0xFF)),
]
PALETTE = dict(ANSI)
PALETTE["bfightmagenta"] = PALETTE["brightmagenta"]  # a typo in pyte's background table

TITLE_BAR = (0x2D, 0x2D, 0x2D)
TITLE_TEXT = (0x9D, 0x9D, 0x9D)
FRAME_BORDER = (0x45, 0x45, 0x45)
TRAFFIC_LIGHTS = [(0xFF, 0x5F, 0x56), (0xFF, 0xBD, 0x2E), (0x27, 0xC9, 0x3F)]

FONT_DIRS = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/local/share/fonts"]
FALLBACK_FONTS = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts-droid-fallback/truetype/DroidSansFallback.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/noto/NotoSansSymbols2-Regular.ttf",
]


# ---------------------------------------------------------------------------------------------
# Parsing: SGR normalised to the forms pyte knows, then pyte with dim and hidden tracked.

SGR = re.compile(r"\x1b\[([0-9;:]*)m")


def normalise_sgr(params: str) -> str:
    """Rewrites one SGR parameter list into the forms pyte understands.

    tmux writes extended underlines with colons (4:3 curly) and may write colours that way;
    pyte knows neither, nor the underline colour (58), and maps 38;5;N for N < 16 to fixed
    xterm colours rather than to the palette. Unknown attributes are left for pyte to ignore.
    """
    parts = params.split(";") if params else ["0"]
    out: list[str] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if ":" in part:
            sub = part.split(":")
            head = sub[0]
            if head == "4":
                out.append("24" if sub[1:2] == ["0"] else "4")
            elif head in ("38", "48") and len(sub) >= 3 and sub[1] == "5":
                out += indexed_colour(int(head), int(sub[2] or 0))
            elif head in ("38", "48") and len(sub) >= 5 and sub[1] == "2":
                rgb = sub[-3:]  # 38:2:R:G:B or 38:2:COLOURSPACE:R:G:B
                out += [head, "2"] + [value or "0" for value in rgb]
            i += 1
            continue
        code = int(part) if part else 0
        if code in (38, 48, 58) and i + 1 < len(parts):
            kind = parts[i + 1]
            width = {"5": 1, "2": 3}.get(kind, 0)
            arguments = parts[i + 2 : i + 2 + width]
            i += 2 + width
            if code == 58 or len(arguments) < width or width == 0:
                continue
            if kind == "5":
                out += indexed_colour(code, int(arguments[0] or 0))
            else:
                out += [str(code), "2"] + [value or "0" for value in arguments]
            continue
        out.append(str(code))
        i += 1
    return ";".join(out)


def indexed_colour(code: int, index: int) -> list[str]:
    """38;5;N / 48;5;N, with N < 16 turned into the palette's ANSI codes."""
    base = 30 if code == 38 else 40
    if index < 8:
        return [str(base + index)]
    if index < 16:
        return [str(base + 60 + index - 8)]
    return [str(code), "5", str(index)]


class Cell(NamedTuple):
    """pyte's Char with the attributes it does not keep: dim (SGR 2) and hidden (SGR 8)."""

    data: str
    fg: str = "default"
    bg: str = "default"
    bold: bool = False
    italics: bool = False
    underscore: bool = False
    strikethrough: bool = False
    reverse: bool = False
    blink: bool = False
    dim: bool = False
    hidden: bool = False


class TerminalScreen(pyte.Screen):
    """A pyte screen whose cells are `Cell`s, so dim and hidden survive."""

    @property
    def default_char(self) -> Cell:
        return Cell(data=" ", reverse=pyte_modes.DECSCNM in self.mode)

    def select_graphic_rendition(self, *attrs: int, **kwargs: object) -> None:
        dim = getattr(self.cursor.attrs, "dim", False)
        hidden = getattr(self.cursor.attrs, "hidden", False)
        values = list(attrs) or [0]
        i = 0
        while i < len(values):
            code = values[i]
            if code in (38, 48) and i + 1 < len(values):  # skip the colour's own numbers
                i += 2 + {5: 1, 2: 3}.get(values[i + 1], 0)
                continue
            if code == 0:
                dim = hidden = False
            elif code == 2:
                dim = True
            elif code == 22:
                dim = False
            elif code == 8:
                hidden = True
            elif code == 28:
                hidden = False
            i += 1
        if not isinstance(self.cursor.attrs, Cell):
            self.cursor.attrs = Cell(*self.cursor.attrs)
        super().select_graphic_rendition(*attrs)
        attributes = self.cursor.attrs
        if not isinstance(attributes, Cell):
            attributes = Cell(*attributes)
        self.cursor.attrs = attributes._replace(dim=dim, hidden=hidden)


def parse(capture: str, width: int, height: int) -> TerminalScreen:
    """The screen that `capture` (tmux capture-pane -p -e output) describes."""
    lines = capture.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline after the last row, which would scroll the screen
    text = "\r\n".join(lines[:height])
    # pyte stops a run of text at a zero-width non-combining character (variation selectors,
    # zero-width joiner); the terminal draws none of them as a cell anyway.
    text = re.sub("[\ufe0e\ufe0f\u200d]", "", text)
    text = SGR.sub(lambda match: "\x1b[" + normalise_sgr(match.group(1)) + "m", text)
    screen = TerminalScreen(width, height)
    pyte.Stream(screen).feed(text)
    return screen


# ---------------------------------------------------------------------------------------------
# Drawing

def colour(name: str, default: tuple[int, int, int]) -> tuple[int, int, int]:
    if name == "default":
        return default
    if name in PALETTE:
        return PALETTE[name]
    if re.fullmatch(r"[0-9a-fA-F]{6}", name):
        return (int(name[0:2], 16), int(name[2:4], 16), int(name[4:6], 16))
    return default


def blend(a: tuple[int, int, int], b: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    return tuple(round(x + (y - x) * amount) for x, y in zip(a, b))  # type: ignore[return-value]


def cell_colours(cell: Cell) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """The text and background colours of a cell, after reverse, dim and hidden."""
    fg = colour(cell.fg, DEFAULT_FG)
    bg = colour(cell.bg, DEFAULT_BG)
    if cell.reverse:
        fg, bg = bg, fg
    if getattr(cell, "dim", False):
        fg = blend(fg, bg, 0.45)
    if getattr(cell, "hidden", False):
        fg = bg
    return fg, bg


def find_font(name: str, directories: list[str]) -> Optional[str]:
    for directory in directories:
        path = os.path.join(directory, name)
        if os.path.exists(path):
            return path
    return None


class Fonts:
    """DejaVu Sans Mono's faces, and fallbacks for the glyphs it lacks."""

    def __init__(self, size: int, directories: list[str]) -> None:
        regular = find_font("DejaVuSansMono.ttf", directories)
        if regular is None:
            sys.exit(
                "screenshot.py: DejaVuSansMono.ttf not found in " + ", ".join(directories)
                + " (Debian: apt-get install fonts-dejavu-core; or pass --font-dir)"
            )
        bold = find_font("DejaVuSansMono-Bold.ttf", directories) or regular
        italic = find_font("DejaVuSansMono-Oblique.ttf", directories) or regular
        bold_italic = find_font("DejaVuSansMono-BoldOblique.ttf", directories) or bold
        self.size = size
        self.faces = {
            (False, False): ImageFont.truetype(regular, size),
            (True, False): ImageFont.truetype(bold, size),
            (False, True): ImageFont.truetype(italic, size),
            (True, True): ImageFont.truetype(bold_italic, size),
        }
        self.regular = self.faces[(False, False)]
        self.fallbacks = [ImageFont.truetype(path, size) for path in FALLBACK_FONTS if os.path.exists(path)]
        self.ascent, self.descent = self.regular.getmetrics()
        self.cell_width = max(1, round(self.regular.getlength("M")))
        self.cell_height = self.ascent + self.descent
        self._covers: dict[tuple[int, str], bool] = {}
        self._missing = {id(font): self._mask(font, "\U0010fffd") for font in [self.regular, *self.fallbacks]}
        self._scaled: dict[tuple[int, int], ImageFont.FreeTypeFont] = {}

    @staticmethod
    def _mask(font: ImageFont.FreeTypeFont, text: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(text)
        return mask.size, bytes(mask)

    def covers(self, font: ImageFont.FreeTypeFont, char: str) -> bool:
        """Whether `font` has a glyph for `char` (it does not draw its .notdef box)."""
        key = (id(font), char)
        if key not in self._covers:
            self._covers[key] = self._mask(font, char) != self._missing[id(font)]
        return self._covers[key]

    def font_for(self, char: str, bold: bool, italic: bool, cells: int) -> ImageFont.FreeTypeFont:
        """The face to draw `char` with; a fallback scaled down if too wide for its cells."""
        face = self.faces[(bold, italic)]
        if char.isspace() or self.covers(self.regular, char):
            return face
        for fallback in self.fallbacks:
            if self.covers(fallback, char):
                width = fallback.getlength(char)
                room = self.cell_width * cells
                if width <= room * 1.05:
                    return fallback
                size = max(1, int(self.size * room / width))
                key = (id(fallback), size)
                if key not in self._scaled:
                    self._scaled[key] = fallback.font_variant(size=size)
                return self._scaled[key]
        return face  # nobody has it: DejaVu's box


# ---------------------------------------------------------------------------------------------
# Box drawing and block elements are drawn as shapes on the pixel grid, as terminals do, so
# lines join across cells without seams and blocks fill their cells exactly. The shapes come
# from the characters' Unicode names ("BOX DRAWINGS DOWN LIGHT AND RIGHT HEAVY"); dashed,
# diagonal and mixed single/double lines are left to the font.

DIRECTIONS = {"UP": "U", "DOWN": "D", "LEFT": "L", "RIGHT": "R", "HORIZONTAL": "LR", "VERTICAL": "UD"}
WEIGHTS = {"LIGHT": 1, "SINGLE": 1, "HEAVY": 2, "DOUBLE": 3}
_box_cache: dict[str, Optional[tuple[dict[str, int], bool]]] = {}


def fill(draw: ImageDraw.ImageDraw, box: tuple[int, int, int, int], colour: tuple[int, int, int]) -> None:
    """A filled rectangle, inclusive; nothing if it is empty."""
    if box[2] >= box[0] and box[3] >= box[1]:
        draw.rectangle(box, fill=colour)


def box_arms(char: str) -> Optional[tuple[dict[str, int], bool]]:
    """The arms of a box-drawing character ({direction: 1 light, 2 heavy, 3 double}) and
    whether its corner is rounded; None for the ones the font draws."""
    if char in _box_cache:
        return _box_cache[char]
    arms: Optional[tuple[dict[str, int], bool]] = None
    name = unicodedata.name(char, "")
    if name.startswith("BOX DRAWINGS ") and not any(word in name for word in ("DASH", "DIAGONAL")):
        words = name[len("BOX DRAWINGS ") :].split()
        rounded = "ARC" in words
        found: dict[str, int] = {}
        weight = 0
        for group in " ".join(word for word in words if word != "ARC").split(" AND "):
            tokens = group.split()
            weights = [WEIGHTS[token] for token in tokens if token in WEIGHTS]
            weight = weights[0] if weights else weight  # "LIGHT DOWN AND RIGHT": shared
            for token in tokens:
                for direction in DIRECTIONS.get(token, ""):
                    found[direction] = weight
        kinds = set(found.values())
        if found and 0 not in kinds and not (3 in kinds and len(kinds) > 1):
            arms = (found, rounded)
    _box_cache[char] = arms
    return arms


def draw_box(draw: ImageDraw.ImageDraw, char: str, box: tuple[int, int, int, int], fg: tuple[int, int, int]) -> bool:
    """Draws a box-drawing character in the cell `box` (left, top, right, bottom, inclusive)."""
    shape = box_arms(char)
    if shape is None:
        return False
    arms, rounded = shape
    left, top, right, bottom = box
    width = right - left + 1
    cx, cy = left + width // 2, top + (bottom - top + 1) // 2
    light = max(1, round(width / 9))
    if 3 in arms.values():
        gap = max(light + 1, round(width / 5))
        draw_double(draw, set(arms), box, cx, cy, gap, light, fg)
        return True
    if rounded and len(arms) == 2:
        # A quarter circle from the middle of one edge to the middle of the other.
        radius = min(width // 2, (bottom - top + 1) // 2)
        vertical = "U" if "U" in arms else "D"
        horizontal = "L" if "L" in arms else "R"
        ox = cx - 2 * radius if horizontal == "L" else cx
        oy = cy - 2 * radius if vertical == "U" else cy
        start = {("D", "R"): 180, ("D", "L"): 270, ("U", "L"): 0, ("U", "R"): 90}[(vertical, horizontal)]
        offset = light // 2
        draw.arc((ox - offset, oy - offset, ox + 2 * radius - offset + light - 1, oy + 2 * radius - offset + light - 1),
                 start, start + 90, fill=fg, width=light)
        if vertical == "D":
            fill(draw, (cx - offset, cy + radius, cx - offset + light - 1, bottom), fg)
        else:
            fill(draw, (cx - offset, top, cx - offset + light - 1, cy - radius), fg)
        if horizontal == "R":
            fill(draw, (cx + radius, cy - offset, right, cy - offset + light - 1), fg)
        else:
            fill(draw, (left, cy - offset, cx - radius, cy - offset + light - 1), fg)
        return True
    for direction, weight in arms.items():
        thickness = light * weight
        x0, y0 = cx - thickness // 2, cy - thickness // 2
        x1, y1 = x0 + thickness - 1, y0 + thickness - 1
        rectangle = {
            "U": (x0, top, x1, y1),
            "D": (x0, y0, x1, bottom),
            "L": (left, y0, x1, y1),
            "R": (x0, y0, right, y1),
        }[direction]
        fill(draw, rectangle, fg)
    return True


def draw_double(draw, arms: set[str], box, cx: int, cy: int, gap: int, thickness: int, fg) -> None:
    """Double lines: two parallel lines per arm, the inner ones cut short at the corners."""
    left, top, right, bottom = box
    half = thickness // 2

    def horizontal(y: int, x0: int, x1: int) -> None:
        fill(draw, (x0, y - half, x1, y - half + thickness - 1), fg)

    def vertical(x: int, y0: int, y1: int) -> None:
        fill(draw, (x - half, y0, x - half + thickness - 1, y1), fg)

    for y, through in ((cy - gap, "U"), (cy + gap, "D")):
        if through in arms:
            if "L" in arms:
                horizontal(y, left, cx - gap)
            if "R" in arms:
                horizontal(y, cx + gap, right)
        elif "L" in arms or "R" in arms:
            horizontal(y, left if "L" in arms else cx - gap, right if "R" in arms else cx + gap)
    for x, through in ((cx - gap, "L"), (cx + gap, "R")):
        if through in arms:
            if "U" in arms:
                vertical(x, top, cy - gap)
            if "D" in arms:
                vertical(x, cy + gap, bottom)
        elif "U" in arms or "D" in arms:
            vertical(x, top if "U" in arms else cy - gap, bottom if "D" in arms else cy + gap)


QUADRANTS = {  # upper left, upper right, lower left, lower right
    "\u2596": "0010", "\u2597": "0001", "\u2598": "1000", "\u2599": "1011", "\u259a": "1001",
    "\u259b": "1110", "\u259c": "1101", "\u259d": "0100", "\u259e": "0110", "\u259f": "0111",
}


def draw_block(draw, char: str, box: tuple[int, int, int, int], fg, bg) -> bool:
    """Draws a block element (U+2580-U+259F): full, partial, shaded and quadrant blocks."""
    code = ord(char)
    if not 0x2580 <= code <= 0x259F:
        return False
    left, top, right, bottom = box
    width, height = right - left + 1, bottom - top + 1
    if code == 0x2580:  # upper half
        fill(draw, (left, top, right, top + height // 2 - 1), fg)
    elif 0x2581 <= code <= 0x2588:  # lower eighths to full
        rows = round(height * (code - 0x2580) / 8)
        fill(draw, (left, bottom - rows + 1, right, bottom), fg)
    elif 0x2589 <= code <= 0x258F:  # left seven eighths to one eighth
        columns = max(1, round(width * (0x2590 - code) / 8))
        fill(draw, (left, top, left + columns - 1, bottom), fg)
    elif code == 0x2590:  # right half
        fill(draw, (left + width // 2, top, right, bottom), fg)
    elif 0x2591 <= code <= 0x2593:  # light, medium, dark shade
        fill(draw, box, blend(bg, fg, (code - 0x2590) / 4))
    elif code == 0x2594:  # upper eighth
        fill(draw, (left, top, right, top + max(1, round(height / 8)) - 1), fg)
    elif code == 0x2595:  # right eighth
        fill(draw, (right - max(1, round(width / 8)) + 1, top, right, bottom), fg)
    else:
        middle_x, middle_y = left + width // 2, top + height // 2
        quarters = [(left, top, middle_x - 1, middle_y - 1), (middle_x, top, right, middle_y - 1),
                    (left, middle_y, middle_x - 1, bottom), (middle_x, middle_y, right, bottom)]
        for filled, quarter in zip(QUADRANTS[char], quarters):
            if filled == "1":
                fill(draw, quarter, fg)
    return True


def render(
    screen: TerminalScreen,
    fonts: Fonts,
    title: str,
    cursor: Optional[tuple[int, int]] = None,
    scale: int = 1,
    frame: bool = True,
) -> Image.Image:
    cw, ch = fonts.cell_width, fonts.cell_height
    columns, rows = screen.columns, screen.lines
    padding = round(cw * 1.2) if frame else 0
    title_height = round(ch * 1.25) if frame else 0
    radius = round(cw * 0.8) if frame else 0
    width = columns * cw + 2 * padding
    height = rows * ch + 2 * padding + title_height
    origin_x, origin_y = padding, title_height + padding

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    if frame:
        draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, fill=DEFAULT_BG + (255,))
        draw.rounded_rectangle((0, 0, width - 1, title_height + radius), radius=radius, fill=TITLE_BAR + (255,))
        draw.rectangle((0, title_height, width - 1, title_height + radius), fill=DEFAULT_BG + (255,))
        draw.line((0, title_height, width - 1, title_height), fill=FRAME_BORDER, width=max(1, scale))
        draw.rounded_rectangle((0, 0, width - 1, height - 1), radius=radius, outline=FRAME_BORDER, width=max(1, scale))
        dot = round(title_height * 0.36)
        for n, light in enumerate(TRAFFIC_LIGHTS):
            centre_x = padding + dot // 2 + n * round(dot * 1.7)
            centre_y = title_height // 2
            draw.ellipse((centre_x - dot // 2, centre_y - dot // 2, centre_x + dot // 2, centre_y + dot // 2), fill=light)
        title_font_path = find_font("DejaVuSans.ttf", FONT_DIRS) or find_font("DejaVuSansMono.ttf", FONT_DIRS)
        if title_font_path is not None and title:
            title_font = ImageFont.truetype(title_font_path, round(fonts.size * 0.85))
            draw.text((width / 2, title_height / 2), title, font=title_font, fill=TITLE_TEXT, anchor="mm")
    else:
        draw.rectangle((0, 0, width, height), fill=DEFAULT_BG + (255,))

    def cell_at(x: int, y: int) -> Cell:
        return screen.buffer[y][x]

    # Backgrounds first, then glyphs: a glyph that overhangs its cell (box drawing does, by a
    # pixel, so lines join) is not covered by its neighbour's background.
    for y in range(rows):
        for x in range(columns):
            cell = cell_at(x, y)
            fg, bg = cell_colours(cell)
            if cursor == (x, y):
                bg = CURSOR
            if bg != DEFAULT_BG or cursor == (x, y):
                left, top = origin_x + x * cw, origin_y + y * ch
                draw.rectangle((left, top, left + cw - 1, top + ch - 1), fill=bg)

    baseline = fonts.ascent
    line_width = max(1, round(fonts.size / 14))
    for y in range(rows):
        for x in range(columns):
            cell = cell_at(x, y)
            if cell.data == "":
                continue  # the second half of a wide character
            fg, bg = cell_colours(cell)
            if cursor == (x, y):
                fg = bg
            wide = x + 1 < columns and cell_at(x + 1, y).data == ""
            cells = 2 if wide else 1
            left, top = origin_x + x * cw, origin_y + y * ch
            box = (left, top, left + cw * cells - 1, top + ch - 1)
            if draw_box(draw, cell.data, box, fg) or draw_block(draw, cell.data, box, fg, bg):
                pass
            elif cell.data.strip():
                font = fonts.font_for(cell.data, cell.bold, cell.italics, cells)
                advance = font.getlength(cell.data)
                offset = (cw * cells - advance) / 2 if (wide or font not in fonts.faces.values()) else 0
                draw.text((left + offset, top + baseline), cell.data, font=font, fill=fg, anchor="ls")
            if cell.underscore:
                underline_y = top + baseline + max(line_width, fonts.descent // 3)
                draw.rectangle((left, underline_y, left + cw * cells - 1, underline_y + line_width - 1), fill=fg)
            if cell.strikethrough:
                strike_y = top + baseline - round(fonts.ascent * 0.3)
                draw.rectangle((left, strike_y, left + cw * cells - 1, strike_y + line_width - 1), fill=fg)
    return image


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="Render a tmux capture-pane -e -p capture as a terminal PNG.")
    parser.add_argument("--width", type=int, required=True, help="pane width in columns")
    parser.add_argument("--height", type=int, required=True, help="pane height in rows")
    parser.add_argument("--out", required=True, help="the PNG to write")
    parser.add_argument("--title", help="the window title (default: till — WxH)")
    parser.add_argument("--cursor", help="X,Y (from 0) of a block cursor to draw; none if omitted")
    parser.add_argument("--font-size", type=int, default=15, help="font size in points at scale 1 (default 15)")
    parser.add_argument("--scale", type=int, default=2, help="pixel density (default 2, for sharp HiDPI images)")
    parser.add_argument("--font-dir", action="append", default=[], help="another folder holding DejaVuSansMono*.ttf")
    parser.add_argument("--no-frame", action="store_true", help="only the terminal's cells, no window frame")
    parser.add_argument("input", nargs="?", help="the capture (default: standard input)")
    args = parser.parse_args(argv)
    if args.width < 1 or args.height < 1:
        parser.error("--width and --height must be positive")

    cursor = None
    if args.cursor:
        try:
            cursor_x, cursor_y = (int(value) for value in args.cursor.split(","))
        except ValueError:
            parser.error("--cursor takes X,Y")
        cursor = (cursor_x, cursor_y)

    if args.input:
        with open(args.input, "rb") as file:
            data = file.read()
    else:
        data = sys.stdin.buffer.read()
    screen = parse(data.decode("utf-8", errors="replace"), args.width, args.height)
    fonts = Fonts(args.font_size * args.scale, args.font_dir + FONT_DIRS)
    title = args.title if args.title is not None else f"till — {args.width}×{args.height}"
    image = render(screen, fonts, title, cursor=cursor, scale=args.scale, frame=not args.no_frame)
    directory = os.path.dirname(os.path.abspath(args.out))
    os.makedirs(directory, exist_ok=True)
    image.save(args.out, "PNG", optimize=True)
    print(f"{args.out}: {image.width}x{image.height}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
