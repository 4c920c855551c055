#include "error_chain.h"

#include <string.h>

static int is_word(const char *seg, size_t len, const char *const *words, size_t nwords)
{
    for (size_t i = 0; i < nwords; i++)
        if (strlen(words[i]) == len && memcmp(seg, words[i], len) == 0)
            return 1;
    return 0;
}

/* Was the segment [seg, seg+len) already written to out[0, out_len) as a whole segment? */
static int already_said(const char *out, size_t out_len, const char *seg, size_t len)
{
    for (size_t start = 0; start + len <= out_len;) {
        size_t end = start;
        while (end < out_len && !(out[end] == ':' && end + 1 < out_len && out[end + 1] == ' '))
            end++;
        if (end - start == len && memcmp(out + start, seg, len) == 0)
            return 1;
        start = end + 2;
    }
    return 0;
}

void bench_error_chain_tidy(char *text, const char *const *words, size_t nwords)
{
    /* Segments are copied forward within text: out never overtakes the segment being read. */
    size_t out = 0, last_start = 0, last_len = 0;
    int any = 0;
    const char *p = text;
    for (;;) {
        const char *sep = strstr(p, ": ");
        size_t len = sep ? (size_t)(sep - p) : strlen(p);
        int drop = 0;
        if (any && len == last_len && memcmp(text + last_start, p, len) == 0)
            drop = 1; /* "cuda: cuda: ..." */
        else if (any && is_word(p, len, words, nwords) && already_said(text, out, p, len))
            drop = 1; /* the status word a second time */
        if (!drop) {
            if (any) {
                text[out++] = ':';
                text[out++] = ' ';
            }
            memmove(text + out, p, len);
            last_start = out;
            last_len = len;
            out += len;
            any = 1;
        }
        if (!sep)
            break;
        p = sep + 2;
    }
    text[out] = '\0';
}

const char *bench_error_chain_skip(const char *text, const char *word)
{
    size_t n = strlen(word);
    if (strncmp(text, word, n) == 0 && text[n] == ':' && text[n + 1] == ' ')
        return text + n + 2;
    return text;
}
