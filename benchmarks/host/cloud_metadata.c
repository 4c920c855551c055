/* The metadata endpoints of AWS (IMDSv2), GCP and Azure (cloud_metadata.h). */
#define _POSIX_C_SOURCE 200809L
#include "cloud_metadata.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define DEFAULT_ADDR "169.254.169.254:80"

static double monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec * 1e-6;
}

static int parse_addr(const char *text, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (!colon[1] || *end || port <= 0 || port > 65535)
        return -1;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((unsigned short)port);
    return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

/* Waits for fd to be ready for events until deadline; 0 ready, -1 timed out or failed. */
static int wait_fd(int fd, short events, double deadline_ms)
{
    for (;;) {
        double left = deadline_ms - monotonic_ms();
        if (left <= 0)
            return -1;
        struct pollfd p = {fd, events, 0};
        int rc = poll(&p, 1, (int)(left + 1));
        if (rc > 0)
            return 0;
        if (rc < 0 && errno != EINTR)
            return -1;
    }
}

static int decode_chunked(const char *in, size_t len, char *out, size_t out_len)
{
    size_t used = 0;
    const char *p = in, *end = in + len;
    for (;;) {
        char *after = NULL;
        unsigned long n = strtoul(p, &after, 16);
        const char *crlf = after ? strstr(after, "\r\n") : NULL;
        if (!crlf || after == p || crlf >= end)
            return -1;
        p = crlf + 2;
        if (n == 0)
            break;
        if (n > (size_t)(end - p) || used + n >= out_len)
            return -1;
        memcpy(out + used, p, n);
        used += n;
        p += n;
        if (end - p < 2 || p[0] != '\r' || p[1] != '\n')
            return -1;
        p += 2;
    }
    out[used] = '\0';
    return 0;
}

int bench_http_parse_response(const char *resp, size_t len, int *status, char *body, size_t body_len)
{
    int major, minor, code;
    if (len < 12 || sscanf(resp, "HTTP/%d.%d %d", &major, &minor, &code) != 3)
        return -1;
    const char *head_end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(resp + i, "\r\n\r\n", 4) == 0) {
            head_end = resp + i;
            break;
        }
    if (!head_end)
        return -1;
    *status = code;
    int chunked = 0;
    for (const char *line = strstr(resp, "\r\n") + 2; line < head_end;) {
        const char *eol = strstr(line, "\r\n");
        if (strncasecmp(line, "Transfer-Encoding:", 18) == 0) {
            const char *v = line + 18;
            while (*v == ' ')
                v++;
            chunked = strncasecmp(v, "chunked", 7) == 0;
        }
        line = eol + 2;
    }
    const char *b = head_end + 4;
    size_t blen = len - (size_t)(b - resp);
    if (chunked)
        return decode_chunked(b, blen, body, body_len);
    if (blen >= body_len)
        return -1;
    memcpy(body, b, blen);
    body[blen] = '\0';
    return 0;
}

/* One request on a fresh connection (Connection: close). 0 and the body of a 200 answer; -1 with
 * why otherwise. */
static int http_request(const struct sockaddr_in *sa, double deadline_ms, const char *method,
                        const char *path, const char *headers, char *body, size_t body_len,
                        char *why, size_t why_len)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        snprintf(why, why_len, "socket: %s", strerror(errno));
        return -1;
    }
    int rc = -1;
    char req[1024], resp[8192];
    size_t got = 0;
    if (connect(fd, (const struct sockaddr *)sa, sizeof *sa) != 0 && errno != EINPROGRESS) {
        snprintf(why, why_len, "connect: %s", strerror(errno));
        goto out;
    }
    int err = 0;
    socklen_t elen = sizeof err;
    if (wait_fd(fd, POLLOUT, deadline_ms) != 0) {
        snprintf(why, why_len, "no connection within the deadline");
        goto out;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0 || err != 0) {
        snprintf(why, why_len, "connect: %s", strerror(err ? err : errno));
        goto out;
    }
    int n = snprintf(req, sizeof req,
                     "%s %s HTTP/1.1\r\nHost: 169.254.169.254\r\n%sContent-Length: 0\r\n"
                     "Connection: close\r\n\r\n",
                     method, path, headers);
    for (size_t sent = 0; sent < (size_t)n;) {
        if (wait_fd(fd, POLLOUT, deadline_ms) != 0) {
            snprintf(why, why_len, "request not sent within the deadline");
            goto out;
        }
        ssize_t w = send(fd, req + sent, (size_t)n - sent, MSG_NOSIGNAL);
        if (w < 0 && errno != EAGAIN && errno != EINTR) {
            snprintf(why, why_len, "send: %s", strerror(errno));
            goto out;
        }
        if (w > 0)
            sent += (size_t)w;
    }
    for (;;) {
        if (wait_fd(fd, POLLIN, deadline_ms) != 0) {
            snprintf(why, why_len, "no complete answer within the deadline");
            goto out;
        }
        ssize_t r = recv(fd, resp + got, sizeof resp - 1 - got, 0);
        if (r == 0)
            break;
        if (r < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            snprintf(why, why_len, "recv: %s", strerror(errno));
            goto out;
        }
        got += (size_t)r;
        if (got == sizeof resp - 1) {
            snprintf(why, why_len, "answer over %zu bytes", sizeof resp - 1);
            goto out;
        }
    }
    resp[got] = '\0';
    int status = 0;
    if (bench_http_parse_response(resp, got, &status, body, body_len) != 0) {
        snprintf(why, why_len, "%s %s: not an HTTP answer", method, path);
        goto out;
    }
    if (status != 200) {
        snprintf(why, why_len, "%s %s: HTTP %d", method, path, status);
        goto out;
    }
    /* A one-line value: trimmed, printable ASCII (it goes into CSV cells). */
    size_t blen = strcspn(body, "\r\n");
    body[blen] = '\0';
    for (char *p = body; *p; p++)
        if ((unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e || *p == ',' || *p == '"')
            *p = '?';
    rc = body[0] ? 0 : -1;
    if (rc != 0)
        snprintf(why, why_len, "%s %s: empty answer", method, path);
out:
    close(fd);
    return rc;
}

static const char *after_last_slash(const char *s)
{
    const char *slash = strrchr(s, '/');
    return slash ? slash + 1 : s;
}

static int ask_aws(const struct sockaddr_in *sa, double deadline, bench_instance *inst, char *why,
                   size_t why_len)
{
    char token[256], header[400], type[128], region[64];
    if (http_request(sa, deadline, "PUT", "/latest/api/token",
                     "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n", token, sizeof token, why,
                     why_len) != 0)
        return -1;
    snprintf(header, sizeof header, "X-aws-ec2-metadata-token: %s\r\n", token);
    if (http_request(sa, deadline, "GET", "/latest/meta-data/instance-type", header, type,
                     sizeof type, why, why_len) != 0)
        return -1;
    char ignored[256];
    if (http_request(sa, deadline, "GET", "/latest/meta-data/placement/region", header, region,
                     sizeof region, ignored, sizeof ignored) != 0)
        region[0] = '\0';
    bench_copy(inst->provider, sizeof inst->provider, "aws");
    bench_copy(inst->instance_type, sizeof inst->instance_type, type);
    bench_copy(inst->region, sizeof inst->region, region);
    return 0;
}

static int ask_gcp(const struct sockaddr_in *sa, double deadline, bench_instance *inst, char *why,
                   size_t why_len)
{
    const char *h = "Metadata-Flavor: Google\r\n";
    char type[256], zone[256], ignored[256];
    /* "projects/123456/machineTypes/n2-standard-8" */
    if (http_request(sa, deadline, "GET", "/computeMetadata/v1/instance/machine-type", h, type,
                     sizeof type, why, why_len) != 0)
        return -1;
    bench_copy(inst->region, sizeof inst->region, "");
    /* "projects/123456/zones/us-central1-a": the region is the zone less its last part. */
    if (http_request(sa, deadline, "GET", "/computeMetadata/v1/instance/zone", h, zone, sizeof zone,
                     ignored, sizeof ignored) == 0) {
        bench_copy(inst->region, sizeof inst->region, after_last_slash(zone));
        char *dash = strrchr(inst->region, '-');
        if (dash)
            *dash = '\0';
    }
    bench_copy(inst->provider, sizeof inst->provider, "gcp");
    bench_copy(inst->instance_type, sizeof inst->instance_type, after_last_slash(type));
    return 0;
}

static int ask_azure(const struct sockaddr_in *sa, double deadline, bench_instance *inst, char *why,
                     size_t why_len)
{
    const char *h = "Metadata: true\r\n";
    char size[128], location[64], ignored[256];
    if (http_request(sa, deadline, "GET",
                     "/metadata/instance/compute/vmSize?api-version=2021-02-01&format=text", h, size,
                     sizeof size, why, why_len) != 0)
        return -1;
    if (http_request(sa, deadline, "GET",
                     "/metadata/instance/compute/location?api-version=2021-02-01&format=text", h,
                     location, sizeof location, ignored, sizeof ignored) != 0)
        location[0] = '\0';
    bench_copy(inst->provider, sizeof inst->provider, "azure");
    bench_copy(inst->instance_type, sizeof inst->instance_type, size);
    bench_copy(inst->region, sizeof inst->region, location);
    return 0;
}

int bench_cloud_metadata_query(bench_instance *inst, double timeout_ms, char *why, size_t why_len)
{
    const char *addr = getenv("ACCEL_CLOUD_METADATA_ADDR");
    if (!addr || !addr[0])
        addr = DEFAULT_ADDR;
    struct sockaddr_in sa;
    if (parse_addr(addr, &sa) != 0) {
        snprintf(why, why_len, "ACCEL_CLOUD_METADATA_ADDR '%s' is not IPv4:port", addr);
        return -1;
    }
    static const struct {
        const char *provider;
        int (*ask)(const struct sockaddr_in *, double, bench_instance *, char *, size_t);
    } providers[] = {{"aws", ask_aws}, {"gcp", ask_gcp}, {"azure", ask_azure}};
    const double deadline = monotonic_ms() + timeout_ms;
    bench_instance answer = *inst;
    char last[256] = "";
    bench_strbuf tried = {0};
    int rc = -1;
    for (size_t i = 0; rc != 0 && i < sizeof providers / sizeof providers[0]; i++) {
        if (inst->provider[0] && strcmp(inst->provider, providers[i].provider) != 0)
            continue;
        if (monotonic_ms() >= deadline)
            break;
        rc = providers[i].ask(&sa, deadline, &answer, last, sizeof last);
        if (rc != 0)
            bench_strbuf_appendf(&tried, "%s%s: %s", tried.data ? "; " : "", providers[i].provider,
                                 last);
    }
    if (rc == 0) {
        bench_copy(answer.source, sizeof answer.source, "cloud-metadata");
        *inst = answer;
    } else {
        snprintf(why, why_len, "no instance type from %s within %.0f ms (%s)", addr, timeout_ms,
                 tried.data ? tried.data : "deadline passed");
    }
    bench_strbuf_free(&tried);
    return rc;
}
