/* What the mock SynapseAI (libSynapse.so built from this folder) lets a test read back, through
 * dlsym(mock_synapse_stats) on the already-loaded library. */
#ifndef ACCEL_GAUDI_MOCK_CONTROL_H
#define ACCEL_GAUDI_MOCK_CONTROL_H

#include <stdint.h>

typedef struct mock_synapse_report {
    int violations;             /* calls the real runtime would refuse (each printed to stderr) */
    char last_violation[320];
    int initialized;            /* between synInitialize and synDestroy */
    int acquired_devices;
    int live_device_allocations, live_host_allocations, live_streams, live_events;
    int live_graphs, live_sections, live_recipes;
    int compiles, launches, copies, memsets;
    char last_graph[512];       /* node GUIDs of the last compiled graph, in execution order */
    uint64_t last_workspace_size;    /* of the last launched recipe */
    uint64_t last_workspace_address; /* given to that launch */
} mock_synapse_report;

typedef const mock_synapse_report *(*mock_synapse_stats_fn)(void);

#endif
