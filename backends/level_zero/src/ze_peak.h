/* Vendor peak numbers for Intel Data Center GPU Max parts (dense, no sparsity). */
#ifndef ACCEL_ZE_PEAK_H
#define ACCEL_ZE_PEAK_H

#include <stdint.h>

#include "accel/types.h"

/* Fills out for a known product name ("Intel(R) Data Center GPU Max 1550") and returns 1; zeros it
 * and returns 0 otherwise. eu_count is what the device reports: a 1550 exposed per stack (FLAT
 * hierarchy, the default on recent drivers) has half the card's EUs, and the card's peak is scaled by
 * that fraction, which the source string says. eu_count 0 = unknown, taken as the whole card. */
int accel_ze_peak_lookup(const char *device_name, uint32_t eu_count, accel_peak_table *out);

#endif
