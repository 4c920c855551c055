/* accelbench: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "accelbench_git_sha.h" /* generated at build time */
#include "commands.h"

static const char HELP[] =
    "usage: accelbench <command> [options]\n"
    "\n"
    "Benchmarks accelerators (and the CPU) through the accel HAL.\n"
    "\n"
    "commands:\n"
    "  devices            every backend (loaded, or why not) and every device\n"
    "  info [--json]      host, OS, CPU, topology, drivers, devices and their locality\n"
    "  list               workloads and their config ids, dtypes and suite marks\n"
    "  run --workload W   measure workloads (see: accelbench run --help)\n"
    "  suite [--quick]    the standard suite on every device model, into results/\n"
    "\n"
    "  --help, -h         this text; `accelbench <command> --help` for each command\n"
    "  --version          version and git revision\n"
    "\n"
    "Exit status: 0 success, 1 a row failed verification or errored (or a runtime failure),\n"
    "2 bad usage (nothing run or written), 130 interrupted. docs/cli.md has the details.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(HELP, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        fputs(HELP, stdout);
        return 0;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("accelbench %s (git %s)\n", ACCELBENCH_VERSION, ACCELBENCH_GIT_SHA);
        return 0;
    }
    if (strcmp(cmd, "devices") == 0)
        return bench_cmd_devices(argc, argv);
    if (strcmp(cmd, "info") == 0)
        return bench_cmd_info(argc, argv);
    if (strcmp(cmd, "list") == 0)
        return bench_cmd_list(argc, argv);
    if (strcmp(cmd, "run") == 0)
        return bench_cmd_run(argc, argv, 0);
    if (strcmp(cmd, "suite") == 0)
        return bench_cmd_run(argc, argv, 1);
    if (strcmp(cmd, "__worker") == 0)
        return bench_worker_child_main(argc, argv);
    if (strcmp(cmd, "__probe") == 0)
        return bench_probe_child_main(argc, argv);
    fprintf(stderr, "accelbench: unknown command '%s' (see: accelbench --help)\n", cmd);
    return 2;
}
