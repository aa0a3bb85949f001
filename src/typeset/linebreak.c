/* Chinese line breaking (禁则) for cell texts and titles: where a UTF-8 text may wrap.
 *
 * Each line is found by one greedy scan from its start: remember the last position where a
 * break is allowed, and when a character overflows, end the line there. Everything works
 * on byte offsets into the caller's text, decoding as it goes, so nothing is allocated and
 * the results are byte ranges the caller can draw directly. */
#include "typeset/typeset.h"

/* Widths are sums of products of doubles: allow for rounding when something "just fits". */
#define GK_WIDTH_SLACK 1e-6

/* What a code point is for breaking. */
typedef enum cp_class {
    CLS_WORD,  /* ASCII graphic and non-CJK letters: glued to its neighbours of this class */
    CLS_CJK,   /* Han, kana, CJK and full-width forms, general punctuation: a unit by itself */
    CLS_SPACE  /* a break opportunity after it; dropped at the end of a line */
} cp_class;

/* One decoded code point and where it sits. */
typedef struct cp_at {
    uint32_t cp;
    cp_class cls;
} cp_at;

/* Decodes the code point at pos (pos < len) and sets *next past it. The input is already
 * valid UTF-8; a bad byte still yields U+FFFD and advances one byte so scans always end. */
static inline uint32_t decode(const char *text, size_t len, size_t pos, size_t *next)
{
    const unsigned char *u = (const unsigned char *)text;
    unsigned char lead = u[pos];
    size_t extra;
    uint32_t cp;
    if (lead < 0x80) {
        *next = pos + 1;
        return lead;
    }
    if ((lead & 0xE0) == 0xC0) {
        extra = 1;
        cp = lead & 0x1F;
    } else if ((lead & 0xF0) == 0xE0) {
        extra = 2;
        cp = lead & 0x0F;
    } else if ((lead & 0xF8) == 0xF0) {
        extra = 3;
        cp = lead & 0x07;
    } else {
        *next = pos + 1;
        return 0xFFFD;
    }
    if (extra >= len - pos) {
        *next = pos + 1;
        return 0xFFFD;
    }
    for (size_t k = 1; k <= extra; k++) {
        if ((u[pos + k] & 0xC0) != 0x80) {
            *next = pos + 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (u[pos + k] & 0x3F);
    }
    *next = pos + extra + 1;
    return cp;
}

static inline bool is_space(uint32_t cp)
{
    /* U+2007 FIGURE SPACE is the non-breaking space of numbers: it stays inside words */
    return cp == ' ' || cp == '\t' || cp == 0x3000 || (cp >= 0x2000 && cp <= 0x200B && cp != 0x2007);
}

/* Scripts and symbols that break between any two characters, as Chinese text does. General
 * punctuation (— … “ ” ‰) is included because in Chinese text it is set full width; U+2011
 * NON-BREAKING HYPHEN and the invisible format characters are left to words. */
static inline bool is_cjk(uint32_t cp)
{
    return (cp >= 0x2010 && cp <= 0x2027 && cp != 0x2011) || (cp >= 0x2030 && cp <= 0x205E) ||
           (cp >= 0x2E80 && cp <= 0x9FFF) ||   /* radicals, CJK punctuation, kana, Han */
           (cp >= 0xF900 && cp <= 0xFAFF) ||   /* compatibility ideographs */
           (cp >= 0xFE10 && cp <= 0xFE1F) ||   /* vertical forms */
           (cp >= 0xFE30 && cp <= 0xFE6F) ||   /* compatibility and small forms */
           (cp >= 0xFF00 && cp <= 0xFFEF) ||   /* half-width and full-width forms */
           (cp >= 0x20000 && cp <= 0x3FFFF);   /* supplementary ideographs */
}

static inline cp_class classify(uint32_t cp)
{
    if (is_space(cp))
        return CLS_SPACE;
    return is_cjk(cp) ? CLS_CJK : CLS_WORD;
}

/* Punctuation that must not start a line. */
static inline bool is_closing(uint32_t cp)
{
    switch (cp) {
    case ',': case '.': case ';': case ':': case '!': case '?': case ')': case ']': case '}':
    case '%':
    case 0xFF0C: /* ， */ case 0x3002: /* 。 */ case 0x3001: /* 、 */ case 0xFF1B: /* ； */
    case 0xFF1A: /* ： */ case 0xFF1F: /* ？ */ case 0xFF01: /* ！ */ case 0xFF09: /* ） */
    case 0x300B: /* 》 */ case 0x300D: /* 」 */ case 0x300F: /* 』 */ case 0x201D: /* ” */
    case 0x2019: /* ’ */ case 0x3009: /* 〉 */ case 0x3011: /* 】 */ case 0x3015: /* 〕 */
    case 0x2026: /* … */ case 0xFF05: /* ％ */
    case 0xFF0E: /* ． */ case 0xFF3D: /* ］ */ case 0xFF5D: /* ｝ */ case 0x3017: /* 〗 */
    case 0x3019: /* 〙 */ case 0x301B: /* 〛 */ case 0x301E: /* 〞 */ case 0x301F: /* 〟 */
    case 0xFF60: /* ｠ */ case 0xFF61: /* ｡ */ case 0xFF63: /* ｣ */ case 0xFF64: /* ､ */
    case 0x2025: /* ‥ */ case 0x2030: /* ‰ */ case 0x2031: /* ‱ */
    case 0xFE50: case 0xFE51: case 0xFE52: case 0xFE54: case 0xFE55: case 0xFE56: case 0xFE57:
    case 0xFE5A: case 0xFE5C: case 0xFE5E: /* small forms of the above */
        return true;
    default:
        return false;
    }
}

/* Punctuation that must not end a line; currency signs too, which belong to the amount
 * that follows them. */
static inline bool is_opening(uint32_t cp)
{
    switch (cp) {
    case '(': case '[': case '{':
    case 0xFF08: /* （ */ case 0x300A: /* 《 */ case 0x300C: /* 「 */ case 0x300E: /* 『 */
    case 0x201C: /* “ */ case 0x2018: /* ‘ */ case 0x3008: /* 〈 */ case 0x3010: /* 【 */
    case 0x3014: /* 〔 */
    case 0xFF3B: /* ［ */ case 0xFF5B: /* ｛ */ case 0x3016: /* 〖 */ case 0x3018: /* 〘 */
    case 0x301A: /* 〚 */ case 0x301D: /* 〝 */ case 0xFF5F: /* ｟ */ case 0xFF62: /* ｢ */
    case 0xFE59: case 0xFE5B: case 0xFE5D: /* small forms of the above */
    case 0xFFE5: /* ￥ */ case 0xFF04: /* ＄ */ case 0xFFE1: /* ￡ */
        return true;
    default:
        return false;
    }
}

/* Doubled marks that read as one: the Chinese dash —— and ellipsis …… (also ‥‥). */
static bool inseparable(uint32_t before, uint32_t after)
{
    return before == after && (before == 0x2014 || before == 0x2026 || before == 0x2025);
}

/* Whether a line may end just before `cur`. prev is the code point right before it,
 * last_ink the last non-space one (the character that would end the line), has_ink whether
 * the line holds anything but spaces so far. */
static bool break_allowed(cp_at prev, uint32_t last_ink, bool has_ink, cp_at cur)
{
    if (cur.cls == CLS_SPACE || !has_ink)
        return false; /* spaces hang at the end of a line; a line of spaces only is no line */
    if (is_closing(cur.cp) || is_opening(last_ink))
        return false;
    if (prev.cls == CLS_SPACE)
        return true;
    if (prev.cls == CLS_WORD && cur.cls == CLS_WORD)
        return false;
    return !inseparable(prev.cp, cur.cp);
}

static double cp_width(const gk_measure *m, uint32_t cp)
{
    if (m == NULL || m->advance == NULL)
        return 0.0;
    return m->advance(m->font, cp) * m->size / 1000.0;
}

/* Written as "not within" so that a NaN width or limit counts as overflowing: the scan then
 * degrades to one unit per line instead of one endless line. */
static bool too_wide(double width, double max_width)
{
    return !(width <= max_width + GK_WIDTH_SLACK);
}

double gk_text_width(const char *utf8, size_t len, const gk_measure *m)
{
    double width = 0.0;
    size_t pos = 0;
    while (pos < len) {
        size_t next;
        width += cp_width(m, decode(utf8, len, pos, &next));
        pos = next;
    }
    return width;
}

/* What one line scan needs to know about the text. */
typedef struct scan {
    const char *text;
    size_t end;        /* end of the current paragraph (a hard break or the text's end) */
    const gk_measure *m;
    double max_width;
} scan;

/* How many characters a line may overhang max_width when it has no allowed break: enough for
 * a run of punctuation that must stay together, not enough to push text off the page. */
enum { MAX_OVERHANG = 4 };

/* Width of the word (CLS_WORD run) starting at run_start, up to the paragraph end — or, once
 * it is wider than a line, some width beyond max_width (a long word is measured as far as
 * needed, not to its end: lines of a 200,000-character word must cost their own length). */
static double word_width(const scan *sc, size_t run_start)
{
    double width = 0.0;
    size_t pos = run_start;
    while (pos < sc->end && !too_wide(width, sc->max_width)) {
        size_t next;
        uint32_t cp = decode(sc->text, sc->end, pos, &next);
        if (classify(cp) != CLS_WORD)
            break;
        width += cp_width(sc->m, cp);
        pos = next;
    }
    return width;
}

/* Lays out the line starting at byte `start` of the paragraph: fills *line and returns where
 * the next line starts (sc->end when the paragraph is finished). One pass over the line. */
static size_t next_line(const scan *sc, size_t start, gk_line *line)
{
    double width = 0.0;                     /* of [start, pos), spaces included */
    size_t ink_end = start;                 /* end of the last non-space code point */
    double ink_width = 0.0;                 /* width of [start, ink_end) */
    uint32_t last_ink = 0;
    cp_at prev = {0, CLS_SPACE};
    bool have_break = false;                /* the last allowed break so far, and the line */
    size_t brk = 0;                         /* it would leave */
    gk_line brk_line = {start, start, 0.0};
    size_t run_start = start;               /* start of the word the scan is in */
    double run_width = -1.0;                /* its whole width, once needed */
    size_t cut = 0;                         /* the last place to cut that word, if too wide: */
    double cut_width = 0.0;                 /* never before closing or after opening punctuation */
    size_t overhang = 0;                    /* characters set past max_width */

    size_t pos = start;
    while (pos < sc->end) {
        size_t next;
        cp_at cur;
        cur.cp = decode(sc->text, sc->end, pos, &next);
        cur.cls = classify(cur.cp);
        if (pos > start && break_allowed(prev, last_ink, ink_end > start, cur)) {
            have_break = true;
            brk = pos;
            brk_line = (gk_line){start, ink_end, ink_width};
        }
        double w = cp_width(sc->m, cur.cp);
        if (cur.cls == CLS_SPACE) {
            width += w; /* spaces may hang past max_width: they are dropped there */
            prev = cur;
            pos = next;
            continue;
        }
        bool in_word = cur.cls == CLS_WORD && pos > start && prev.cls == CLS_WORD;
        if (cur.cls == CLS_WORD && !in_word) {
            run_start = pos;
            run_width = -1.0;
            cut = 0;
        }
        if (in_word && !is_closing(cur.cp) && !is_opening(prev.cp)) {
            cut = pos;
            cut_width = width;
        }
        /* The first character always stays, so every line makes progress. */
        if (pos > start && too_wide(width + w, sc->max_width)) {
            if (have_break) {
                *line = brk_line;
                return brk;
            }
            if (in_word && cut != 0) {
                if (run_width < 0.0)
                    run_width = word_width(sc, run_start);
                if (too_wide(run_width, sc->max_width)) {
                    *line = (gk_line){start, cut, cut_width};
                    return cut;
                }
            }
            /* No way to break here: overhang up to the next allowed break, but not far. */
            if (++overhang > MAX_OVERHANG) {
                *line = (gk_line){start, ink_end, ink_width};
                return pos;
            }
        }
        width += w;
        ink_end = next;
        ink_width = width;
        last_ink = cur.cp;
        prev = cur;
        pos = next;
    }
    *line = (gk_line){start, ink_end, ink_width};
    return sc->end;
}

/* End of the paragraph starting at pos: the first '\n' or '\r' (ASCII bytes never occur
 * inside a multi-byte UTF-8 sequence) or len. */
static size_t paragraph_end(const char *text, size_t len, size_t pos)
{
    while (pos < len && text[pos] != '\n' && text[pos] != '\r')
        pos++;
    return pos;
}

size_t gk_break_lines(const char *utf8, size_t len, const gk_measure *m, double max_width,
                      gk_line *lines, size_t capacity)
{
    scan sc = {utf8, 0, m, max_width};
    size_t count = 0;
    size_t pos = 0;
    for (;;) {
        sc.end = paragraph_end(utf8, len, pos);
        size_t start = pos;
        do { /* an empty paragraph still makes one (empty) line */
            gk_line line;
            start = next_line(&sc, start, &line);
            if (count < capacity)
                lines[count] = line;
            count++;
        } while (start < sc.end);
        if (sc.end >= len)
            return count;
        pos = sc.end + 1;
        if (utf8[sc.end] == '\r' && pos < len && utf8[pos] == '\n')
            pos++; /* CRLF is one hard break */
    }
}

/* ---- the last line of a paragraph ---------------------------------------------------------- */

/* Characters that make a line more than a lone fragment: not spaces, not closing punctuation. */
static size_t countable_chars(const char *text, size_t from, size_t to)
{
    size_t count = 0;
    for (size_t pos = from, next; pos < to; pos = next) {
        uint32_t cp = decode(text, to, pos, &next);
        count += classify(cp) != CLS_SPACE && !is_closing(cp);
    }
    return count;
}

/* Whether the text between two lines holds a hard break: they are then two paragraphs. */
static bool hard_break_between(const char *text, size_t from, size_t to)
{
    for (size_t pos = from; pos < to; pos++)
        if (text[pos] == '\n' || text[pos] == '\r')
            return true;
    return false;
}

/* Mends lines[k], a paragraph's last line holding fewer than min_chars countable characters,
 * by ending lines[k - 1] at an earlier allowed break: the latest one that gives the last line
 * min_chars and leaves lines[k - 1] min_chars (not a lone character in its turn), provided
 * the last line then fits max_width. One pass over lines[k - 1]. */
static bool mend_last_line(const char *text, const gk_measure *m, double max_width,
                           size_t min_chars, gk_line *lines, size_t k)
{
    gk_line *before = &lines[k - 1], *last = &lines[k];
    size_t have = countable_chars(text, last->start, last->end);
    if (have >= min_chars || hard_break_between(text, before->end, last->start))
        return false;
    size_t total = countable_chars(text, before->start, before->end);
    size_t left = total; /* in [pos, before->end) */
    bool found = false;
    size_t brk = 0;
    gk_line head = *before;
    size_t ink_end = before->start;
    double width = 0.0, ink_width = 0.0;
    uint32_t last_ink = 0;
    cp_at prev = {0, CLS_SPACE};
    for (size_t pos = before->start, next; pos < before->end; pos = next) {
        cp_at cur;
        cur.cp = decode(text, before->end, pos, &next);
        cur.cls = classify(cur.cp);
        if (pos > before->start && left + have >= min_chars && total - left >= min_chars &&
            break_allowed(prev, last_ink, ink_end > before->start, cur)) {
            found = true;
            brk = pos;
            head = (gk_line){before->start, ink_end, ink_width};
        }
        left -= cur.cls != CLS_SPACE && !is_closing(cur.cp);
        width += cp_width(m, cur.cp);
        if (cur.cls != CLS_SPACE) {
            ink_end = next;
            ink_width = width;
            last_ink = cur.cp;
        }
        prev = cur;
    }
    if (!found)
        return false;
    double tail = gk_text_width(text + brk, last->end - brk, m);
    if (too_wide(tail, max_width))
        return false;
    *before = head;
    *last = (gk_line){brk, last->end, tail};
    return true;
}

size_t gk_mend_last_lines(const char *utf8, const gk_measure *m, double max_width,
                          size_t min_chars, gk_line *lines, size_t count)
{
    size_t mended = 0;
    for (size_t k = 1; k < count; k++) {
        bool paragraph_ends = k + 1 == count ||
                              hard_break_between(utf8, lines[k].end, lines[k + 1].start);
        if (paragraph_ends && mend_last_line(utf8, m, max_width, min_chars, lines, k))
            mended++;
    }
    return mended;
}

/* A boundary of a title's words: after a space, or where a run of ASCII digits begins. */
static bool title_boundary(const char *text, size_t at)
{
    bool digit = text[at] >= '0' && text[at] <= '9';
    bool after_digit = text[at - 1] >= '0' && text[at - 1] <= '9';
    return text[at - 1] == ' ' || (digit && !after_digit);
}

bool gk_break_title(const char *utf8, size_t len, const gk_measure *m, double max_width,
                    gk_line lines[2])
{
    double whole = gk_text_width(utf8, len, m);
    if (whole <= max_width + 1e-6)
        return false;
    bool found = false;
    double best = 0;
    double left = 0; /* width of utf8[0, at) */
    for (size_t at = 1, prev = 0; at < len; at++) {
        if (((unsigned char)utf8[at] & 0xC0) == 0x80)
            continue; /* inside a character */
        left += gk_text_width(utf8 + prev, at - prev, m);
        prev = at;
        if (!title_boundary(utf8, at))
            continue;
        size_t end = at;
        while (end > 0 && utf8[end - 1] == ' ')
            end--; /* the space stays at the end of the first line, unprinted */
        double first = left - gk_text_width(utf8 + end, at - end, m), second = whole - left;
        double longer = first > second ? first : second;
        if (first > max_width + 1e-6 || second > max_width + 1e-6 || (found && longer >= best))
            continue;
        lines[0] = (gk_line){0, end, first};
        lines[1] = (gk_line){at, len, second};
        best = longer;
        found = true;
    }
    return found;
}

/* ---- character classes for the other modules -------------------------------------------- */

uint32_t gk_utf8_decode(const char *utf8, size_t len, size_t pos, size_t *next)
{
    return decode(utf8, len, pos, next);
}

gk_char_kind gk_char_kind_of(uint32_t cp)
{
    switch (classify(cp)) {
    case CLS_SPACE:
        return GK_CHAR_SPACE;
    case CLS_WORD:
        return GK_CHAR_WORD;
    case CLS_CJK:
        break;
    }
    return is_opening(cp) ? GK_CHAR_OPENING : is_closing(cp) ? GK_CHAR_CLOSING : GK_CHAR_CJK;
}
