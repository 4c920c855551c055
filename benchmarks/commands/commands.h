/* The subcommands. Each returns the process exit status. */
#ifndef BENCH_COMMANDS_H
#define BENCH_COMMANDS_H

int bench_cmd_devices(int argc, char **argv);
int bench_cmd_info(int argc, char **argv);
int bench_cmd_list(int argc, char **argv);
/* run and suite share one implementation (suite = run with suite defaults). */
int bench_cmd_run(int argc, char **argv, int is_suite);

/* The hidden subcommands: the child sides of process/'s supervisors, started by accelbench itself.
 * `accelbench __worker ...` (worker_child.c) opens one device and measures the rows it is given;
 * `accelbench __probe --fd N -- PLUGIN` (probe_child.c) loads one plugin and describes its
 * devices. */
int bench_worker_child_main(int argc, char **argv);
int bench_probe_child_main(int argc, char **argv);

/* Opens the runtime for a command, printing why on failure: every plugin is first probed in a
 * child process (probe_supervisor.h) with a deadline of timeout_s seconds each, and one whose probe
 * crashed, exited or hung is reported but never loaded. Returns 0, or the exit status (1: the
 * runtime failed; 2: ACCEL_BACKENDS names no plugin that exists). bench_runtime_open takes the
 * deadline from $ACCEL_PROBE_TIMEOUT_S (default 60 s). */
struct accel_runtime;
int bench_runtime_open(struct accel_runtime **out, const char *command);
int bench_runtime_open_probed(struct accel_runtime **out, const char *command, long timeout_s);
/* The file a loaded backend came from (for workers, which load only that one), or NULL. */
const char *bench_backend_plugin_path(const struct accel_runtime *rt, const char *backend);

#endif
