/* PCI bus ids as vendors print them -> the name of the device's directory in sysfs. */
#ifndef BENCH_PCI_NAME_H
#define BENCH_PCI_NAME_H

#include <stddef.h>

/* "00000000:1B:00.0" (CUDA, 8-digit domain) -> "0000:1b:00.0"; "1b:00.0" -> "0000:1b:00.0".
 * Returns 0, or -1 when id is empty or not made of hex digits, ':' and '.'. */
int bench_pci_sysfs_name(const char *id, char *buf, size_t n);

#endif
