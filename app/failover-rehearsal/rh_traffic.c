/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * The traffic engine: see rh_traffic.h for the frame, the attribution
 * rules and the report format.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rh_traffic.h"

/* Per-seq state in the ring: the paths seen, or a hole and its step. */
#define RH_ST_PATHS 0x0fu
#define RH_ST_HOLE 0x10u
#define RH_ST_STEP_SHIFT 8

#define RH_BINS_CHUNK_MS 1000u
#define RH_RLE_LINE 960u

/* ---- time, addresses ---- */

uint64_t
rh_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
rh_sleep_until(uint64_t ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000u, .tv_nsec = ns % 1000000000u };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

int
rh_mac_parse(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &tail) != 6)
		return -1;
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
	return 0;
}

void
rh_mac_format(const uint8_t mac[6], char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static const char *const rh_path_names[RH_PATH_NB] = {
	[RH_PATH_VF] = "vf",
	[RH_PATH_VIRTIO] = "virtio",
	[RH_PATH_OTHER] = "other",
};

const char *
rh_path_name(enum rh_path p)
{
	return p < RH_PATH_NB ? rh_path_names[p] : "?";
}

int
rh_path_parse(const char *s, enum rh_path *p)
{
	unsigned int i;

	for (i = 0; i < RH_PATH_NB; i++) {
		if (strcmp(s, rh_path_names[i]) == 0) {
			*p = i;
			return 0;
		}
	}
	return -1;
}

/* ---- frames ---- */

static void
rh_put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static void
rh_put64(uint8_t *p, uint64_t v)
{
	rh_put32(p, v >> 32);
	rh_put32(p + 4, (uint32_t)v);
}

static uint32_t
rh_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint64_t
rh_get64(const uint8_t *p)
{
	return (uint64_t)rh_get32(p) << 32 | rh_get32(p + 4);
}

/* Writes a whole frame (RH_FRAME_LEN bytes); returns its length, 0 if len is short. */
size_t
rh_frame_encode(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6],
		const struct rh_tag *tag)
{
	uint8_t *t = buf + RH_HDR_LEN;

	if (len < RH_FRAME_LEN)
		return 0;
	memset(buf, 0, RH_FRAME_LEN);
	memcpy(buf, dst, 6);
	memcpy(buf + 6, src, 6);
	buf[12] = RH_ETHERTYPE >> 8;
	buf[13] = RH_ETHERTYPE & 0xff;
	rh_put32(t, RH_MAGIC);
	rh_put32(t + 4, tag->run);
	t[8] = tag->dir;
	t[9] = RH_VERSION;
	rh_put32(t + 12, tag->step);
	rh_put64(t + 16, tag->seq);
	rh_put64(t + 24, tag->ts_ns);
	return RH_FRAME_LEN;
}

/* 0 and the tag for a rehearsal frame, -1 for anything else. */
int
rh_frame_decode(const uint8_t *buf, size_t len, struct rh_tag *tag)
{
	const uint8_t *t = buf + RH_HDR_LEN;

	if (len < RH_HDR_LEN + RH_TAG_LEN || buf[12] != (RH_ETHERTYPE >> 8) ||
	    buf[13] != (RH_ETHERTYPE & 0xff) || rh_get32(t) != RH_MAGIC || t[9] != RH_VERSION)
		return -1;
	if (t[8] != RH_DIR_A && t[8] != RH_DIR_B)
		return -1;
	tag->run = rh_get32(t + 4);
	tag->dir = t[8];
	tag->step = rh_get32(t + 12);
	tag->seq = rh_get64(t + 16);
	tag->ts_ns = rh_get64(t + 24);
	return 0;
}

const uint8_t *
rh_frame_src(const uint8_t *buf)
{
	return buf + 6;
}

/* ---- the accountant: steps ---- */

static int
rh_steps_reserve(struct rh_acct *a, uint32_t n)
{
	struct rh_step_stats *s;
	uint32_t cap = a->nb_steps ? a->nb_steps : 16;

	if (n <= a->nb_steps)
		return 0;
	while (cap < n)
		cap *= 2;
	s = realloc(a->steps, (size_t)cap * sizeof(*s));
	if (s == NULL)
		return -1;
	memset(s + a->nb_steps, 0, (size_t)(cap - a->nb_steps) * sizeof(*s));
	a->steps = s;
	a->nb_steps = cap;
	return 0;
}

/* The stats of a step, allocated on demand; NULL only when out of memory. */
static struct rh_step_stats *
rh_step_get(struct rh_acct *a, uint32_t step)
{
	if (step > RH_STEP_MAX)
		step = RH_STEP_MAX;
	if (step >= a->nb_steps && rh_steps_reserve(a, step + 1) != 0)
		return NULL;
	if (step >= a->max_step)
		a->max_step = step + 1;
	return &a->steps[step];
}

const struct rh_step_stats *
rh_acct_step(const struct rh_acct *a, uint32_t step)
{
	return step < a->max_step ? &a->steps[step] : NULL;
}

int
rh_acct_init(struct rh_acct *a, enum rh_dir dir, enum rh_clock clock, bool bins,
	     uint32_t steps_hint)
{
	memset(a, 0, sizeof(*a));
	a->dir = dir;
	a->clock = clock;
	a->bins_on = bins;
	a->ring = calloc(RH_WINDOW, sizeof(*a->ring));
	if (a->ring == NULL || rh_steps_reserve(a, steps_hint ? steps_hint : 16) != 0) {
		rh_acct_free(a);
		return -1;
	}
	return 0;
}

void
rh_acct_fix_run(struct rh_acct *a, uint32_t run)
{
	a->run_fixed = true;
	a->run = run;
}

static void
rh_bins_free(struct rh_bins *b)
{
	unsigned int p;

	for (p = 0; p < RH_PATH_NB; p++) {
		free(b->cnt[p]);
		b->cnt[p] = NULL;
	}
	b->len = 0;
}

void
rh_acct_free(struct rh_acct *a)
{
	free(a->ring);
	free(a->steps);
	rh_bins_free(&a->bins);
	a->ring = NULL;
	a->steps = NULL;
	a->nb_steps = a->max_step = 0;
}

/* ---- bins ---- */

/* The span [lo, hi) the bins need to hold ms (the first time, 4 s from ms). */
static int
rh_bins_span(const struct rh_bins *b, uint64_t ms, uint64_t *lo, uint64_t *hi)
{
	uint64_t blo = b->base_ms, bhi = b->base_ms + b->len;

	if (b->len == 0) {
		*lo = ms;
		*hi = ms + 4096;
	} else if (ms < blo) {
		*lo = ms > 1024 ? ms - 1024 : 0;
		*hi = bhi;
		if (*hi - *lo > RH_BINS_MAX_MS)
			*lo = *hi - RH_BINS_MAX_MS;
	} else {
		*lo = blo;
		*hi = ms + 1 > blo + 2 * (uint64_t)b->len ? ms + 1 : blo + 2 * (uint64_t)b->len;
		if (*hi - *lo > RH_BINS_MAX_MS)
			*hi = *lo + RH_BINS_MAX_MS;
	}
	return ms >= *lo && ms < *hi ? 0 : -1;
}

/* Make room for ms in the bins: grow at the end, or shift for an earlier ms. */
static int
rh_bins_room(struct rh_bins *b, uint64_t ms)
{
	uint64_t lo, hi;
	uint16_t *c[RH_PATH_NB];
	unsigned int p;

	if (b->len != 0 && ms >= b->base_ms && ms < b->base_ms + b->len)
		return 0;
	if (rh_bins_span(b, ms, &lo, &hi) != 0)
		return -1;
	for (p = 0; p < RH_PATH_NB; p++) {
		c[p] = calloc(hi - lo, sizeof(uint16_t));
		if (c[p] == NULL) {
			while (p-- > 0)
				free(c[p]);
			return -1;
		}
		if (b->len != 0)
			memcpy(c[p] + (b->base_ms - lo), b->cnt[p],
			       (size_t)b->len * sizeof(uint16_t));
	}
	for (p = 0; p < RH_PATH_NB; p++) {
		free(b->cnt[p]);
		b->cnt[p] = c[p];
	}
	b->base_ms = lo;
	b->len = (uint32_t)(hi - lo);
	return 0;
}

static void
rh_bins_add(struct rh_bins *b, uint64_t ns, enum rh_path path)
{
	uint64_t ms = ns / 1000000u;
	uint16_t *c;

	if (rh_bins_room(b, ms) != 0) {
		b->dropped++;
		return;
	}
	c = &b->cnt[path][ms - b->base_ms];
	if (*c != UINT16_MAX)
		(*c)++;
}

/* ---- the accountant: feeding ---- */

static uint32_t *
rh_slot(struct rh_acct *a, uint64_t seq)
{
	return &a->ring[seq % RH_WINDOW];
}

/* The highest seq moves up to seq: the seqs in between are holes, lost in this step. */
static void
rh_advance(struct rh_acct *a, uint64_t seq, uint32_t step, struct rh_step_stats *st)
{
	uint64_t from = a->high + 1, s;
	uint32_t hole = RH_ST_HOLE | (step << RH_ST_STEP_SHIFT);

	st->lost += seq - from;
	if (seq - from > RH_WINDOW)
		from = seq - RH_WINDOW;
	for (s = from; s < seq; s++)
		*rh_slot(a, s) = hole;
	*rh_slot(a, seq) = 0;
	a->high = seq;
	a->high_step = step;
}

/* Gap before a unique frame at time t, for the step's stats. */
static void
rh_gap(struct rh_acct *a, struct rh_step_stats *st, uint64_t t)
{
	uint64_t gap = 0;

	if (a->last_ns != 0 && t > a->last_ns)
		gap = t - a->last_ns;
	if (a->clock == RH_CLOCK_RX || t > a->last_ns || a->last_ns == 0)
		a->last_ns = t;
	if (gap > st->gap_ns) {
		st->gap_ns = gap;
		st->gap_end_ns = t;
	}
	if (st->first_ns == 0 || t < st->first_ns)
		st->first_ns = t;
	if (t > st->last_ns)
		st->last_ns = t;
}

static void
rh_path_count(struct rh_acct *a, struct rh_step_stats *st, enum rh_path path, uint64_t t)
{
	st->path[path]++;
	if (a->bins_on)
		rh_bins_add(&a->bins, t, path);
}

/* A seq below the highest: a duplicate, a hole filled, or an older one never seen. */
static enum rh_verdict
rh_feed_old(struct rh_acct *a, uint64_t seq, enum rh_path path, uint64_t t,
	    struct rh_step_stats *st)
{
	uint32_t *slot = rh_slot(a, seq), hole_step;

	if (*slot & RH_ST_PATHS) {
		st->dup++;
		if (!(*slot & (1u << path))) {
			*slot |= 1u << path;
			rh_path_count(a, st, path, t);
		}
		return RH_DUP;
	}
	if (*slot & RH_ST_HOLE) {
		/* a step that was charged, so allocated: st stays valid */
		hole_step = *slot >> RH_ST_STEP_SHIFT;
		if (hole_step < a->max_step && a->steps[hole_step].lost > 0)
			a->steps[hole_step].lost--;
	}
	*slot = 1u << path;
	st->rx++;
	st->reord++;
	rh_gap(a, st, t);
	rh_path_count(a, st, path, t);
	return RH_REORD;
}

/* The first frame of the stream: counting starts at its seq. */
static void
rh_start(struct rh_acct *a, const struct rh_tag *tag, uint32_t step)
{
	a->started = true;
	a->run = tag->run;
	a->first_seq = tag->seq;
	a->high = tag->seq;
	a->high_step = step;
}

enum rh_verdict
rh_acct_feed(struct rh_acct *a, const struct rh_tag *tag, enum rh_path path, uint64_t rx_ns,
	     uint32_t step)
{
	uint64_t t = a->clock == RH_CLOCK_TAG ? tag->ts_ns : rx_ns;
	struct rh_step_stats *st;

	if (tag->dir != a->dir || ((a->run_fixed || a->started) && tag->run != a->run) ||
	    path >= RH_PATH_NB) {
		a->foreign++;
		return RH_FOREIGN;
	}
	st = rh_step_get(a, step);
	if (st == NULL) {
		a->foreign++;
		return RH_FOREIGN;
	}
	if (step > RH_STEP_MAX)
		step = RH_STEP_MAX;
	if (!a->started) {
		rh_start(a, tag, step);
	} else if (a->high >= RH_WINDOW && tag->seq <= a->high - RH_WINDOW) {
		a->late++;
		return RH_LATE;
	} else if (tag->seq <= a->high) {
		return rh_feed_old(a, tag->seq, path, t, st);
	} else {
		rh_advance(a, tag->seq, step, st);
	}
	*rh_slot(a, tag->seq) = 1u << path;
	st->rx++;
	rh_gap(a, st, t);
	rh_path_count(a, st, path, t);
	return RH_NEW;
}

uint64_t
rh_acct_next_seq(const struct rh_acct *a)
{
	return a->started ? a->high + 1 : 0;
}

void
rh_acct_totals(const struct rh_acct *a, struct rh_step_stats *t)
{
	const struct rh_step_stats *s;
	uint32_t i;
	unsigned int p;

	memset(t, 0, sizeof(*t));
	for (i = 0; i < a->max_step; i++) {
		s = &a->steps[i];
		t->rx += s->rx;
		t->lost += s->lost;
		t->dup += s->dup;
		t->reord += s->reord;
		for (p = 0; p < RH_PATH_NB; p++)
			t->path[p] += s->path[p];
		if (s->gap_ns > t->gap_ns) {
			t->gap_ns = s->gap_ns;
			t->gap_end_ns = s->gap_end_ns;
		}
	}
}

/* A copy of the counters and bins (not the per-seq state) for another thread. */
int
rh_acct_snapshot(struct rh_acct *dst, const struct rh_acct *src)
{
	struct rh_acct d = *src;
	unsigned int p;

	d.ring = NULL;
	d.steps = malloc((size_t)src->nb_steps * sizeof(*d.steps));
	memset(d.bins.cnt, 0, sizeof(d.bins.cnt));
	if (d.steps == NULL)
		return -1;
	memcpy(d.steps, src->steps, (size_t)src->nb_steps * sizeof(*d.steps));
	for (p = 0; p < RH_PATH_NB && src->bins.cnt[p] != NULL; p++) {
		d.bins.cnt[p] = malloc((size_t)src->bins.len * sizeof(uint16_t));
		if (d.bins.cnt[p] == NULL) {
			rh_acct_free(&d);
			return -1;
		}
		memcpy(d.bins.cnt[p], src->bins.cnt[p], (size_t)src->bins.len * sizeof(uint16_t));
	}
	rh_acct_free(dst);
	*dst = d;
	return 0;
}

/* ---- report ---- */

static bool
rh_step_empty(const struct rh_step_stats *s)
{
	return s->rx == 0 && s->lost == 0 && s->dup == 0;
}

static void
rh_report_step(const struct rh_acct *a, FILE *out, uint32_t i, const struct rh_step_stats *s)
{
	rh_out(out, "stats", "{\"dir\":\"%c\",\"step\":%u,\"rx\":%" PRIu64 ",\"lost\":%" PRIu64
	       ",\"dup\":%" PRIu64 ",\"reord\":%" PRIu64 ",\"gap_us\":%" PRIu64
	       ",\"gap_end_us\":%" PRIu64 ",\"first_us\":%" PRIu64 ",\"last_us\":%" PRIu64
	       ",\"vf\":%" PRIu64 ",\"virtio\":%" PRIu64 ",\"other\":%" PRIu64 "}",
	       a->dir, i, s->rx, s->lost, s->dup, s->reord, s->gap_ns / 1000,
	       s->gap_end_ns / 1000, s->first_ns / 1000, s->last_ns / 1000,
	       s->path[RH_PATH_VF], s->path[RH_PATH_VIRTIO], s->path[RH_PATH_OTHER]);
}

static void
rh_report_stream(const struct rh_acct *a, FILE *out, const struct rh_report_opts *o,
		 uint64_t tail, uint32_t tail_step)
{
	struct rh_step_stats t;
	char sent[24] = "null";

	rh_acct_totals(a, &t);
	if (o->sent_known)
		snprintf(sent, sizeof(sent), "%" PRIu64, o->sent);
	rh_out(out, "stream", "{\"dir\":\"%c\",\"run\":%u,\"first_seq\":%" PRIu64
	       ",\"next_seq\":%" PRIu64 ",\"rx\":%" PRIu64 ",\"lost\":%" PRIu64
	       ",\"tail\":%" PRIu64 ",\"sent\":%s,\"dup\":%" PRIu64 ",\"reord\":%" PRIu64
	       ",\"late\":%" PRIu64 ",\"foreign\":%" PRIu64 ",\"tail_step\":%u"
	       ",\"bins_dropped\":%" PRIu64 "}",
	       a->dir, a->run, a->started ? a->first_seq : 0, rh_acct_next_seq(a), t.rx,
	       t.lost + tail, tail, sent, t.dup, t.reord, a->late, a->foreign, tail_step,
	       a->bins.dropped);
}

static char
rh_b36(unsigned int v)
{
	return v < 10 ? '0' + v : 'a' + v - 10;
}

static int
rh_b36_put(char *buf, size_t len, uint64_t v)
{
	char tmp[16];
	int n = 0, i;

	do {
		tmp[n++] = rh_b36(v % 36);
		v /= 36;
	} while (v != 0);
	if ((size_t)n >= len)
		return -1;
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* One value: a digit, or "(v)". */
static int
rh_rle_value(char *buf, size_t len, unsigned int v)
{
	int n;

	if (v < 36) {
		if (len < 2)
			return -1;
		buf[0] = rh_b36(v);
		return 1;
	}
	if (len < 4)
		return -1;
	buf[0] = '(';
	n = rh_b36_put(buf + 1, len - 2, v);
	if (n < 0 || (size_t)n + 2 >= len)
		return -1;
	buf[n + 1] = ')';
	return n + 2;
}

/* A run of r ms of value v: written out when short, else v then "{r-1}". */
static int
rh_rle_run(char *buf, size_t len, unsigned int v, uint32_t r)
{
	int n, m, k = 0;
	uint32_t i;

	if (r >= 4) {
		n = rh_rle_value(buf, len, v);
		if (n < 0 || (size_t)n + 3 >= len)
			return -1;
		buf[n] = '{';
		m = rh_b36_put(buf + n + 1, len - n - 2, r - 1);
		if (m < 0 || (size_t)(n + m + 2) >= len)
			return -1;
		buf[n + m + 1] = '}';
		return n + m + 2;
	}
	for (i = 0; i < r; i++) {
		n = rh_rle_value(buf + k, len - k, v);
		if (n < 0)
			return -1;
		k += n;
	}
	return k;
}

/*
 * Encode up to n values into buf (NUL-terminated) while they fit; *used:
 * how many values went in. Returns the string length.
 */
size_t
rh_rle_encode(const uint16_t *v, uint32_t n, char *buf, size_t len, uint32_t *used)
{
	uint32_t i = 0, r;
	size_t k = 0;
	int m;

	while (i < n) {
		for (r = 1; i + r < n && v[i + r] == v[i]; r++)
			;
		m = rh_rle_run(buf + k, len - k, v[i], r);
		if (m < 0)
			break;
		k += m;
		i += r;
	}
	buf[k] = '\0';
	*used = i;
	return k;
}

static bool
rh_all_zero(const uint16_t *v, uint32_t n)
{
	uint32_t i;

	for (i = 0; i < n; i++)
		if (v[i] != 0)
			return false;
	return true;
}

static void
rh_report_bins(const struct rh_acct *a, FILE *out)
{
	const struct rh_bins *b = &a->bins;
	char rle[RH_RLE_LINE + 1];
	uint32_t off, n, used;
	unsigned int p;

	for (p = 0; p < RH_PATH_NB && b->len != 0; p++) {
		for (off = 0; off < b->len; off += used) {
			n = b->len - off < RH_BINS_CHUNK_MS ? b->len - off : RH_BINS_CHUNK_MS;
			rh_rle_encode(b->cnt[p] + off, n, rle, sizeof(rle), &used);
			if (rh_all_zero(b->cnt[p] + off, used))
				continue;
			rh_out(out, "bins", "{\"dir\":\"%c\",\"path\":\"%s\",\"ms\":%" PRIu64
			       ",\"n\":%u,\"rle\":\"%s\"}", a->dir, rh_path_name(p),
			       b->base_ms + off, used, rle);
		}
	}
}

/* The stats of every step that saw anything, the stream's totals, the bins. */
void
rh_acct_report(const struct rh_acct *a, FILE *out, const struct rh_report_opts *o)
{
	struct rh_step_stats tail_st;
	uint64_t next = rh_acct_next_seq(a), tail = 0;
	uint32_t tail_step = o->tail_known ? o->tail_step : a->high_step, i;
	const struct rh_step_stats *s;

	if (tail_step > RH_STEP_MAX)
		tail_step = RH_STEP_MAX;
	if (o->sent_known && o->sent > next)
		tail = o->sent - next;
	for (i = 0; i < a->max_step || (tail != 0 && i <= tail_step); i++) {
		s = i < a->max_step ? &a->steps[i] : NULL;
		memset(&tail_st, 0, sizeof(tail_st));
		if (s != NULL)
			tail_st = *s;
		if (tail != 0 && i == tail_step)
			tail_st.lost += tail;
		if (!rh_step_empty(&tail_st))
			rh_report_step(a, out, i, &tail_st);
	}
	rh_report_stream(a, out, o, tail, tail_step);
	if (o->bins)
		rh_report_bins(a, out);
}

/* ---- the sender's schedule ---- */

void
rh_pace_init(struct rh_pace *p, uint64_t interval_ns, uint64_t now)
{
	p->interval_ns = interval_ns ? interval_ns : 1;
	p->next_ns = now;
	p->slips = 0;
}

/*
 * Frames due at now (at most max); a backlog longer than max frames is given
 * up (the schedule restarts at now): after a stall the sender catches up by
 * at most max frames.
 */
unsigned int
rh_pace_due(struct rh_pace *p, uint64_t now, unsigned int max)
{
	uint64_t due;

	if (now < p->next_ns)
		return 0;
	due = (now - p->next_ns) / p->interval_ns + 1;
	if (due > max) {
		p->slips++;
		p->next_ns = now - (max - 1) * p->interval_ns;
		due = max;
	}
	return (unsigned int)due;
}

void
rh_pace_done(struct rh_pace *p, unsigned int n)
{
	p->next_ns += (uint64_t)n * p->interval_ns;
}

/* ---- commands, output ---- */

static int
rh_u64_parse(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno != 0 || end == s || *end != '\0' || s[0] == '-' ? -1 : 0;
}

static void
rh_cmd_bad(struct rh_cmd *c, const char *what, const char *arg)
{
	c->kind = RH_CMD_BAD;
	snprintf(c->err, sizeof(c->err), "%s '%.60s'", what, arg);
}

/* One argument of "report". */
static void
rh_cmd_report_arg(struct rh_cmd *c, const char *arg)
{
	uint64_t v;

	if (strncmp(arg, "sent=", 5) == 0 && rh_u64_parse(arg + 5, &v) == 0) {
		c->report.sent_known = true;
		c->report.sent = v;
	} else if (strncmp(arg, "tail=", 5) == 0 && rh_u64_parse(arg + 5, &v) == 0 &&
		   v <= RH_STEP_MAX) {
		c->report.tail_known = true;
		c->report.tail_step = (uint32_t)v;
	} else if (strcmp(arg, "bins=0") == 0 || strcmp(arg, "bins=1") == 0) {
		c->report.bins = arg[5] == '1';
	} else {
		rh_cmd_bad(c, "bad report argument", arg);
	}
}

void
rh_cmd_parse(const char *line, struct rh_cmd *c)
{
	char buf[RH_LINE_MAX], *save = NULL, *w, *arg;
	uint64_t v = 0;

	memset(c, 0, sizeof(*c));
	c->report.bins = true;
	snprintf(buf, sizeof(buf), "%s", line);
	w = strtok_r(buf, " \t\r\n", &save);
	if (w == NULL)
		return;
	if (strcmp(w, "step") == 0) {
		arg = strtok_r(NULL, " \t\r\n", &save);
		c->kind = RH_CMD_STEP;
		if (arg == NULL || rh_u64_parse(arg, &v) != 0 || v > RH_STEP_MAX)
			rh_cmd_bad(c, "bad step", arg != NULL ? arg : "");
		c->step = (uint32_t)v;
	} else if (strcmp(w, "report") == 0) {
		c->kind = RH_CMD_REPORT;
		while (c->kind != RH_CMD_BAD && (arg = strtok_r(NULL, " \t\r\n", &save)) != NULL)
			rh_cmd_report_arg(c, arg);
		return;
	} else if (strcmp(w, "status") == 0) {
		c->kind = RH_CMD_STATUS;
	} else if (strcmp(w, "stop") == 0) {
		c->kind = RH_CMD_STOP;
	} else if (strcmp(w, "start") == 0) {
		c->kind = RH_CMD_START;
	} else if (strcmp(w, "quit") == 0) {
		c->kind = RH_CMD_QUIT;
	} else {
		rh_cmd_bad(c, "unknown command", w);
		return;
	}
	arg = strtok_r(NULL, " \t\r\n", &save);
	if (arg != NULL && c->kind != RH_CMD_BAD)
		rh_cmd_bad(c, "unexpected argument", arg);
}

bool
rh_cmd_run(const char *line, const struct rh_cmd_ops *ops, void *ctx)
{
	struct rh_cmd c;

	rh_cmd_parse(line, &c);
	switch (c.kind) {
	case RH_CMD_STEP:
		if (ops->step == NULL) {
			rh_error("step: the host counts steps, not the guest");
			break;
		}
		ops->step(ctx, c.step);
		ops->status(ctx, "step");
		break;
	case RH_CMD_STATUS:
		ops->status(ctx, "status");
		break;
	case RH_CMD_REPORT:
		ops->report(ctx, &c);
		break;
	case RH_CMD_STOP:
	case RH_CMD_START:
		ops->sending(ctx, c.kind == RH_CMD_START);
		break;
	case RH_CMD_QUIT:
		return false;
	case RH_CMD_BAD:
		rh_error("%s", c.err);
		break;
	case RH_CMD_NONE:
		break;
	}
	return true;
}

/* "@@fo <kind> <json>": one line, written at once. */
void
rh_out(FILE *out, const char *kind, const char *fmt, ...)
{
	char line[RH_RLE_LINE + 256];
	va_list ap;
	int n;

	n = snprintf(line, sizeof(line), "@@fo %s ", kind);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	fprintf(out, "%s\n", line);
	fflush(out);
}

/* @@fo error {"msg":"..."}; the message must not hold quotes or backslashes. */
void
rh_error(const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	char *c;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (c = msg; *c != '\0'; c++)
		if (*c == '"' || *c == '\\' || (unsigned char)*c < 0x20)
			*c = '\'';
	rh_out(stdout, "error", "{\"msg\":\"%s\"}", msg);
}

/* Read what fd has into the buffer: >0 bytes, 0 at end of input, -1 (errno). */
int
rh_lines_fill(struct rh_lines *l, int fd)
{
	ssize_t n;

	if (l->skip != 0) {
		memmove(l->buf, l->buf + l->skip, l->len - l->skip);
		l->len -= l->skip;
		l->skip = 0;
	}
	if (l->len == sizeof(l->buf) - 1)
		l->len = 0;                 /* a line too long: dropped */
	n = read(fd, l->buf + l->len, sizeof(l->buf) - 1 - l->len);
	if (n == 0)
		l->eof = true;
	if (n <= 0)
		return n == 0 ? 0 : -1;
	l->len += n;
	return (int)n;
}

char *
rh_lines_next(struct rh_lines *l)
{
	char *start = l->buf + l->skip, *nl;
	size_t avail = l->len - l->skip;

	if (avail == 0)
		return NULL;
	nl = memchr(start, '\n', avail);
	if (nl != NULL) {
		*nl = '\0';
		l->skip += nl - start + 1;
		return start;
	}
	if (!l->eof)
		return NULL;
	l->buf[l->len] = '\0';             /* the last line, without '\n' */
	l->skip = l->len;
	return start;
}

void
rh_out_status(FILE *out, const char *kind, uint32_t step, uint64_t a_next, uint64_t b_next)
{
	rh_out(out, kind, "{\"step\":%u,\"us\":%" PRIu64 ",\"a_next_seq\":%" PRIu64
	       ",\"b_next_seq\":%" PRIu64 "}", step, rh_now_ns() / 1000, a_next, b_next);
}

void
rh_out_sending(FILE *out, bool started, uint8_t dir, uint64_t next_seq)
{
	rh_out(out, started ? "started" : "stopped", "{\"dir\":\"%c\",\"next_seq\":%" PRIu64 "}",
	       dir, next_seq);
}
