/* JSON writer output, atomic file write, and the worker pipe escaping round trip. */
#define _POSIX_C_SOURCE 200809L
#include <unistd.h>

#include "cli_check.h"
#include "csv.h"
#include "json.h"
#include "wire.h"

int main(void)
{
    bench_json j = {0};
    bench_json_object_begin(&j);
    bench_json_kv_string(&j, "s", "a\"b\\c\nd\x01");
    bench_json_kv_int(&j, "i", -3);
    bench_json_kv_number(&j, "x", 0.5);
    bench_json_kv_number(&j, "nan", NAN);
    bench_json_kv_bool(&j, "t", 1);
    bench_json_key(&j, "list");
    bench_json_array_begin(&j);
    bench_json_int(&j, 1);
    bench_json_object_begin(&j);
    bench_json_object_end(&j);
    bench_json_string(&j, NULL);
    bench_json_array_end(&j);
    bench_json_object_end(&j);
    CHECK_STR(bench_json_text(&j),
              "{\"s\":\"a\\\"b\\\\c\\nd\\u0001\",\"i\":-3,\"x\":0.5,\"nan\":null,\"t\":true,"
              "\"list\":[1,{},null]}");

    char dir[] = "/tmp/accelbench-test-json-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char path[512];
    snprintf(path, sizeof path, "%s/side.json", dir);
    CHECK(bench_file_write_atomic(path, bench_json_text(&j), strlen(bench_json_text(&j))) == 0);
    size_t len = 0;
    char *back = bench_file_read_all(path, &len);
    CHECK(back && strcmp(back, bench_json_text(&j)) == 0);
    free(back);
    unlink(path);
    rmdir(dir);
    snprintf(path, sizeof path, "%s/missing-dir/side.json", dir);
    CHECK(bench_file_write_atomic(path, "{}", 2) == -1);
    bench_json_free(&j);

    const char *fields[] = {"row", "tab\there", "nl\nthere", "back\\slash", "", "cr\r"};
    bench_strbuf line = {0};
    bench_wire_encode(&line, fields, 6);
    CHECK(strchr(line.data, '\n') == line.data + line.len - 1); /* exactly one line */
    line.data[--line.len] = '\0';
    bench_strlist got = {0};
    CHECK(bench_wire_decode(line.data, &got) == 0);
    CHECK(got.count == 6);
    for (size_t i = 0; i < 6 && i < got.count; i++)
        CHECK_STR(got.items[i], fields[i]);
    bench_strlist_free(&got);
    bench_strbuf_free(&line);
    CHECK(bench_wire_decode("bad\\q", &got) == -1);
    bench_strlist_free(&got);
    CHECK_DONE();
}
