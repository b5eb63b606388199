/*
 * peercred.node: the credentials of the process at the other end of a connected unix socket
 * (SO_PEERCRED), which Node does not expose. qvmd reads them from every accepted connection: the
 * uid is who owns what the connection creates (see "Callers and ownership" in api/proto/qvmd.proto).
 * The kernel records them at connect(), so a caller cannot change them afterwards.
 * Built by `make build` with the system C compiler against Node's N-API headers (ABI-stable
 * across Node versions); no third-party code.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <node_api.h>
#include <string.h>
#include <sys/socket.h>

static napi_value set_int(napi_env env, napi_value obj, const char *name, double n) {
  napi_value v;
  if (napi_create_double(env, n, &v) != napi_ok || napi_set_named_property(env, obj, name, v) != napi_ok)
    return NULL;
  return obj;
}

/* peerCred(fd) -> { pid, uid, gid }; throws on a descriptor that is not a connected unix socket. */
static napi_value peer_cred(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  int32_t fd;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0) {
    napi_throw_type_error(env, NULL, "peerCred(fd): fd must be a non-negative integer");
    return NULL;
  }
  struct ucred c;
  socklen_t len = sizeof c;
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &c, &len) != 0 || len != sizeof c) {
    napi_throw_error(env, "EPEERCRED", strerror(errno));
    return NULL;
  }
  napi_value o;
  if (napi_create_object(env, &o) != napi_ok) return NULL;
  if (!set_int(env, o, "pid", c.pid) || !set_int(env, o, "uid", c.uid) || !set_int(env, o, "gid", c.gid))
    return NULL;
  return o;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "peerCred", NAPI_AUTO_LENGTH, peer_cred, NULL, &fn) != napi_ok ||
      napi_set_named_property(env, exports, "peerCred", fn) != napi_ok)
    return NULL;
  return exports;
}
