/* Which cloud instance this is (docs/cli.md, "Instance identity"): the provider and instance type
 * from the local DMI data (<sysfs>/class/dmi/id/), without asking the network. */
#ifndef BENCH_INSTANCE_H
#define BENCH_INSTANCE_H

#define BENCH_AZURE_ASSET_TAG "7783-7084-3265-9085-8269-3286-77"

typedef struct bench_instance {
    char provider[32];       /* "aws", "gcp", "azure"; "" = not a recognised cloud instance */
    char instance_type[128]; /* "c7i.large", "n2-standard-8", "Standard_D2s_v3"; "" = unknown */
    char region[64];         /* "" = unknown */
    char source[64];         /* where instance_type came from: "dmi", "cloud-metadata", "--instance-type" */
    /* The DMI fields read (for the sidecar); "" where unreadable. */
    char sys_vendor[128], product_name[128], board_vendor[128], bios_vendor[128],
        bios_version[128], chassis_asset_tag[128];
    char metadata_error[256]; /* --cloud-metadata asked and got no answer: why */
} bench_instance;

/* Reads <sysfs_root>/class/dmi/id (sysfs_root NULL or "": "/sys") and recognises AWS (Nitro:
 * sys_vendor "Amazon EC2", the instance type in product_name; Xen: "amazon" in bios_version), GCP
 * ("Google Compute Engine"; the machine type is not in DMI) and Azure ("Microsoft Corporation" /
 * "Virtual Machine" with Azure's chassis asset tag; the size is not in DMI). */
void bench_instance_from_dmi(const char *sysfs_root, bench_instance *out);

#endif
