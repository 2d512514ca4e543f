/*
 * An open-loop HTTP/1.1 load generator for the emit benchmarks (wrk2's method, for one URL shape):
 * request i is due at start + i / rate whatever the answers' speed; its latency runs from that due
 * time to the last byte of its answer, so a stall of the server shows in the tail (no coordinated
 * omission). One thread, epoll, a timerfd armed at the next due time (nanosecond timer, so requests
 * leave within tens of microseconds of their schedule instead of on a millisecond tick), keep-alive
 * connections with one request each in flight; a request due while every connection is busy waits
 * in order, its latency still counted from its due time. It costs ~10 µs of CPU per request, so it
 * disturbs the machine it measures far less than a JavaScript generator.
 *
 *   loadgen PORT RATE WARMUP_MS DURATION_MS [CONNECTIONS] [USERS]
 *
 * Requests are `GET /items/<i % 5000>` with header `x-user: user-<i % USERS>`. When the warm-up
 * ends it sends `GET /items/__reset` (not measured). Prints one JSON line with the fields of
 * http-load.ts's HttpLoadResult. Answers must carry Content-Length (Express's do). Built on demand
 * by loadgen.ts with the machine's C compiler; not part of the package.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

typedef struct {
  int fd;
  int busy;
  int64_t due;      /* ns; -1: the reset request (not measured) */
  int measured;
  char buf[16384];
  size_t have;
} conn_t;

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p) {
  /* Nearest rank, as bench/lib/percentiles.ts. */
  if (n == 0) return -1;
  double rank = ceil(p * (double)n / 100.0 - 1e-9) - 1;
  if (rank < 0) rank = 0;
  if (rank > (double)(n - 1)) rank = (double)(n - 1);
  return v[(size_t)rank];
}

static int open_conn(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    perror("connect");
    exit(2);
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Bytes of a complete answer at the start of buf, or 0 if it is not complete yet. */
static size_t complete(const char *buf, size_t have) {
  const char *end = memmem(buf, have, "\r\n\r\n", 4);
  if (end == NULL) return 0;
  size_t head = (size_t)(end - buf) + 4;
  long length = 0;
  for (const char *p = buf; p < end;) {
    const char *nl = memmem(p, (size_t)(end - p), "\r\n", 2);
    if (nl == NULL) nl = end;
    if ((size_t)(nl - p) > 15 && strncasecmp(p, "content-length:", 15) == 0) length = atol(p + 15);
    p = nl + 2;
  }
  return have >= head + (size_t)length ? head + (size_t)length : 0;
}

int main(int argc, char **argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: loadgen PORT RATE WARMUP_MS DURATION_MS [CONNECTIONS] [USERS]\n");
    return 2;
  }
  int port = atoi(argv[1]);
  double rate = atof(argv[2]);
  int64_t warmup = (int64_t)atol(argv[3]) * 1000000LL;
  int64_t duration = (int64_t)atol(argv[4]) * 1000000LL;
  int nconn = argc > 5 ? atoi(argv[5]) : 64;
  int users = argc > 6 ? atoi(argv[6]) : 1000;
  if (port <= 0 || rate <= 0 || nconn <= 0 || users <= 0) {
    fprintf(stderr, "loadgen: bad arguments\n");
    return 2;
  }
  int ep = epoll_create1(0);
  int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK);
  struct epoll_event ev = {.events = EPOLLIN, .data.u32 = UINT32_MAX};
  epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
  conn_t *c = calloc((size_t)nconn, sizeof *c);
  for (int i = 0; i < nconn; i++) {
    c[i].fd = open_conn(port);
    ev.events = EPOLLIN;
    ev.data.u32 = (uint32_t)i;
    epoll_ctl(ep, EPOLL_CTL_ADD, c[i].fd, &ev);
  }
  size_t cap = (size_t)(rate * (double)(warmup + duration) / 1e9) + 16;
  double *lat = malloc(cap * sizeof *lat), *late = malloc(cap * sizeof *late);
  size_t nlat = 0, nlate = 0;
  long errors = 0;
  int64_t start = now_ns() + 1000000; /* 1 ms from now */
  int64_t measure_from = start + warmup, end = measure_from + duration;
  uint64_t issued = 0;
  int reset_pending = 1, reset_sent = 0;
  int inflight = 0, last = -1;
  char req[256];
  for (;;) {
    int64_t t = now_ns();
    /* Send what is due, oldest first, while a connection is free. */
    int blocked = 0;
    for (;;) {
      int want_reset = reset_pending && t >= measure_from;
      int64_t due = start + (int64_t)((double)issued * 1e9 / rate);
      if (!want_reset && (due > t || due >= end)) break;
      /* Round robin over the free connections, so none sits idle past the server's keep-alive
         timeout (Node's is 5 s). */
      int k = -1;
      for (int j = 1; j <= nconn; j++) {
        int i = (last + j) % nconn;
        if (!c[i].busy) {
          k = last = i;
          break;
        }
      }
      if (k < 0) {
        blocked = 1; /* every connection is busy: wait for an answer, not for the clock */
        break;
      }
      int n;
      if (want_reset) {
        /* The app's own route and headers: a request of another shape here (another route, another
           response) deoptimized code of every request's path at the start of the measurement. */
        n = snprintf(req, sizeof req, "GET /items/__reset HTTP/1.1\r\nHost: 127.0.0.1\r\nx-user: user-0\r\n\r\n");
        c[k].due = -1;
        c[k].measured = 0;
        reset_pending = 0;
        reset_sent = 1;
      } else {
        n = snprintf(req, sizeof req,
                     "GET /items/%llu HTTP/1.1\r\nHost: 127.0.0.1\r\nx-user: user-%llu\r\n\r\n",
                     (unsigned long long)(issued % 5000), (unsigned long long)(issued % (uint64_t)users));
        c[k].due = due;
        c[k].measured = due >= measure_from && due < end;
        if (c[k].measured && nlate < cap) late[nlate++] = (double)(t - due) / 1e6;
        issued++;
      }
      if (write(c[k].fd, req, (size_t)n) != n) {
        errors++;
        continue;
      }
      c[k].busy = 1;
      c[k].have = 0;
      inflight++;
    }
    int64_t next_due = start + (int64_t)((double)issued * 1e9 / rate);
    if (next_due >= end && inflight == 0 && !reset_pending) break;
    if (t > end + 10000000000LL) break; /* answers 10 s late: give up on them */
    /* Sleep until the next due time or an answer; only for an answer while all connections are
       busy (a timer already due would wake this loop at once, over and over: a spin that takes
       the CPU from the server it measures). */
    struct itimerspec its = {0};
    if (!blocked) {
      int64_t wake = next_due < end ? next_due : t + 100000000LL;
      its.it_value.tv_sec = wake / 1000000000LL;
      its.it_value.tv_nsec = wake % 1000000000LL;
    }
    timerfd_settime(tfd, TFD_TIMER_ABSTIME, &its, NULL);
    struct epoll_event evs[64];
    int n = epoll_wait(ep, evs, 64, 1000);
    if (n < 0 && errno != EINTR) {
      perror("epoll_wait");
      return 2;
    }
    for (int e = 0; e < n; e++) {
      uint32_t k = evs[e].data.u32;
      if (k == UINT32_MAX) {
        uint64_t x;
        (void)!read(tfd, &x, sizeof x);
        continue;
      }
      conn_t *cc = &c[k];
      ssize_t r = read(cc->fd, cc->buf + cc->have, sizeof cc->buf - cc->have);
      if (r <= 0) {
        /* Closed by the server: an error if a request was waiting on it; open a new one. */
        if (cc->busy) {
          errors++;
          inflight--;
        }
        epoll_ctl(ep, EPOLL_CTL_DEL, cc->fd, NULL);
        close(cc->fd);
        cc->fd = open_conn(port);
        cc->busy = 0;
        cc->have = 0;
        ev.events = EPOLLIN;
        ev.data.u32 = k;
        epoll_ctl(ep, EPOLL_CTL_ADD, cc->fd, &ev);
        continue;
      }
      cc->have += (size_t)r;
      size_t done = complete(cc->buf, cc->have);
      if (done == 0) continue;
      int64_t at = now_ns();
      if (strncmp(cc->buf, "HTTP/1.1 200", 12) != 0) errors++;
      if (cc->measured && nlat < cap) lat[nlat++] = (double)(at - cc->due) / 1e6;
      cc->busy = 0;
      cc->have = 0;
      inflight--;
    }
  }
  (void)reset_sent;
  qsort(lat, nlat, sizeof *lat, cmp_double);
  qsort(late, nlate, sizeof *late, cmp_double);
  printf("{\"requests\":%zu,\"errors\":%ld,\"seconds\":%.3f,\"p50Ms\":%.4f,\"p99Ms\":%.4f,"
         "\"p999Ms\":%.4f,\"maxMs\":%.4f,\"lateP99Ms\":%.4f,\"lateMaxMs\":%.4f,\"latUs\":[",
         nlat, errors, (double)duration / 1e9, pct(lat, nlat, 50), pct(lat, nlat, 99), pct(lat, nlat, 99.9),
         nlat ? lat[nlat - 1] : -1, pct(late, nlate, 99), nlate ? late[nlate - 1] : -1);
  /* Every measured latency in whole microseconds, sorted: the bench pools them over its runs. */
  for (size_t i = 0; i < nlat; i++) printf(i ? ",%.0f" : "%.0f", lat[i] * 1e3);
  printf("]}\n");
  return 0;
}
