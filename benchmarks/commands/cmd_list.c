/* `accelbench list`: workloads and their config ids, dtypes and suite marks. */
#include <stdio.h>
#include <string.h>

#include "accel_workload.h"
#include "commands.h"
#include "util.h"

static const char HELP[] =
    "usage: accelbench list\n"
    "\n"
    "Lists every workload and its configs: the id --config takes, the dtypes it is defined for,\n"
    "and its marks: Q = in `suite --quick`, S = in `suite` and the default of `run`.\n";

int bench_cmd_list(int argc, char **argv)
{
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(HELP, stdout);
            return 0;
        }
        fprintf(stderr, "accelbench list: unexpected argument '%s' (see --help)\n", argv[i]);
        return 2;
    }
    for (size_t w = 0; w < awl_workload_count(); w++) {
        const awl_workload *wl = awl_workload_at(w);
        printf("%s%s: %s\n", w ? "\n" : "", wl->name, wl->description ? wl->description : "");
        size_t width = 6;
        for (size_t c = 0; c < wl->config_count(); c++) {
            size_t n = strlen(wl->config_at(c)->id);
            if (n > width)
                width = n;
        }
        for (size_t c = 0; c < wl->config_count(); c++) {
            const awl_config *cfg = wl->config_at(c);
            bench_strbuf dtypes = {0};
            for (int d = 0; d < AWL_DTYPE_COUNT; d++)
                if (cfg->dtypes & (1u << d))
                    bench_strbuf_appendf(&dtypes, "%s%s", dtypes.len ? "," : "", awl_dtype_name((awl_dtype)d));
            printf("  %-*s  %-24s %s%s  %s\n", (int)width, cfg->id, bench_strbuf_str(&dtypes),
                   cfg->quick ? "Q" : "-", cfg->standard ? "S" : "-",
                   cfg->description ? cfg->description : "");
            bench_strbuf_free(&dtypes);
        }
    }
    return 0;
}
