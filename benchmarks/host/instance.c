/* Cloud provider and instance type from DMI (instance.h). */
#define _POSIX_C_SOURCE 200809L
#include "instance.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util.h"

static void read_dmi(const char *root, const char *name, char *out, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/class/dmi/id/%s", root, name);
    out[0] = '\0';
    FILE *f = fopen(path, "r");
    if (!f)
        return;
    if (!fgets(out, (int)len, f))
        out[0] = '\0';
    fclose(f);
    /* Printable ASCII only, trimmed: the values go into CSV cells and JSON strings. */
    size_t n = strcspn(out, "\r\n");
    out[n] = '\0';
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e)
            *p = '?';
    while (n > 0 && out[n - 1] == ' ')
        out[--n] = '\0';
}

/* "c7i.large", "p5.48xlarge", "m7g.metal": a family, a dot, a size; nothing else. */
static int looks_like_aws_type(const char *s)
{
    const char *dot = strchr(s, '.');
    if (!dot || dot == s || !dot[1] || strchr(dot + 1, '.'))
        return 0;
    for (const char *p = s; *p; p++)
        if (!(isalnum((unsigned char)*p) || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

static int contains_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncasecmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

void bench_instance_from_dmi(const char *sysfs_root, bench_instance *out)
{
    memset(out, 0, sizeof *out);
    const char *root = sysfs_root && sysfs_root[0] ? sysfs_root : "/sys";
    read_dmi(root, "sys_vendor", out->sys_vendor, sizeof out->sys_vendor);
    read_dmi(root, "product_name", out->product_name, sizeof out->product_name);
    read_dmi(root, "board_vendor", out->board_vendor, sizeof out->board_vendor);
    read_dmi(root, "bios_vendor", out->bios_vendor, sizeof out->bios_vendor);
    read_dmi(root, "bios_version", out->bios_version, sizeof out->bios_version);
    read_dmi(root, "chassis_asset_tag", out->chassis_asset_tag, sizeof out->chassis_asset_tag);

    if (strcmp(out->sys_vendor, "Amazon EC2") == 0 || strcmp(out->board_vendor, "Amazon EC2") == 0) {
        bench_copy(out->provider, sizeof out->provider, "aws");
        if (looks_like_aws_type(out->product_name)) {
            bench_copy(out->instance_type, sizeof out->instance_type, out->product_name);
            bench_copy(out->source, sizeof out->source, "dmi");
        }
    } else if (contains_ci(out->bios_version, "amazon")) {
        bench_copy(out->provider, sizeof out->provider, "aws"); /* Xen generation: no type in DMI */
    } else if (strcmp(out->product_name, "Google Compute Engine") == 0 ||
               strcmp(out->sys_vendor, "Google") == 0) {
        bench_copy(out->provider, sizeof out->provider, "gcp");
    } else if (strcmp(out->sys_vendor, "Microsoft Corporation") == 0 &&
               strcmp(out->product_name, "Virtual Machine") == 0 &&
               strcmp(out->chassis_asset_tag, BENCH_AZURE_ASSET_TAG) == 0) {
        /* A local Hyper-V guest has the same vendor and product; only the tag says Azure. */
        bench_copy(out->provider, sizeof out->provider, "azure");
    }
}
