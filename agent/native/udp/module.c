// The functions agent/src/dns/udpio.ts calls (see io.c for how datagrams move). Arguments are
// checked here as well as there: a wrong call throws, it never reads or writes out of bounds.
#include "udp.h"

#define ARGS(n)                                                        \
  size_t argc = n;                                                     \
  napi_value argv[n];                                                  \
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) \
    return NULL;                                                       \
  if (argc < n) {                                                      \
    napi_throw_type_error(env, NULL, "missing arguments");             \
    return NULL;                                                       \
  }

static int int_arg(napi_env env, napi_value v, int32_t* out) {
  if (napi_get_value_int32(env, v, out) == napi_ok) return 1;
  napi_throw_type_error(env, NULL, "expected a number");
  return 0;
}

static int buffer_arg(napi_env env, napi_value v, void** data, size_t* len) {
  if (napi_get_buffer_info(env, v, data, len) == napi_ok) return 1;
  napi_throw_type_error(env, NULL, "expected a Buffer");
  return 0;
}

static napi_value number(napi_env env, int32_t n) {
  napi_value v;
  napi_create_int32(env, n, &v);
  return v;
}

// init(data: Buffer of BATCH*SLOT bytes, meta: Int32Array of BATCH*META, onBatch(count)).
static napi_value init(napi_env env, napi_callback_info info) {
  ARGS(3);
  size_t len, mlen;
  void* data;
  void* meta;
  napi_typedarray_type type;
  napi_value resource, name;
  if (R.env) return napi_throw_error(env, NULL, "already initialised"), NULL;
  if (!buffer_arg(env, argv[0], &data, &len)) return NULL;
  if (napi_get_typedarray_info(env, argv[1], &type, &mlen, &meta, NULL, NULL) != napi_ok ||
      type != napi_int32_array || len != BATCH * SLOT || mlen != BATCH * META)
    return napi_throw_range_error(env, NULL, "wrong buffer sizes"), NULL;
  napi_create_reference(env, argv[0], 1, &R.data_ref);
  napi_create_reference(env, argv[1], 1, &R.meta_ref);
  napi_create_reference(env, argv[2], 1, &R.cb);
  napi_create_object(env, &resource);
  napi_create_string_utf8(env, "qvmd-udp", NAPI_AUTO_LENGTH, &name);
  napi_async_init(env, resource, name, &R.ctx);
  R.env = env;
  R.data = data;
  R.meta = meta;
  for (int i = 0; i < BATCH; i++) {
    R.riov[i].iov_base = R.data + i * SLOT;
    R.riov[i].iov_len = SLOT;
    R.rmsg[i].msg_hdr.msg_iov = &R.riov[i];
    R.rmsg[i].msg_hdr.msg_iovlen = 1;
    R.rmsg[i].msg_hdr.msg_name = &R.raddr[i];
  }
  for (int i = MAX_SOCKS - 1; i >= 0; i--) R.free_slots[R.nfree++] = i;
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  // After each poll phase: everything read in this turn of the loop goes to JavaScript at once.
  uv_check_init(loop, &R.check);
  uv_check_start(&R.check, udp_on_check);
  uv_unref((uv_handle_t*)&R.check);
  return NULL;
}

// adopt(fd): takes over a bound UDP socket (its own copy of the descriptor); returns its id.
static napi_value adopt(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t fd;
  if (!int_arg(env, argv[0], &fd)) return NULL;
  int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  if (nfd < 0) return udp_throw(env, errno, "dup"), NULL;
  fcntl(nfd, F_SETFL, fcntl(nfd, F_GETFL) | O_NONBLOCK);
  // A burst is held by the kernel rather than dropped (capped by net.core.rmem_max).
  int size = 4 * 1024 * 1024;
  setsockopt(nfd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  int id = udp_add(env, nfd, NULL);
  return id < 0 ? NULL : number(env, id);
}

// open(family 4|6, address, port): a socket on a kernel-chosen random port, connected to
// address:port (only its datagrams are delivered); returns [id, local port].
static napi_value open_connected(napi_env env, napi_callback_info info) {
  ARGS(3);
  int32_t family, port;
  char host[64];
  size_t hlen;
  struct sockaddr_storage peer, local;
  memset(&peer, 0, sizeof peer);
  memset(&local, 0, sizeof local);
  if (!int_arg(env, argv[0], &family) || !int_arg(env, argv[2], &port)) return NULL;
  if (napi_get_value_string_utf8(env, argv[1], host, sizeof host, &hlen) != napi_ok)
    return napi_throw_type_error(env, NULL, "expected an address"), NULL;
  int af = family == 6 ? AF_INET6 : AF_INET;
  void* addr = af == AF_INET ? (void*)&((struct sockaddr_in*)&peer)->sin_addr
                             : (void*)&((struct sockaddr_in6*)&peer)->sin6_addr;
  if ((family != 4 && family != 6) || port < 1 || port > 65535 || inet_pton(af, host, addr) != 1)
    return napi_throw_range_error(env, NULL, "bad upstream address"), NULL;
  socklen_t slen = af == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
  peer.ss_family = local.ss_family = af;
  if (af == AF_INET) ((struct sockaddr_in*)&peer)->sin_port = htons(port);
  else ((struct sockaddr_in6*)&peer)->sin6_port = htons(port);
  int fd = socket(af, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return udp_throw(env, errno, "socket"), NULL;
  // Port 0: the kernel picks a random free ephemeral port (RFC 5452 §9.2).
  if (bind(fd, (struct sockaddr*)&local, slen) < 0 || connect(fd, (struct sockaddr*)&peer, slen) < 0 ||
      getsockname(fd, (struct sockaddr*)&local, &slen) < 0) {
    int err = errno;
    close(fd);
    return udp_throw(env, err, "upstream socket"), NULL;
  }
  int id = udp_add(env, fd, &peer);
  if (id < 0) return NULL;
  napi_value out;
  napi_create_array_with_length(env, 2, &out);
  napi_set_element(env, out, 0, number(env, id));
  napi_set_element(env, out, 1,
                   number(env, ntohs(af == AF_INET ? ((struct sockaddr_in*)&local)->sin_port
                                                   : ((struct sockaddr_in6*)&local)->sin6_port)));
  return out;
}

// send(id, bytes) on a connected socket: 0, or the errno it failed with at once. During a batch
// the bytes are queued and leave when the batch is done (udp_flush_queries); a failure then comes
// as the socket's error. Otherwise (a timer's send) at once.
static napi_value send_connected(napi_env env, napi_callback_info info) {
  ARGS(2);
  int32_t id;
  void* data;
  size_t len;
  if (!int_arg(env, argv[0], &id) || !buffer_arg(env, argv[1], &data, &len)) return NULL;
  sock_t* s = udp_lookup(id);
  if (!s) return number(env, EBADF);
  if (!R.delivering || len > SEND_ARENA) return number(env, send(s->fd, data, len, MSG_DONTWAIT) < 0 ? errno : 0);
  if (R.qcount == BATCH || R.qused + len > SEND_ARENA) udp_flush_queries();
  int i = R.qcount++;
  memcpy(R.qarena + R.qused, data, len);
  R.qid[i] = id;
  R.qiov[i].iov_base = R.qarena + R.qused;
  R.qiov[i].iov_len = len;
  R.qused += len;
  return number(env, 0);
}

// sendTo(id, bytes, ipv4 as uint32, port): during a batch the answer is queued and leaves with the
// others in one sendmmsg when the batch is done; otherwise (a timer's answer) at once.
static napi_value send_to(napi_env env, napi_callback_info info) {
  ARGS(4);
  int32_t id, ip, port;
  void* data;
  size_t len;
  if (!int_arg(env, argv[0], &id) || !buffer_arg(env, argv[1], &data, &len) ||
      !int_arg(env, argv[2], &ip) || !int_arg(env, argv[3], &port))
    return NULL;
  sock_t* s = udp_lookup(id);
  if (!s || port < 0 || port > 65535) return NULL;
  struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
  to.sin_addr.s_addr = htonl((uint32_t)ip);
  if (!R.delivering || len > SEND_ARENA) {
    sendto(s->fd, data, len, MSG_DONTWAIT, (struct sockaddr*)&to, sizeof to);
    return NULL;
  }
  if (R.scount == BATCH || R.used + len > SEND_ARENA) udp_flush_sends();
  int i = R.scount++;
  memcpy(R.arena + R.used, data, len);
  R.saddr[i] = to;
  R.siov[i].iov_base = R.arena + R.used;
  R.siov[i].iov_len = len;
  R.smsg[i].msg_hdr = (struct msghdr){.msg_name = &R.saddr[i],
                                      .msg_namelen = sizeof to,
                                      .msg_iov = &R.siov[i],
                                      .msg_iovlen = 1};
  R.sfd[i] = s->fd;
  R.used += len;
  return NULL;
}

// close(id): no datagram of it is delivered any more; the descriptor closes once libuv lets go.
static napi_value close_socket(napi_env env, napi_callback_info info) {
  ARGS(1);
  int32_t id;
  if (!int_arg(env, argv[0], &id)) return NULL;
  sock_t* s = udp_lookup(id);
  if (!s) return NULL;
  int slot = id & (MAX_SOCKS - 1);
  R.socks[slot] = NULL;
  R.free_slots[R.nfree++] = slot;
  s->closed = 1;
  uv_poll_stop(&s->poll);
  uv_close((uv_handle_t*)&s->poll, udp_on_closed);
  return NULL;
}

static napi_value module_init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"init", NULL, init, NULL, NULL, NULL, napi_enumerable, NULL},
      {"adopt", NULL, adopt, NULL, NULL, NULL, napi_enumerable, NULL},
      {"open", NULL, open_connected, NULL, NULL, NULL, napi_enumerable, NULL},
      {"send", NULL, send_connected, NULL, NULL, NULL, napi_enumerable, NULL},
      {"sendTo", NULL, send_to, NULL, NULL, NULL, napi_enumerable, NULL},
      {"close", NULL, close_socket, NULL, NULL, NULL, napi_enumerable, NULL},
      {"BATCH", NULL, NULL, NULL, NULL, number(env, BATCH), napi_enumerable, NULL},
      {"SLOT", NULL, NULL, NULL, NULL, number(env, SLOT), napi_enumerable, NULL},
      {"META", NULL, NULL, NULL, NULL, number(env, META), napi_enumerable, NULL},
      {"FOREIGN", NULL, NULL, NULL, NULL, number(env, FOREIGN), napi_enumerable, NULL},
      {"SOCKS", NULL, NULL, NULL, NULL, number(env, MAX_SOCKS), napi_enumerable, NULL},
  };
  napi_define_properties(env, exports, sizeof props / sizeof *props, props);
  return exports;
}

NAPI_MODULE(qvmd_udp, module_init)
