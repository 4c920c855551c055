#include "utf8.h"

#include <string.h>

size_t bench_utf8_sequence(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    if (c < 0x80)
        return 1;
    size_t n;
    unsigned char lo = 0x80, hi = 0xbf; /* allowed range of the second byte */
    if (c >= 0xc2 && c <= 0xdf)
        n = 2;
    else if (c >= 0xe0 && c <= 0xef) {
        n = 3;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        else if (c == 0xed)
            hi = 0x9f; /* UTF-16 surrogates */
    } else if (c >= 0xf0 && c <= 0xf4) {
        n = 4;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        else if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t i = 2; i < n; i++)
        if (s[i] < 0x80 || s[i] > 0xbf)
            return 0;
    return n;
}

int bench_utf8_valid(const char *s)
{
    while (*s) {
        size_t n = bench_utf8_sequence(s);
        if (n == 0)
            return 0;
        s += n;
    }
    return 1;
}

static void escape(const char *s, int controls, bench_strbuf *out)
{
    static const char hex[] = "0123456789abcdef";
    while (*s) {
        unsigned char c = (unsigned char)*s;
        size_t n = bench_utf8_sequence(s);
        if (n == 0 || (controls && (c < 0x20 || c == 0x7f))) {
            char esc[4] = {'\\', 'x', hex[c >> 4], hex[c & 15]};
            bench_strbuf_appendn(out, esc, 4);
            s++;
            continue;
        }
        bench_strbuf_appendn(out, s, n);
        s += n;
    }
    if (!out->data)
        bench_strbuf_appendn(out, "", 0);
}

void bench_utf8_escape(const char *s, bench_strbuf *out)
{
    escape(s, 0, out);
}

void bench_utf8_printable(const char *s, bench_strbuf *out)
{
    escape(s, 1, out);
}

void bench_utf8_sanitize_field(char *field, size_t cap)
{
    if (cap == 0 || bench_utf8_valid(field))
        return;
    bench_strbuf sb = {0};
    bench_utf8_escape(field, &sb);
    size_t keep = 0;
    while (keep < sb.len) {
        size_t n = bench_utf8_sequence(sb.data + keep);
        if (keep + n >= cap)
            break;
        keep += n;
    }
    memcpy(field, sb.data, keep);
    field[keep] = '\0';
    bench_strbuf_free(&sb);
}
