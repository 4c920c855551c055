/* The subcommands. Each returns the process exit status. */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

int bench_cmd_devices(int argc, char **argv);
int bench_cmd_info(int argc, char **argv);
int bench_cmd_list(int argc, char **argv);
/* run and suite share one implementation (suite = run with suite defaults). */
int bench_cmd_run(int argc, char **argv, int is_suite);

/* Opens the runtime for a command, printing why on failure. */
struct accel_runtime;
int bench_runtime_open(struct accel_runtime **out, const char *command);

#endif
