#!/usr/bin/env python3
"""Checks scripts/screenshot.py: SGR normalising, parsing and drawing.

    python3 -m pip install pyte pillow
    python3 scripts/test_screenshot.py

The last test runs a real program in a private tmux server (skipped without tmux) and
checks that the screen pyte rebuilds from `capture-pane -e -N` matches tmux's plain text.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import screenshot  # noqa: E402

FONT_DIRS = screenshot.FONT_DIRS


class NormaliseSGR(unittest.TestCase):
    def test_forms_pyte_does_not_know_are_rewritten(self) -> None:
        cases = {
            "": "0",
            "1": "1",
            "4:3": "4",
            "4:0": "24",
            "38;5;3": "33",
            "48;5;9": "101",
            "38;5;208": "38;5;208",
            "1;58;5;3;7": "1;7",
            "58;2;1;2;3;4": "4",
            "38:2::1:2:3": "38;2;1;2;3",
            "38:2:1:2:3": "38;2;1;2;3",
            "48:5:12": "104",
            "38;2;10;20;30;1": "38;2;10;20;30;1",
        }
        for given, expected in cases.items():
            with self.subTest(given=given):
                self.assertEqual(screenshot.normalise_sgr(given), expected)


class Parse(unittest.TestCase):
    def test_rows_stay_in_place_and_the_last_newline_does_not_scroll(self) -> None:
        screen = screenshot.parse("top\nmiddle\nbottom\n", 10, 3)
        self.assertEqual([line.rstrip() for line in screen.display], ["top", "middle", "bottom"])

    def test_attributes_and_colours(self) -> None:
        capture = "\x1b[1;31mA\x1b[0m\x1b[2mB\x1b[22mC\x1b[7mD\x1b[0m\x1b[38;5;208mE\x1b[38;2;1;2;3mF\x1b[8mG\x1b[0m\x1b[4:3mH"
        row = screenshot.parse(capture, 10, 1).buffer[0]
        self.assertTrue(row[0].bold)
        self.assertEqual(row[0].fg, "red")
        self.assertTrue(row[1].dim)
        self.assertFalse(row[2].dim)
        self.assertTrue(row[3].reverse)
        self.assertEqual(row[4].fg, "ff8700")
        self.assertEqual(row[5].fg, "010203")
        self.assertTrue(row[6].hidden)
        self.assertTrue(row[7].underscore)

    def test_wide_characters_take_two_cells(self) -> None:
        row = screenshot.parse("日x本\n", 10, 1).buffer[0]
        self.assertEqual([row[x].data for x in range(5)], ["日", "", "x", "本", ""])


class Render(unittest.TestCase):
    def setUp(self) -> None:
        self.fonts = screenshot.Fonts(20, FONT_DIRS)

    def image(self, capture: str, width: int = 8, height: int = 2, **kwargs: object):
        screen = screenshot.parse(capture, width, height)
        return screenshot.render(screen, self.fonts, "", frame=False, **kwargs)

    def cell_pixels(self, image, x: int, y: int) -> list[tuple[int, ...]]:
        cw, ch = self.fonts.cell_width, self.fonts.cell_height
        box = image.crop((x * cw, y * ch, (x + 1) * cw, (y + 1) * ch)).convert("RGB")
        return list(box.getdata())

    def test_the_image_is_the_grid(self) -> None:
        image = self.image("ab\n", 8, 2)
        self.assertEqual(image.size, (8 * self.fonts.cell_width, 2 * self.fonts.cell_height))

    def test_reverse_paints_the_foreground_behind(self) -> None:
        image = self.image("\x1b[7m \x1b[0m \n")
        self.assertEqual(set(self.cell_pixels(image, 0, 0)), {screenshot.DEFAULT_FG})
        self.assertEqual(set(self.cell_pixels(image, 1, 0)), {screenshot.DEFAULT_BG})

    def test_colours_come_from_the_palette(self) -> None:
        image = self.image("\x1b[44m \x1b[48;2;10;20;30m \x1b[48;5;0m \n")
        self.assertEqual(set(self.cell_pixels(image, 0, 0)), {screenshot.PALETTE["blue"]})
        self.assertEqual(set(self.cell_pixels(image, 1, 0)), {(10, 20, 30)})
        self.assertEqual(set(self.cell_pixels(image, 2, 0)), {screenshot.PALETTE["black"]})
        red = self.image("\x1b[31mM\n")
        self.assertIn(screenshot.PALETTE["red"], self.cell_pixels(red, 0, 0))

    def test_bold_is_heavier(self) -> None:
        def ink(image) -> int:
            return sum(1 for pixel in self.cell_pixels(image, 0, 0) if pixel != screenshot.DEFAULT_BG)

        self.assertGreater(ink(self.image("\x1b[1mM\n")), ink(self.image("M\n")))

    def test_a_wide_character_draws_over_two_cells(self) -> None:
        image = self.image("本\n")
        for x in (0, 1):
            self.assertTrue(any(pixel != screenshot.DEFAULT_BG for pixel in self.cell_pixels(image, x, 0)))

    def test_box_lines_join_across_rows_without_seams(self) -> None:
        image = self.image("│\n│\n", 2, 2).convert("RGB")
        cw, ch = self.fonts.cell_width, self.fonts.cell_height
        column = [image.getpixel((cw // 2, y)) for y in range(2 * ch)]
        self.assertEqual(set(column), {screenshot.DEFAULT_FG})

    def test_blocks_fill_their_cells(self) -> None:
        image = self.image("█▀\n", 2, 1)
        self.assertEqual(set(self.cell_pixels(image, 0, 0)), {screenshot.DEFAULT_FG})
        upper = self.cell_pixels(image, 1, 0)
        self.assertEqual(upper[0], screenshot.DEFAULT_FG)
        self.assertEqual(upper[-1], screenshot.DEFAULT_BG)

    def test_box_names_give_the_arms(self) -> None:
        self.assertEqual(screenshot.box_arms("┌"), ({"D": 1, "R": 1}, False))
        self.assertEqual(screenshot.box_arms("┍"), ({"D": 1, "R": 2}, False))
        self.assertEqual(screenshot.box_arms("╬"), ({"U": 3, "D": 3, "L": 3, "R": 3}, False))
        self.assertEqual(screenshot.box_arms("╭"), ({"D": 1, "R": 1}, True))
        self.assertIsNone(screenshot.box_arms("╒"))  # mixed single and double: the font's
        self.assertIsNone(screenshot.box_arms("┄"))  # dashed: the font's

    def test_the_cursor_is_a_block(self) -> None:
        image = self.image("ab\n", cursor=(3, 1))
        self.assertEqual(set(self.cell_pixels(image, 3, 1)), {screenshot.CURSOR})


@unittest.skipUnless(shutil.which("tmux"), "tmux is not installed")
class ThroughTmux(unittest.TestCase):
    def test_the_rebuilt_screen_is_the_panes_text(self) -> None:
        script = (
            r"printf '\033[1;44m head \033[0m 日本語 │ café\n\033[2mdim\033[0m \033[7mrev\033[0m"
            r" \033[38;5;208morange\033[0m \033[4:3mcurly\033[0m\n'; read x"
        )
        with tempfile.TemporaryDirectory() as directory:
            environment = dict(os.environ, TMUX_TMPDIR=directory, LANG="C.UTF-8")
            environment.pop("TMUX", None)

            def tmux(*arguments: str) -> str:
                return subprocess.run(
                    ["tmux", "-u", "-L", "shot-test", "-f", "/dev/null", *arguments],
                    env=environment, check=True, capture_output=True, text=True,
                ).stdout

            tmux("start-server", ";", "set", "-g", "status", "off", ";",
                 "new-session", "-d", "-s", "t", "-x", "40", "-y", "5", "--", "sh", "-c", script)
            try:
                deadline = time.monotonic() + 10
                while "curly" not in tmux("capture-pane", "-p", "-t", "t") and time.monotonic() < deadline:
                    time.sleep(0.02)
                plain = tmux("capture-pane", "-p", "-t", "t")
                escaped = tmux("capture-pane", "-p", "-e", "-N", "-t", "t")
            finally:
                tmux("kill-server")
        screen = screenshot.parse(escaped, 40, 5)
        self.assertEqual([line.rstrip() for line in screen.display], plain.split("\n")[:5])
        self.assertTrue(screen.buffer[0][0].bold)
        self.assertEqual(screen.buffer[0][39].bg, "default")
        self.assertEqual(screen.buffer[0][1].bg, "blue")


if __name__ == "__main__":
    unittest.main()
