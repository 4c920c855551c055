/* `--cloud-metadata`: the instance type (and region) from the provider's metadata endpoint, over
 * plain HTTP on a socket with one deadline for all requests (docs/cli.md, "Instance identity").
 * Asked only with the flag. The endpoint is 169.254.169.254:80; $ACCEL_CLOUD_METADATA_ADDR
 * ("127.0.0.1:PORT", numeric IPv4 only) replaces it for the tests' mock server. */
#ifndef BENCH_CLOUD_METADATA_H
#define BENCH_CLOUD_METADATA_H

#include <stddef.h>

#include "instance.h"

#define BENCH_CLOUD_METADATA_TIMEOUT_MS 1000

/* Asks the provider inst->provider names (from DMI), or AWS, GCP and Azure in turn when it names
 * none, all within timeout_ms. On an answer fills provider, instance_type, region (when the
 * endpoint gives it) and source "cloud-metadata" and returns 0; otherwise returns -1 with a
 * one-line reason in why, inst unchanged. */
int bench_cloud_metadata_query(bench_instance *inst, double timeout_ms, char *why, size_t why_len);

/* For tests: an HTTP/1.x response's status and body (chunked transfer decoded). 0 when it parses. */
int bench_http_parse_response(const char *resp, size_t len, int *status, char *body, size_t body_len);

#endif
