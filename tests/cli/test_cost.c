/* Cost, energy and identity (docs/cli.md, "Energy, carbon and cost"): the prices file, the DMI
 * recognition of AWS/GCP/Azure, the energy window arithmetic, the cost and carbon columns, and the
 * HTTP answers of the metadata client, against files written to a temporary directory. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_check.h"
#include "cloud_metadata.h"
#include "cost.h"
#include "energy.h"
#include "instance.h"
#include "prices.h"

static char dir[] = "/tmp/accelbench-test-cost-XXXXXX";

static const char *write_file(const char *name, const char *text)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(1);
    }
    fputs(text, f);
    fclose(f);
    return path;
}

#define HEADER "instance_type,provider,region,usd_per_hour\n"

static int lookup(const char *text, const char *type, const char *provider, const char *region,
                  bench_price *p, char *err)
{
    const char *path = write_file("prices.csv", text);
    memset(p, 0, sizeof *p);
    err[0] = '\0';
    return bench_prices_lookup(path, type, provider, region, p, err, 512);
}

static void test_prices(void)
{
    bench_price p;
    char err[512];
    const char *file = "# example prices, 2024\n" HEADER "c7i.large,aws,us-east-1,0.08925\n"
                       "c7i.large,aws,eu-west-1,0.0998\n"
                       "\n"
                       "n2-standard-8,gcp,,0.388472\n"
                       "Standard_D2s_v3,azure,eastus,0.096\n";
    CHECK(lookup(file, "c7i.large", "aws", "eu-west-1", &p, err) == 0);
    CHECK(p.usd_per_hour == 0.0998 && p.line == 4);
    /* Two regions and none known: ambiguous, the message names the lines and --region. */
    CHECK(lookup(file, "c7i.large", "aws", "", &p, err) == 2);
    CHECK(strstr(err, "--region") && strstr(err, "3 (aws/us-east-1)") && !strchr(err, '\n'));
    /* An empty region column prices every region; names compare without case. */
    CHECK(lookup(file, "N2-STANDARD-8", "gcp", "us-central1", &p, err) == 0);
    CHECK(p.usd_per_hour == 0.388472 && p.line == 6);
    CHECK(lookup(file, "n2-standard-8", "", "", &p, err) == 0 && !strcmp(p.provider, "gcp"));
    CHECK(lookup(file, "Standard_D2s_v3", "aws", "", &p, err) == 1); /* another provider's row */
    CHECK(strstr(err, "no row for instance type Standard_D2s_v3 of aws") != NULL);
    CHECK(lookup(file, "", "", "", &p, err) == 1);
    CHECK(lookup(file, "p5.48xlarge", "aws", "", &p, err) == 1);

    /* Bad files: one line naming file:line, status 2. */
    CHECK(lookup("c7i.large,aws,us-east-1,0.1\n", "c7i.large", "", "", &p, err) == 2);
    CHECK(strstr(err, ":1: the header must be") != NULL);
    CHECK(lookup("# only a comment\n", "c7i.large", "", "", &p, err) == 2 && strstr(err, "no header"));
    CHECK(lookup(HEADER "c7i.large,aws,us-east-1,-0.1\n", "c7i.large", "", "", &p, err) == 2);
    CHECK(strstr(err, ":2: usd_per_hour is not a non-negative number") != NULL);
    CHECK(lookup(HEADER "c7i.large,aws,us-east-1,cheap\n", "x", "", "", &p, err) == 2);
    CHECK(lookup(HEADER "c7i.large,aws,us-east-1,nan\n", "x", "", "", &p, err) == 2);
    CHECK(lookup(HEADER "c7i.large,aws,0.1\n", "x", "", "", &p, err) == 2 && strstr(err, "not 4 fields"));
    CHECK(lookup(HEADER "c7i.large,aws,a,b,0.1\n", "x", "", "", &p, err) == 2);
    CHECK(lookup(HEADER "\"c7i.large\",aws,a,0.1\n", "x", "", "", &p, err) == 2 && strstr(err, "quoted"));
    CHECK(lookup(HEADER "c7i.large,aws,us-east-1,0.1\nC7I.LARGE,AWS,us-east-1,0.2\n", "x", "", "", &p,
                 err) == 2);
    CHECK(strstr(err, ":3: C7I.LARGE,AWS,us-east-1 is already on line 2") != NULL);
    snprintf(err, sizeof err, "x");
    CHECK(bench_prices_lookup("/nonexistent/prices.csv", "a", "", "", &p, err, sizeof err) == 2);
    CHECK(strstr(err, "cannot read '/nonexistent/prices.csv'") != NULL);
}

static void dmi_tree(const char *sys_vendor, const char *product, const char *asset, const char *bios_version)
{
    char path[512];
    snprintf(path, sizeof path, "rm -rf '%s/sys' && mkdir -p '%s/sys/class/dmi/id'", dir, dir);
    CHECK(system(path) == 0);
    if (sys_vendor) write_file("sys/class/dmi/id/sys_vendor", sys_vendor);
    if (product) write_file("sys/class/dmi/id/product_name", product);
    if (asset) write_file("sys/class/dmi/id/chassis_asset_tag", asset);
    if (bios_version) write_file("sys/class/dmi/id/bios_version", bios_version);
}

static void test_dmi(void)
{
    char root[300];
    snprintf(root, sizeof root, "%s/sys", dir);
    bench_instance in;
    dmi_tree("Amazon EC2\n", "c7i.large\n", "Amazon EC2\n", "1.0\n");
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "aws");
    CHECK_STR(in.instance_type, "c7i.large");
    CHECK_STR(in.source, "dmi");
    CHECK_STR(in.sys_vendor, "Amazon EC2");
    dmi_tree("Xen\n", "HVM domU\n", NULL, "4.11.amazon\n"); /* the Xen generation: no type */
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "aws");
    CHECK_STR(in.instance_type, "");
    dmi_tree("Google\n", "Google Compute Engine\n", NULL, NULL);
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "gcp");
    CHECK_STR(in.instance_type, "");
    dmi_tree("Microsoft Corporation\n", "Virtual Machine\n", BENCH_AZURE_ASSET_TAG "\n", NULL);
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "azure");
    /* A Hyper-V guest on someone's desk: same vendor and product, another asset tag. */
    dmi_tree("Microsoft Corporation\n", "Virtual Machine\n", "0000-0000-0000\n", NULL);
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "");
    dmi_tree("Dell Inc.\n", "PowerEdge R760\n", NULL, NULL);
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "");
    CHECK_STR(in.product_name, "PowerEdge R760");
    snprintf(root, sizeof root, "%s/no-sysfs", dir);
    bench_instance_from_dmi(root, &in);
    CHECK_STR(in.provider, "");
    CHECK_STR(in.sys_vendor, "");
}

static bench_energy_reading reading(double joules, double at_ms, const char *source)
{
    bench_energy_reading e = {joules, at_ms, ""};
    snprintf(e.source, sizeof e.source, "%s", source);
    return e;
}

static void test_energy(void)
{
    bench_row r = {0};
    bench_energy_reading b = reading(1000.0, 5000.0, "rapl"), a = reading(1150.0, 6500.0, "rapl");
    /* 150 J over 1.5 s = 100 W; a run of 20 ms takes 2 J; 8 items a run: 0.25 J each. */
    CHECK_NEAR(bench_energy_fill(&r, &b, &a, 20.0, 8.0), 100.0, 1e-9);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_SOURCE), "rapl");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_J), "2");
    CHECK_STR(bench_row_get(&r, BENCH_COL_JOULES_PER_ITEM), "0.25");
    bench_row_free(&r);

    /* Under a second: nothing but the reason. */
    a = reading(1150.0, 5999.0, "nvml");
    CHECK(bench_energy_fill(&r, &b, &a, 20.0, 8.0) < 0);
    CHECK(strstr(bench_row_get(&r, BENCH_COL_ENERGY_SOURCE), "none: the nvml window was 999 ms") != NULL);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_J), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_JOULES_PER_ITEM), "");
    bench_row_free(&r);

    a = reading(900.0, 7000.0, "rapl");
    CHECK(bench_energy_fill(&r, &b, &a, 20.0, 8.0) < 0);
    CHECK(strncmp(bench_row_get(&r, BENCH_COL_ENERGY_SOURCE), "none: the rapl counter went back", 32) == 0);
    bench_row_free(&r);

    b = reading(-1, 5000.0, "none: /sys/class/powercap not readable (x)");
    CHECK(bench_energy_fill(&r, &b, &a, 20.0, 8.0) < 0);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_SOURCE), "none: /sys/class/powercap not readable (x)");
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_J), "");
    bench_row_free(&r);
    /* A message without the "none" lead (the HAL's refusal, an old plugin's empty field). */
    b = reading(-1, 5000.0, "");
    CHECK(bench_energy_fill(&r, &b, &a, 20.0, 8.0) < 0);
    CHECK_STR(bench_row_get(&r, BENCH_COL_ENERGY_SOURCE), "none: the backend reports no energy counter");
    bench_row_free(&r);
}

static void test_cost(void)
{
    bench_row r = {0};
    bench_row_set(&r, BENCH_COL_ITEMS_PER_S, "250");
    bench_row_set(&r, BENCH_COL_JOULES_PER_ITEM, "0.36");
    bench_cost c = {3.6, 400.0, "aws", "c7i.large"};
    bench_cost_fill(&c, &r);
    /* 3.6 USD/h = 0.001 USD/s; 250 items/s: 4e-6 USD an item, 4 USD a million. */
    CHECK_STR(bench_row_get(&r, BENCH_COL_USD_PER_HOUR), "3.6");
    CHECK_STR(bench_row_get(&r, BENCH_COL_USD_PER_MILLION_ITEMS), "4");
    /* 0.36 J x 1e6 = 0.1 kWh; x 400 g/kWh = 40 g. */
    CHECK_STR(bench_row_get(&r, BENCH_COL_GRID_GCO2_PER_KWH), "400");
    CHECK_STR(bench_row_get(&r, BENCH_COL_GCO2_PER_MILLION_ITEMS), "40");
    CHECK_STR(bench_row_get(&r, BENCH_COL_PROVIDER), "aws");
    CHECK_STR(bench_row_get(&r, BENCH_COL_INSTANCE_TYPE), "c7i.large");
    bench_row_free(&r);
    /* No energy: the intensity is recorded, the grams stay empty; no price: no cost. */
    bench_row_set(&r, BENCH_COL_ITEMS_PER_S, "250");
    c = (bench_cost){-1, 55.0, "", ""};
    bench_cost_fill(&c, &r);
    CHECK_STR(bench_row_get(&r, BENCH_COL_GRID_GCO2_PER_KWH), "55");
    CHECK_STR(bench_row_get(&r, BENCH_COL_GCO2_PER_MILLION_ITEMS), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_USD_PER_HOUR), "");
    CHECK_STR(bench_row_get(&r, BENCH_COL_USD_PER_MILLION_ITEMS), "");
    bench_row_free(&r);
}

static void test_http(void)
{
    char body[64];
    int status = 0;
    const char *plain = "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nc7i.large";
    CHECK(bench_http_parse_response(plain, strlen(plain), &status, body, sizeof body) == 0);
    CHECK(status == 200);
    CHECK_STR(body, "c7i.large");
    const char *chunked = "HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n4\r\nc7i.\r\n5\r\nlarge\r\n0\r\n\r\n";
    CHECK(bench_http_parse_response(chunked, strlen(chunked), &status, body, sizeof body) == 0);
    CHECK_STR(body, "c7i.large");
    const char *torn = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n9\r\nc7i.";
    CHECK(bench_http_parse_response(torn, strlen(torn), &status, body, sizeof body) != 0);
    const char *denied = "HTTP/1.1 401 Unauthorized\r\n\r\n";
    CHECK(bench_http_parse_response(denied, strlen(denied), &status, body, sizeof body) == 0);
    CHECK(status == 401);
    CHECK(bench_http_parse_response("garbage", 7, &status, body, sizeof body) != 0);
    /* No server behind the address (a closed port on 127.0.0.1): an answer-less failure, quickly. */
    bench_instance in;
    memset(&in, 0, sizeof in);
    setenv("ACCEL_CLOUD_METADATA_ADDR", "127.0.0.1:1", 1);
    char why[256];
    CHECK(bench_cloud_metadata_query(&in, 1000, why, sizeof why) == -1);
    CHECK(strstr(why, "no instance type from 127.0.0.1:1") != NULL && in.instance_type[0] == '\0');
    setenv("ACCEL_CLOUD_METADATA_ADDR", "metadata.example:80", 1);
    CHECK(bench_cloud_metadata_query(&in, 1000, why, sizeof why) == -1 && strstr(why, "IPv4:port"));
    unsetenv("ACCEL_CLOUD_METADATA_ADDR");
}

int main(void)
{
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    test_prices();
    test_dmi();
    test_energy();
    test_cost();
    test_http();
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    CHECK_DONE();
}
