#include <stdio.h>

#include <accel/accel.h>

int main(void) {
    accel_runtime *rt = NULL;
    if (accel_runtime_open(NULL, &rt) != ACCEL_OK) {
        fprintf(stderr, "consumer: %s\n", accel_last_error());
        return 1;
    }
    const accel_backend_report *r;
    size_t n;
    accel_runtime_backends(rt, &r, &n);
    int found_null = 0;
    for (size_t i = 0; i < n; ++i) {
        printf("%s %s %s\n", r[i].name, accel_status_str(r[i].status), r[i].reason);
        found_null |= r[i].status == ACCEL_OK && r[i].name[0] == 'n';
    }
    accel_runtime_close(rt);
    return found_null ? 0 : 1; /* the installed plugins must be found from the install tree */
}
