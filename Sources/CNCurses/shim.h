#ifndef TILL_CNCURSES_SHIM_H
#define TILL_CNCURSES_SHIM_H

// SwiftPM drops pkg-config's -D_XOPEN_SOURCE, and without it curses.h hides the wide-character
// API (cchar_t, setcchar, wget_wch). Ask for it before the header is read.
#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <langinfo.h>
#include <locale.h>
#include <stdio.h>
#include <string.h>
#include <wchar.h>

#if __has_include(<ncursesw/curses.h>)
#include <ncursesw/curses.h>
#else
#include <curses.h>
#endif

// Swift cannot see C globals safely (Swift 6 calls them shared mutable state) nor function-like
// or composite macros, so each gets a small accessor.

static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline WINDOW *cn_curscr(void) { return curscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }

static inline void cn_getmaxyx(WINDOW *window, int *height, int *width) {
    getmaxyx(window, *height, *width);
}

static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_color_pair(int pair) { return (attr_t)COLOR_PAIR(pair); }

static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cn_key_f(int number) { return KEY_F(number); }

static inline int cn_set_escdelay(int milliseconds) { return set_escdelay(milliseconds); }

// newterm rather than initscr: initscr exits the process when the terminal type is unknown,
// newterm returns NULL so the caller can report it. stdin/stdout are C globals too.
static inline SCREEN *cn_newterm_stdio(void) { return newterm(NULL, stdout, stdin); }

// Whether LC_CTYPE is UTF-8 after setlocale: ncursesw prints non-ASCII as escapes otherwise.
static inline int cn_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

#endif
