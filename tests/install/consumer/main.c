/* Lists the backends the installed libaccel finds by itself; exits 0 when the one named on the
 * command line (default "null") loaded. */
#include <stdio.h>
#include <string.h>

#include <accel/accel.h>

int main(int argc, char **argv) {
    const char *want = argc > 1 ? argv[1] : "null";
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK) {
        fprintf(stderr, "consumer: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *r;
    size_t n;
    accel_runtime_backends(rt, &r, &n);
    int found = 0;
    for (size_t i = 0; i < n; ++i) {
        printf("%s %s %s\n", r[i].name, accel_status_str(r[i].status), r[i].reason);
        found |= r[i].status == ACCEL_OK && strcmp(r[i].name, want) == 0;
    }
    if (!found) fprintf(stderr, "consumer: backend '%s' was not loaded from the install tree\n", want);
    accel_runtime_close(rt);
    return found ? 0 : 1;
}
