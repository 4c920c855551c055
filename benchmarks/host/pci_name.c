/* PCI bus ids as vendors print them -> the name of the device's directory in sysfs. */
#include "pci_name.h"

#include <ctype.h>
#include <string.h>

#include "util.h"

int bench_pci_sysfs_name(const char *id, char *buf, size_t n)
{
    if (!id || !id[0])
        return -1;
    char lower[64];
    size_t len = strlen(id);
    if (len >= sizeof lower)
        return -1;
    for (size_t i = 0; i <= len; i++)
        lower[i] = (char)tolower((unsigned char)id[i]);
    const char *colon = strchr(lower, ':');
    if (!colon)
        return -1;
    size_t domain_len = (size_t)(colon - lower);
    const char *rest = colon;
    bench_strbuf sb = {0};
    if (domain_len > 4)
        bench_strbuf_appendf(&sb, "%.4s%s", lower + domain_len - 4, rest);
    else if (strchr(rest + 1, ':'))
        bench_strbuf_append(&sb, lower);
    else
        bench_strbuf_appendf(&sb, "0000:%s", lower); /* "1b:00.0" without a domain */
    bench_copy(buf, n, bench_strbuf_str(&sb));
    bench_strbuf_free(&sb);
    for (const char *p = buf; *p; p++)
        if (!(isxdigit((unsigned char)*p) || *p == ':' || *p == '.'))
            return -1;
    return 0;
}
