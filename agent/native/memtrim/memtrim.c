/*
 * memtrim.node: gives back memory a Node process holds after a burst of work but no longer uses,
 * which neither Node nor V8 can do (issue 13, memory). Two things, both safe to do at any time:
 *
 * - malloc_trim(0): glibc keeps freed heap memory (V8's parser and compiler zones of every module
 *   loaded at startup, gRPC's buffers) mapped in the process; this returns every free page of every
 *   arena to the kernel, not only the top of the heap.
 * - the executable's startup pages: a Node process maps some 30 MB of its executable's code and
 *   read-only data at startup (V8's bootstrap, the snapshot, ICU's init; the kernel maps 64 KB
 *   around each fault), most of it never touched again. MADV_DONTNEED on a read-only file mapping
 *   only drops this process's page table entries: the pages stay in the page cache (shared with
 *   every other node process) and the next touch maps them back. Mappings holding private
 *   (copy-on-write) pages are skipped: dropping those would lose their content (the dynamic
 *   linker's relocations in RELRO).
 *
 * Built by `make build` against Node's N-API headers; no third-party code.
 */
#define _GNU_SOURCE
#include <malloc.h>
#include <node_api.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

/* Bytes of read-only, purely file-backed mappings of `path` whose pages were released. */
static double drop_file_pages(const char *path) {
  FILE *f = fopen("/proc/self/smaps", "re");
  if (!f) return 0;
  char line[4352];
  unsigned long lo = 0, hi = 0;
  int candidate = 0;
  double released = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long s, e, kb;
    char perms[8], file[4096];
    int n = sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &s, &e, perms, file);
    if (n >= 3 && strchr(line, ' ') > strchr(line, '-')) {
      /* A mapping's header line; its fields (Rss:, Anonymous: ...) follow. */
      lo = s;
      hi = e;
      candidate = n == 4 && strcmp(file, path) == 0 && perms[0] == 'r' && perms[1] != 'w';
      continue;
    }
    if (candidate && sscanf(line, "Anonymous: %lu kB", &kb) == 1) {
      if (kb == 0 && madvise((void *)lo, hi - lo, MADV_DONTNEED) == 0) released += (double)(hi - lo);
      candidate = 0;
    }
  }
  fclose(f);
  return released;
}

/* trim(executable: string) -> bytes of mappings released (address space, not resident pages). */
static napi_value trim(napi_env env, napi_callback_info info) {
  size_t argc = 1, len;
  napi_value argv[1];
  char path[4096];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_string_utf8(env, argv[0], path, sizeof path, &len) != napi_ok || len == 0 ||
      len >= sizeof path - 1 || path[0] != '/') {
    napi_throw_type_error(env, NULL, "trim(executable): an absolute path");
    return NULL;
  }
  malloc_trim(0);
  napi_value r;
  if (napi_create_double(env, drop_file_pages(path), &r) != napi_ok) return NULL;
  return r;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "trim", NAPI_AUTO_LENGTH, trim, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "trim", fn) != napi_ok)
    return NULL;
  return exports;
}
