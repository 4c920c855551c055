/* transfer's device-to-device configs (p2p-uni, p2p-bidir, p2p-latency): copies between a device
 * and its peer (awl_options.peer), timed on the device's stream. */
#ifndef WL_TRANSFER_P2P_H
#define WL_TRANSFER_P2P_H

#include "common/wl_common.h"

typedef enum transfer_p2p_mode { P2P_NONE = 0, P2P_UNI, P2P_BIDIR, P2P_LATENCY } transfer_p2p_mode;

/* The pattern both parts of transfer write and check: word i of a buffer. */
uint32_t transfer_pattern_word(size_t i);
void transfer_fill_pattern(unsigned char *p, size_t bytes);

accel_status transfer_p2p_setup(accel_device *dev, accel_stream *stream, transfer_p2p_mode mode,
                                const awl_options *opt, void **state, awl_setup_info *info);
accel_status transfer_p2p_run(void *state, accel_stream *stream);
accel_status transfer_p2p_verify(void *state, accel_stream *stream, awl_verify_result *out);
accel_status transfer_p2p_corrupt(void *state, accel_stream *stream);
void transfer_p2p_teardown(void *state);

#endif
