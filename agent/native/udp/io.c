// Batched UDP for the DNS forwarder process (agent/src/dns/udpio.ts is its only caller). Node's
// dgram costs a crossing into C++, a Buffer, an rinfo object and a nextTick per datagram, and one
// sendmsg per answer: more than half of the forwarder's time (bench/dns/README.md). Here libuv polls
// each socket (uv_poll); datagrams are read with recvmmsg into one fixed area, and every datagram
// that arrived in one turn of the event loop, on any socket, goes to JavaScript in ONE call, which
// answers them all; answers to clients queued during that call leave in one sendmmsg per socket,
// and the upstream queries asked during it (one connected socket each) right after the call.
// All decisions about the bytes stay in TypeScript: this file only moves datagrams.
//
// Received bytes live in the area passed to init() and are valid only during that one call.
// Socket ids carry a generation, so a datagram read for a socket closed (and its slot reused)
// before delivery is never handed to the new socket. One instance per process, main thread only.
#include "udp.h"

udp_state R;

sock_t* udp_lookup(int id) {
  if (id < 0) return NULL;
  sock_t* s = R.socks[id & (MAX_SOCKS - 1)];
  return s && s->id == id ? s : NULL;
}

int udp_throw(napi_env env, int err, const char* what) {
  char msg[128];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(err));
  napi_throw_error(env, uv_err_name(-err), msg);
  return -1;
}

static void record(int slot, int id, int len, const struct sockaddr_storage* a);

// Hands the datagrams read so far to JavaScript, then sends what it queued meanwhile; upstream
// sends that failed then go to JavaScript as their sockets' errors, in another round.
static void deliver(void) {
  if (R.count == 0 || R.delivering) return;
  napi_env env = R.env;
  napi_handle_scope scope;
  napi_value cb, recv, argv[1], result;
  napi_open_handle_scope(env, &scope);
  napi_get_reference_value(env, R.cb, &cb);
  napi_get_global(env, &recv);  // napi_make_callback wants an object as `this`
  while (R.count > 0) {
    napi_create_int32(env, R.count, &argv[0]);
    R.delivering = 1;
    napi_status st = napi_make_callback(env, R.ctx, recv, cb, 1, argv, &result);
    R.delivering = 0;
    R.count = 0;
    udp_flush_queries();
    udp_flush_sends();
    for (int i = 0; i < R.ecount; i++) record(R.count++, R.eid[i], -R.eno[i], NULL);
    R.ecount = 0;
    if (st == napi_pending_exception) {
      napi_value err;
      napi_get_and_clear_last_exception(env, &err);
      napi_fatal_exception(env, err);  // as an exception in an event handler: the process's handler
      break;
    }
  }
  napi_close_handle_scope(env, scope);
}

static void record(int slot, int id, int len, const struct sockaddr_storage* a) {
  int32_t* m = R.meta + slot * META;
  memset(m, 0, META * sizeof *m);
  m[0] = id;
  m[1] = len;
  if (a && a->ss_family == AF_INET) {
    const struct sockaddr_in* v4 = (const struct sockaddr_in*)a;
    m[2] = ntohs(v4->sin_port);
    m[3] = 4;
    m[4] = (int32_t)ntohl(v4->sin_addr.s_addr);
  } else if (a && a->ss_family == AF_INET6) {
    const struct sockaddr_in6* v6 = (const struct sockaddr_in6*)a;
    m[2] = ntohs(v6->sin6_port);
    m[3] = 6;
    for (int i = 0; i < 4; i++) {
      uint32_t w;
      memcpy(&w, v6->sin6_addr.s6_addr + 4 * i, 4);
      m[4 + i] = (int32_t)ntohl(w);
    }
  }
}

static int same_peer(const sock_t* s, const struct sockaddr_storage* a) {
  if (a->ss_family != s->peer.ss_family) return 0;
  if (a->ss_family == AF_INET) {
    const struct sockaddr_in *x = (const void*)a, *y = (const void*)&s->peer;
    return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
  }
  const struct sockaddr_in6 *x = (const void*)a, *y = (const void*)&s->peer;
  return x->sin6_port == y->sin6_port && !memcmp(&x->sin6_addr, &y->sin6_addr, 16);
}

static void push_error(sock_t* s, int err) {
  if (R.count == BATCH) deliver();
  record(R.count++, s->id, -err, NULL);
}

void udp_on_readable(uv_poll_t* h, int status, int events) {
  sock_t* s = h->data;
  (void)events;
  if (status < 0) {
    // libuv stops polling on POLLERR (an ICMP error on a connected socket): report the socket's
    // error, which also clears it, and keep reading if there was one to clear.
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    push_error(s, err ? err : EIO);
    if (err && !s->closed) uv_poll_start(&s->poll, UV_READABLE, udp_on_readable);
    return;
  }
  for (int budget = PER_WAKEUP; budget > 0 && !s->closed;) {
    if (R.count == BATCH) deliver();
    if (s->closed) break;
    int room = BATCH - R.count;
    for (int i = R.count; i < BATCH; i++) {
      R.rmsg[i].msg_hdr.msg_namelen = sizeof R.raddr[i];
      R.rmsg[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(s->fd, &R.rmsg[R.count], room, MSG_DONTWAIT, NULL);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) push_error(s, errno);
      break;
    }
    for (int i = R.count; i < R.count + n; i++) {
      int len = (int)R.rmsg[i].msg_len;
      if (R.rmsg[i].msg_hdr.msg_flags & MSG_TRUNC) len = -EMSGSIZE;
      if (s->connected && !same_peer(s, &R.raddr[i])) len = FOREIGN;
      record(i, s->id, len, &R.raddr[i]);
    }
    R.count += n;
    budget -= n;
    if (n < room) break;
  }
}

void udp_on_check(uv_check_t* h) {
  (void)h;
  deliver();
}

void udp_on_closed(uv_handle_t* h) {
  sock_t* s = h->data;
  close(s->fd);
  free(s);
}

int udp_add(napi_env env, int fd, const struct sockaddr_storage* peer) {
  sock_t* s = R.nfree > 0 ? calloc(1, sizeof *s) : NULL;
  if (!s) {
    close(fd);
    return udp_throw(env, R.nfree > 0 ? ENOMEM : EMFILE, "forwarder socket");
  }
  uv_loop_t* loop;
  napi_get_uv_event_loop(env, &loop);
  int rc = uv_poll_init(loop, &s->poll, fd);
  if (rc != 0) {
    close(fd);
    free(s);
    return udp_throw(env, -rc, "poll");
  }
  s->poll.data = s;
  s->fd = fd;
  rc = uv_poll_start(&s->poll, UV_READABLE, udp_on_readable);
  if (rc != 0) {
    uv_close((uv_handle_t*)&s->poll, udp_on_closed);
    return udp_throw(env, -rc, "poll");
  }
  int slot = R.free_slots[--R.nfree];
  s->id = (++R.gen[slot] << SLOT_BITS) | slot;
  if (peer) {
    s->connected = 1;
    s->peer = *peer;
  }
  R.socks[slot] = s;
  return s->id;
}

// Each upstream query is on a socket of its own, so each is one send; sending them after the
// batch rather than amid it wakes the upstream once for many, not once per query. A send that
// fails is the socket's error (as an ICMP refusal is): JavaScript hears of it in the next batch.
void udp_flush_queries(void) {
  for (int i = 0; i < R.qcount; i++) {
    sock_t* s = udp_lookup(R.qid[i]);
    if (!s) continue;  // closed meanwhile
    ssize_t n;
    do n = send(s->fd, R.qiov[i].iov_base, R.qiov[i].iov_len, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    // Kept aside (JavaScript may be reading this batch's records): delivered after it. Beyond
    // BATCH of them in one round, the query times out instead.
    if (n < 0 && R.ecount < BATCH) {
      R.eid[R.ecount] = s->id;
      R.eno[R.ecount++] = errno;
    }
  }
  R.qcount = 0;
  R.qused = 0;
}

void udp_flush_sends(void) {
  for (int i = 0; i < R.scount;) {
    int run = 1;
    while (i + run < R.scount && R.sfd[i + run] == R.sfd[i]) run++;
    int n = sendmmsg(R.sfd[i], &R.smsg[i], run, MSG_DONTWAIT);
    // A datagram that cannot leave is a client retry, as with any UDP server: skip it, go on.
    if (n < 0 && errno == EINTR) continue;
    i += n > 0 ? n : 1;
  }
  R.scount = 0;
  R.used = 0;
}
