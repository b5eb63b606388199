// Shared between io.c (moving datagrams) and module.c (the functions JavaScript calls).
#ifndef QVMD_UDP_H
#define QVMD_UDP_H
#define _GNU_SOURCE  // recvmmsg, sendmmsg
#define NAPI_VERSION 8
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <node_api.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <uv.h>

#define BATCH 64           // datagrams per call into JavaScript
#define SLOT 4096          // bytes per datagram: larger ones are reported as EMSGSIZE
#define META 8             // int32 per datagram: id, length or -errno, port, family, address x4
#define FOREIGN (-100000)  // length of a datagram from someone other than a connected socket's peer
#define SLOT_BITS 14
#define MAX_SOCKS (1 << SLOT_BITS)
#define SEND_ARENA (256 * 1024)
#define PER_WAKEUP 256  // datagrams read from one socket per readiness, so no socket starves others

typedef struct {
  uv_poll_t poll;
  int fd, id, closed, connected;
  struct sockaddr_storage peer;
} sock_t;

typedef struct {
  napi_env env;
  napi_ref cb, data_ref, meta_ref;
  napi_async_context ctx;
  uint8_t* data;
  int32_t* meta;
  int count, delivering;
  struct mmsghdr rmsg[BATCH];
  struct iovec riov[BATCH];
  struct sockaddr_storage raddr[BATCH];
  uv_check_t check;
  sock_t* socks[MAX_SOCKS];
  uint16_t gen[MAX_SOCKS];
  int free_slots[MAX_SOCKS], nfree;
  struct mmsghdr smsg[BATCH];
  struct iovec siov[BATCH];
  struct sockaddr_in saddr[BATCH];
  int sfd[BATCH], scount;
  size_t used;
  uint8_t arena[SEND_ARENA];
  // Upstream queries (connected sockets) sent during a batch: they leave after it, together.
  int qid[BATCH], qcount;
  int eid[BATCH], eno[BATCH], ecount;
  struct iovec qiov[BATCH];
  size_t qused;
  uint8_t qarena[SEND_ARENA];
} udp_state;

extern udp_state R;

sock_t* udp_lookup(int id);
int udp_throw(napi_env env, int err, const char* what);
/** Registers fd (and the peer it is connected to, if any); returns its id or throws. */
int udp_add(napi_env env, int fd, const struct sockaddr_storage* peer);
void udp_on_check(uv_check_t* h);
void udp_on_readable(uv_poll_t* h, int status, int events);
void udp_on_closed(uv_handle_t* h);
void udp_flush_sends(void);
/** Sends the queued upstream queries; a failure is reported as that socket's error. */
void udp_flush_queries(void);
#endif
