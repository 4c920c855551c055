/* PCI bus id normalisation for the /sys/bus/pci/devices/<id>/numa_node lookup. */
#include "cli_check.h"
#include "pci_name.h"

int main(void)
{
    char buf[64];
    CHECK(bench_pci_sysfs_name("00000000:1B:00.0", buf, sizeof buf) == 0);
    CHECK_STR(buf, "0000:1b:00.0");
    CHECK(bench_pci_sysfs_name("0000:c1:00.0", buf, sizeof buf) == 0);
    CHECK_STR(buf, "0000:c1:00.0");
    CHECK(bench_pci_sysfs_name("1B:00.0", buf, sizeof buf) == 0);
    CHECK_STR(buf, "0000:1b:00.0");
    CHECK(bench_pci_sysfs_name("", buf, sizeof buf) == -1);
    CHECK(bench_pci_sysfs_name("../../etc", buf, sizeof buf) == -1); /* never a path escape */
    CHECK(bench_pci_sysfs_name("0000:1b:00.0/x", buf, sizeof buf) == -1);
    CHECK_DONE();
}
