/* The fake drivers' peer topology (fake libcuda, mock HIP): "$VAR=01,23" lists groups of device
 * digits whose members can access each other; unset, every pair can. Test-only. */
#ifndef ACCEL_FAKE_PEER_GROUPS_H
#define ACCEL_FAKE_PEER_GROUPS_H

#include <stdlib.h>
#include <string.h>

static inline int fake_peer_groups_capable(const char *var, int a, int b) {
    const char *groups = getenv(var);
    if (!groups) return 1;
    for (const char *g = groups; *g;) {
        size_t n = strcspn(g, ",");
        int has_a = 0, has_b = 0;
        for (size_t i = 0; i < n; i++) {
            has_a |= g[i] - '0' == a;
            has_b |= g[i] - '0' == b;
        }
        if (has_a && has_b) return 1;
        g += n + (g[n] == ',');
    }
    return 0;
}

#endif
