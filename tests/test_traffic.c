/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Traffic engine suite (app/failover-rehearsal/rh_traffic.c, no EAL): the
 * frame layout, every attribution rule of the stream accountant on
 * synthetic streams (loss, tail, reordering, duplicates, gaps on either
 * clock, foreign and late frames), the bins and their encoding, the
 * report lines, the sender's schedule and the command parser.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ft_test.h"
#include "rh_traffic.h"

#define MS 1000000ull

static const uint8_t mac_a[6] = { 0x52, 0x54, 0x00, 0xfa, 0x11, 0x10 };
static const uint8_t mac_b[6] = { 0x02, 0xfa, 0x11, 0x00, 0x00, 0x99 };
static struct rh_acct tacct;

static struct rh_tag
tag_of(uint8_t dir, uint32_t step, uint64_t seq, uint64_t ts)
{
	return (struct rh_tag){ .run = 7, .dir = dir, .step = step, .seq = seq, .ts_ns = ts };
}

/* Feed one B frame: step and clock from the tag. */
static enum rh_verdict
feed_b(uint32_t step, uint64_t seq, uint64_t ts, enum rh_path p)
{
	struct rh_tag t = tag_of(RH_DIR_B, step, seq, ts);

	return rh_acct_feed(&tacct, &t, p, 0, step);
}

/* Feed one A frame received at rx in the host's step. */
static enum rh_verdict
feed_a(uint32_t step, uint64_t seq, uint64_t rx, enum rh_path p)
{
	struct rh_tag t = tag_of(RH_DIR_A, 0, seq, 0);

	return rh_acct_feed(&tacct, &t, p, rx, step);
}

static const struct rh_step_stats *
st(uint32_t step)
{
	static const struct rh_step_stats zero;
	const struct rh_step_stats *s = rh_acct_step(&tacct, step);

	return s != NULL ? s : &zero;
}

static int
acct_b_setup(void)
{
	return rh_acct_init(&tacct, RH_DIR_B, RH_CLOCK_TAG, true, 0) == 0 ? 0 : -1;
}

static int
acct_a_setup(void)
{
	return rh_acct_init(&tacct, RH_DIR_A, RH_CLOCK_RX, true, 0) == 0 ? 0 : -1;
}

static void
acct_teardown(void)
{
	rh_acct_free(&tacct);
}

static int
test_frame_layout(void)
{
	struct rh_tag t = tag_of(RH_DIR_B, 0x01020304, 0x1122334455667788ull,
				 0xa0b0c0d0e0f00010ull);
	struct rh_tag d;
	uint8_t f[64];

	TEST_ASSERT_EQUAL(rh_frame_encode(f, 59, mac_a, mac_b, &t), 0, "short buffer");
	TEST_ASSERT_EQUAL(rh_frame_encode(f, sizeof(f), mac_a, mac_b, &t), RH_FRAME_LEN, "");
	TEST_ASSERT(memcmp(f, mac_a, 6) == 0 && memcmp(rh_frame_src(f), mac_b, 6) == 0, "MACs");
	TEST_ASSERT(f[12] == 0x88 && f[13] == 0xb5, "ethertype");
	TEST_ASSERT(f[14] == 0x52 && f[17] == 0x46, "magic big-endian");
	TEST_ASSERT_EQUAL(f[22], 'B', "direction at 22");
	TEST_ASSERT(f[26] == 1 && f[29] == 4, "step at 26 (nft @ll,208,32)");
	TEST_ASSERT(f[30] == 0x11 && f[37] == 0x88, "seq at 30, low byte at 37 (@ll,296,8)");
	TEST_ASSERT(f[38] == 0xa0 && f[45] == 0x10, "timestamp at 38");
	TEST_ASSERT_SUCCESS(rh_frame_decode(f, RH_FRAME_LEN, &d), "decode");
	TEST_ASSERT(d.run == 7 && d.dir == 'B' && d.step == t.step && d.seq == t.seq &&
		    d.ts_ns == t.ts_ns, "round trip");
	TEST_ASSERT_FAIL(rh_frame_decode(f, RH_HDR_LEN + RH_TAG_LEN - 1, &d), "short frame");
	f[13] = 0xb6;
	TEST_ASSERT_FAIL(rh_frame_decode(f, RH_FRAME_LEN, &d), "other ethertype");
	f[13] = 0xb5;
	f[15] ^= 1;
	TEST_ASSERT_FAIL(rh_frame_decode(f, RH_FRAME_LEN, &d), "bad magic");
	f[15] ^= 1;
	f[22] = 'C';
	TEST_ASSERT_FAIL(rh_frame_decode(f, RH_FRAME_LEN, &d), "bad direction");
	return TEST_SUCCESS;
}

static int
test_in_order(void)
{
	uint64_t s;

	for (s = 0; s < 100; s++)
		TEST_ASSERT_EQUAL(feed_b(s < 40 ? 0 : 1, s, 1000 * MS + s * 200000,
					 s < 70 ? RH_PATH_VF : RH_PATH_VIRTIO), RH_NEW,
				  "seq %" PRIu64, s);
	TEST_ASSERT_EQUAL(st(0)->rx, 40, "");
	TEST_ASSERT_EQUAL(st(1)->rx, 60, "");
	TEST_ASSERT_EQUAL(st(1)->path[RH_PATH_VF], 30, "");
	TEST_ASSERT_EQUAL(st(1)->path[RH_PATH_VIRTIO], 30, "");
	TEST_ASSERT(st(0)->lost + st(1)->lost + st(0)->dup + st(1)->reord == 0, "clean");
	TEST_ASSERT_EQUAL(st(1)->gap_ns, 200000, "regular gaps");
	TEST_ASSERT_EQUAL(st(0)->first_ns, 1000 * MS, "");
	TEST_ASSERT_EQUAL(rh_acct_next_seq(&tacct), 100, "");
	return TEST_SUCCESS;
}

/* Holes go to the step of their successor, the tail to the step given. */
static int
test_loss_attribution(void)
{
	struct rh_report_opts o = { .sent_known = true, .sent = 30 };
	char buf[4096];
	FILE *f;

	feed_b(0, 0, 1 * MS, RH_PATH_VF);
	feed_b(0, 1, 2 * MS, RH_PATH_VF);
	/* 2, 3 lost; 4 arrives in step 0 */
	feed_b(0, 4, 5 * MS, RH_PATH_VF);
	/* 5 (step 0) lost, its successor 6 is of step 1 */
	feed_b(1, 6, 7 * MS, RH_PATH_VF);
	feed_b(1, 7, 8 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(0)->lost, 2, "");
	TEST_ASSERT_EQUAL(st(1)->lost, 1, "lost 5 charged to the step of 6");
	TEST_ASSERT_EQUAL(st(0)->rx + st(1)->rx, 5, "");
	f = fmemopen(buf, sizeof(buf), "w");
	o.tail_known = true;
	o.tail_step = 2;
	rh_acct_report(&tacct, f, &o);
	fclose(f);
	TEST_ASSERT(strstr(buf, "@@fo stats {\"dir\":\"B\",\"step\":2,\"rx\":0,\"lost\":22,") !=
		    NULL, "tail of 22 (8..29) in step 2:\n%s", buf);
	TEST_ASSERT(strstr(buf, "\"rx\":5,\"lost\":25,\"tail\":22,\"sent\":30,") != NULL,
		    "stream line:\n%s", buf);
	return TEST_SUCCESS;
}

/* Counting starts at the first frame received; earlier seqs are no holes. */
static int
test_first_seq(void)
{
	feed_b(3, 1000, 10 * MS, RH_PATH_VF);
	feed_b(3, 1001, 11 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(3)->lost, 0, "");
	TEST_ASSERT_EQUAL(feed_b(3, 999, 9 * MS, RH_PATH_VF), RH_REORD, "older than the first");
	TEST_ASSERT_EQUAL(st(3)->lost, 0, "");
	TEST_ASSERT_EQUAL(st(3)->rx, 3, "");
	TEST_ASSERT_EQUAL(st(3)->reord, 1, "");
	return TEST_SUCCESS;
}

/* A late frame fills its hole: the loss is taken back where it was charged. */
static int
test_reorder(void)
{
	feed_b(1, 10, 10 * MS, RH_PATH_VF);
	feed_b(1, 12, 12 * MS, RH_PATH_VF);     /* 11 lost, step 1 */
	feed_b(2, 13, 13 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(1)->lost, 1, "");
	TEST_ASSERT_EQUAL(feed_b(1, 11, 11 * MS, RH_PATH_VIRTIO), RH_REORD, "");
	TEST_ASSERT_EQUAL(st(1)->lost, 0, "hole filled");
	TEST_ASSERT_EQUAL(st(1)->reord, 1, "");
	TEST_ASSERT_EQUAL(st(1)->rx, 3, "");
	TEST_ASSERT_EQUAL(st(1)->path[RH_PATH_VIRTIO], 1, "");
	/* a hole charged to step 2 filled by a frame attributed to step 1 */
	feed_b(2, 16, 16 * MS, RH_PATH_VF);     /* 14, 15 lost in step 2 */
	TEST_ASSERT_EQUAL(st(2)->lost, 2, "");
	feed_b(1, 15, 15 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(2)->lost, 1, "");
	TEST_ASSERT_EQUAL(st(1)->reord, 2, "");
	TEST_ASSERT_EQUAL(feed_b(1, 15, 15 * MS, RH_PATH_VF), RH_DUP, "a reordered dup is a dup");
	TEST_ASSERT_EQUAL(st(1)->reord, 2, "");
	TEST_ASSERT_EQUAL(st(1)->dup, 1, "");
	return TEST_SUCCESS;
}

static int
test_duplicates(void)
{
	feed_b(0, 0, 1 * MS, RH_PATH_VF);
	feed_b(0, 1, 2 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(feed_b(0, 1, 2 * MS, RH_PATH_VF), RH_DUP, "same path");
	TEST_ASSERT_EQUAL(feed_b(0, 1, 2 * MS, RH_PATH_VIRTIO), RH_DUP, "other path");
	TEST_ASSERT_EQUAL(feed_b(0, 1, 2 * MS, RH_PATH_VIRTIO), RH_DUP, "again");
	TEST_ASSERT_EQUAL(st(0)->rx, 2, "");
	TEST_ASSERT_EQUAL(st(0)->dup, 3, "copies after the first");
	TEST_ASSERT_EQUAL(st(0)->path[RH_PATH_VF], 2, "");
	TEST_ASSERT_EQUAL(st(0)->path[RH_PATH_VIRTIO], 1, "first copy by virtio counts there");
	TEST_ASSERT_EQUAL(st(0)->lost + st(0)->reord, 0, "");
	return TEST_SUCCESS;
}

/* Direction A: the host's receive clock and the host's step. */
static int
test_gap_rx_clock(void)
{
	feed_a(1, 0, 100 * MS, RH_PATH_VF);
	feed_a(1, 1, 101 * MS, RH_PATH_VF);
	feed_a(2, 2, 131 * MS, RH_PATH_VIRTIO);     /* 30 ms: step 2 */
	feed_a(2, 3, 132 * MS, RH_PATH_VIRTIO);
	feed_a(2, 4, 140 * MS, RH_PATH_VIRTIO);
	TEST_ASSERT_EQUAL(st(1)->gap_ns, 1 * MS, "");
	TEST_ASSERT_EQUAL(st(2)->gap_ns, 30 * MS, "the later frame's step");
	TEST_ASSERT_EQUAL(st(2)->gap_end_ns, 131 * MS, "");
	feed_a(2, 4, 190 * MS, RH_PATH_VIRTIO);     /* a dup ends no gap */
	feed_a(2, 5, 200 * MS, RH_PATH_VIRTIO);
	TEST_ASSERT_EQUAL(st(2)->gap_ns, 60 * MS, "");
	TEST_ASSERT_EQUAL(st(2)->first_ns, 131 * MS, "");
	TEST_ASSERT_EQUAL(st(2)->last_ns, 200 * MS, "");
	return TEST_SUCCESS;
}

/* Direction B: tag times; an older frame ends no gap. */
static int
test_gap_tag_clock(void)
{
	feed_b(0, 0, 10 * MS, RH_PATH_VF);
	feed_b(0, 2, 12 * MS, RH_PATH_VF);
	feed_b(0, 1, 11 * MS, RH_PATH_VF);          /* reordered: no negative gap */
	feed_b(0, 3, 13 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(0)->gap_ns, 2 * MS, "12 - 10");
	feed_b(1, 4, 20 * MS, RH_PATH_VIRTIO);
	TEST_ASSERT_EQUAL(st(1)->gap_ns, 7 * MS, "");
	TEST_ASSERT_EQUAL(st(1)->gap_end_ns, 20 * MS, "");
	return TEST_SUCCESS;
}

static int
test_foreign_and_late(void)
{
	struct rh_tag t = tag_of(RH_DIR_B, 0, 5, 1 * MS);

	feed_b(0, 5, 1 * MS, RH_PATH_VF);
	t.run = 8;
	TEST_ASSERT_EQUAL(rh_acct_feed(&tacct, &t, RH_PATH_VF, 0, 0), RH_FOREIGN, "other run");
	t = tag_of(RH_DIR_A, 0, 6, 1 * MS);
	TEST_ASSERT_EQUAL(rh_acct_feed(&tacct, &t, RH_PATH_VF, 0, 0), RH_FOREIGN, "other dir");
	TEST_ASSERT_EQUAL(tacct.foreign, 2, "");
	feed_b(0, 5 + RH_WINDOW + 10, 2 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(st(0)->lost, RH_WINDOW + 9, "a jump larger than the window");
	TEST_ASSERT_EQUAL(feed_b(0, 6, 1 * MS, RH_PATH_VF), RH_LATE, "");
	TEST_ASSERT_EQUAL(feed_b(0, 5 + RH_WINDOW + 9, 2 * MS, RH_PATH_VF), RH_REORD, "");
	TEST_ASSERT_EQUAL(st(0)->lost, RH_WINDOW + 8, "");
	TEST_ASSERT_EQUAL(tacct.late, 1, "");
	return TEST_SUCCESS;
}

static int
test_fixed_run(void)
{
	struct rh_tag t = tag_of(RH_DIR_B, 0, 0, 1 * MS);

	rh_acct_fix_run(&tacct, 9);
	TEST_ASSERT_EQUAL(rh_acct_feed(&tacct, &t, RH_PATH_VF, 0, 0), RH_FOREIGN, "");
	t.run = 9;
	TEST_ASSERT_EQUAL(rh_acct_feed(&tacct, &t, RH_PATH_VF, 0, 0), RH_NEW, "");
	return TEST_SUCCESS;
}

/* Decoder of the "rle" strings, as in rh_traffic.h. */
static int
rle_decode(const char *s, uint16_t *out, unsigned int max)
{
	unsigned int n = 0, r;
	unsigned long v;
	char *end;

	while (*s != '\0') {
		if (*s == '(' || *s == '{') {
			v = strtoul(s + 1, &end, 36);
			if (*end != (*s == '(' ? ')' : '}'))
				return -1;
			if (*s == '(') {
				if (n == max)
					return -1;
				out[n++] = v;
			} else {
				for (r = 0; r < v; r++, n++)
					if (n == 0 || n == max)
						return -1;
					else
						out[n] = out[n - 1];
			}
			s = end + 1;
		} else {
			if (n == max)
				return -1;
			out[n++] = (uint16_t)strtoul((char[]){ *s, '\0' }, NULL, 36);
			s++;
		}
	}
	return (int)n;
}

static int
test_rle(void)
{
	uint16_t v[200], d[200];
	char buf[256], small[8];
	uint32_t used, i;
	size_t n;

	for (i = 0; i < 200; i++)
		v[i] = i < 50 ? 0 : i < 53 ? 5 : i < 60 ? 40 : i < 100 ? 35 : (uint16_t)(i % 3);
	n = rh_rle_encode(v, 200, buf, sizeof(buf), &used);
	TEST_ASSERT_EQUAL(used, 200, "");
	TEST_ASSERT(strncmp(buf, "0{1d}555(14){6}z{13}", 20) == 0, "encoding: %s", buf);
	TEST_ASSERT_EQUAL(rle_decode(buf, d, 200), 200, "%s", buf);
	TEST_ASSERT(memcmp(v, d, sizeof(v)) == 0, "round trip");
	TEST_ASSERT_EQUAL(n, strlen(buf), "");
	rh_rle_encode(v + 100, 100, small, sizeof(small), &used);
	TEST_ASSERT(used > 0 && used < 100 && strlen(small) < sizeof(small), "stops when full");
	TEST_ASSERT_EQUAL(rle_decode(small, d, 200), used, "");
	return TEST_SUCCESS;
}

/* Bins: per path, per ms of the clock, earlier ms after later ones too. */
static int
test_bins_report(void)
{
	struct rh_report_opts o = { .bins = true };
	uint16_t d[1100];
	char buf[16384], *l, *rle, *save = NULL;
	uint64_t s, ms, total = 0;
	int n;
	FILE *f;

	for (s = 0; s < 3000; s++)
		feed_b(1, s, 5000 * MS + s * 500000, s < 2000 ? RH_PATH_VF : RH_PATH_VIRTIO);
	feed_b(1, 3001, 4000 * MS, RH_PATH_VIRTIO);         /* earlier ms: bins shift */
	f = fmemopen(buf, sizeof(buf), "w");
	rh_acct_report(&tacct, f, &o);
	fclose(f);
	for (l = strtok_r(buf, "\n", &save); l != NULL; l = strtok_r(NULL, "\n", &save)) {
		TEST_ASSERT(strncmp(l, "@@fo ", 5) == 0 && strlen(l) < 1100, "line: %.80s", l);
		if (strncmp(l, "@@fo bins ", 10) != 0)
			continue;
		TEST_ASSERT(sscanf(strstr(l, "\"ms\":"), "\"ms\":%" SCNu64, &ms) == 1, "%s", l);
		rle = strstr(l, "\"rle\":\"") + 7;
		*strchr(rle, '"') = '\0';
		n = rle_decode(rle, d, 1100);
		TEST_ASSERT(n > 0, "bad rle %s", rle);
		while (n-- > 0)
			total += d[n];
		TEST_ASSERT(ms >= 4000 - 1024 && ms < 6500, "bins from ms %" PRIu64, ms);
	}
	TEST_ASSERT_EQUAL(total, 3001, "every frame in a bin");
	TEST_ASSERT_EQUAL(tacct.bins.cnt[RH_PATH_VF][5000 - tacct.bins.base_ms], 2, "2 per ms");
	TEST_ASSERT_EQUAL(tacct.bins.cnt[RH_PATH_VIRTIO][4000 - tacct.bins.base_ms], 1, "");
	return TEST_SUCCESS;
}

static int
test_snapshot(void)
{
	struct rh_acct snap = { 0 };
	uint64_t s;

	for (s = 0; s < 50; s++)
		feed_b((uint32_t)(s / 10), s * 2, 10 * MS + s * MS, RH_PATH_VF);
	TEST_ASSERT_SUCCESS(rh_acct_snapshot(&snap, &tacct), "");
	feed_b(9, 1000, 100 * MS, RH_PATH_VF);
	TEST_ASSERT_EQUAL(rh_acct_next_seq(&snap), 99, "");
	TEST_ASSERT_EQUAL(rh_acct_step(&snap, 4)->rx, 10, "");
	TEST_ASSERT_EQUAL(rh_acct_step(&snap, 4)->lost, 10, "");
	TEST_ASSERT_NULL(rh_acct_step(&snap, 9), "later frames not in the copy");
	TEST_ASSERT_EQUAL(snap.bins.cnt[RH_PATH_VF][10 - snap.bins.base_ms], 1, "");
	TEST_ASSERT_SUCCESS(rh_acct_snapshot(&snap, &tacct), "again");
	TEST_ASSERT_EQUAL(rh_acct_step(&snap, 9)->lost, 901, "");
	rh_acct_free(&snap);
	return TEST_SUCCESS;
}

static int
test_pace(void)
{
	struct rh_pace p;

	rh_pace_init(&p, 200000, 1000 * MS);
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1000 * MS, 32), 1, "the first at once");
	rh_pace_done(&p, 1);
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1000 * MS + 100000, 32), 0, "");
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1000 * MS + 600000, 32), 3, "");
	rh_pace_done(&p, 2);                /* one refused: still due */
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1000 * MS + 600000, 32), 1, "");
	rh_pace_done(&p, 1);
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1100 * MS, 32), 32, "a stall: 32 at most");
	TEST_ASSERT_EQUAL(p.slips, 1, "");
	rh_pace_done(&p, 32);
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1100 * MS, 32), 0, "backlog given up");
	TEST_ASSERT_EQUAL(rh_pace_due(&p, 1100 * MS + 200000, 32), 1, "");
	return TEST_SUCCESS;
}

static int
test_commands(void)
{
	struct rh_cmd c;

	rh_cmd_parse("step 12\n", &c);
	TEST_ASSERT(c.kind == RH_CMD_STEP && c.step == 12, "");
	rh_cmd_parse("step x", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_BAD, "");
	rh_cmd_parse("step", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_BAD, "");
	rh_cmd_parse("report", &c);
	TEST_ASSERT(c.kind == RH_CMD_REPORT && !c.report.sent_known && c.report.bins, "");
	rh_cmd_parse("report sent=123 tail=4 bins=0", &c);
	TEST_ASSERT(c.kind == RH_CMD_REPORT && c.report.sent_known && c.report.sent == 123 &&
		    c.report.tail_known && c.report.tail_step == 4 && !c.report.bins, "");
	rh_cmd_parse("report sent=-1", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_BAD, "");
	rh_cmd_parse("  quit  ", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_QUIT, "");
	rh_cmd_parse("stop now", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_BAD, "");
	rh_cmd_parse("", &c);
	TEST_ASSERT_EQUAL(c.kind, RH_CMD_NONE, "");
	rh_cmd_parse("dance", &c);
	TEST_ASSERT(c.kind == RH_CMD_BAD && strstr(c.err, "dance") != NULL, "");
	return TEST_SUCCESS;
}

/* What rh_cmd_run() called: one letter per op, the last status kind, the step. */
struct cmd_log {
	char calls[16];
	const char *kind;
	uint32_t step;
};

static void
cmd_log_add(struct cmd_log *l, char op)
{
	size_t n = strlen(l->calls);

	if (n + 1 < sizeof(l->calls))
		l->calls[n] = op;
}

static void
cmd_report(void *ctx, const struct rh_cmd *c)
{
	RTE_SET_USED(c);
	cmd_log_add(ctx, 'r');
}

static void
cmd_status(void *ctx, const char *kind)
{
	((struct cmd_log *)ctx)->kind = kind;
	cmd_log_add(ctx, 's');
}

static void
cmd_step(void *ctx, uint32_t step)
{
	((struct cmd_log *)ctx)->step = step;
	cmd_log_add(ctx, 't');
}

static void
cmd_sending(void *ctx, bool start)
{
	cmd_log_add(ctx, start ? '+' : '-');
}

/* One line through rh_cmd_run(): its result and the ops it called. */
static bool
cmd_run(const char *line, const struct rh_cmd_ops *ops, struct cmd_log *l)
{
	memset(l, 0, sizeof(*l));
	return rh_cmd_run(line, ops, l);
}

static int
test_command_run(void)
{
	const struct rh_cmd_ops host = {
		.report = cmd_report, .status = cmd_status, .step = cmd_step,
		.sending = cmd_sending,
	};
	struct rh_cmd_ops guest = host;
	struct cmd_log l;

	guest.step = NULL;
	TEST_ASSERT(cmd_run("step 7", &host, &l), "step quits");
	TEST_ASSERT(strcmp(l.calls, "ts") == 0 && l.step == 7 && strcmp(l.kind, "step") == 0,
		    "step: calls '%s', step %u, kind %s", l.calls, l.step, l.kind);
	TEST_ASSERT(cmd_run("step 7", &guest, &l) && l.calls[0] == '\0',
		    "a guest's step called '%s'", l.calls);
	TEST_ASSERT(cmd_run("status", &host, &l), "");
	TEST_ASSERT(strcmp(l.calls, "s") == 0 && strcmp(l.kind, "status") == 0,
		    "status: calls '%s'", l.calls);
	TEST_ASSERT(cmd_run("start", &guest, &l) && strcmp(l.calls, "+") == 0, "start");
	TEST_ASSERT(cmd_run("stop", &guest, &l) && strcmp(l.calls, "-") == 0, "stop");
	TEST_ASSERT(cmd_run("report sent=3", &guest, &l) && strcmp(l.calls, "r") == 0, "report");
	TEST_ASSERT(cmd_run("dance", &host, &l) && l.calls[0] == '\0', "a bad line called ops");
	TEST_ASSERT(cmd_run("", &host, &l) && l.calls[0] == '\0', "an empty line called ops");
	TEST_ASSERT(!cmd_run("quit", &host, &l) && l.calls[0] == '\0', "quit did not quit");
	return TEST_SUCCESS;
}

static int
test_lines(void)
{
	struct rh_lines l = { .len = 0 };
	int fds[2];
	char *s;

	TEST_ASSERT_SUCCESS(pipe(fds), "");
	TEST_ASSERT_EQUAL(write(fds[1], "step 1\nrep", 10), 10, "");
	TEST_ASSERT_EQUAL(rh_lines_fill(&l, fds[0]), 10, "");
	s = rh_lines_next(&l);
	TEST_ASSERT(s != NULL && strcmp(s, "step 1") == 0, "");
	TEST_ASSERT_NULL(rh_lines_next(&l), "partial line");
	TEST_ASSERT_EQUAL(write(fds[1], "ort\nquit", 8), 8, "");
	close(fds[1]);
	rh_lines_fill(&l, fds[0]);
	s = rh_lines_next(&l);
	TEST_ASSERT(s != NULL && strcmp(s, "report") == 0, "");
	TEST_ASSERT_NULL(rh_lines_next(&l), "");
	TEST_ASSERT_EQUAL(rh_lines_fill(&l, fds[0]), 0, "end of input");
	s = rh_lines_next(&l);
	TEST_ASSERT(s != NULL && strcmp(s, "quit") == 0, "last line without newline");
	TEST_ASSERT_NULL(rh_lines_next(&l), "");
	close(fds[0]);
	return TEST_SUCCESS;
}

static int
test_mac_path(void)
{
	uint8_t m[6];
	char buf[20];
	enum rh_path p;

	TEST_ASSERT_SUCCESS(rh_mac_parse("52:54:00:FA:11:10", m), "");
	rh_mac_format(m, buf, sizeof(buf));
	TEST_ASSERT(strcmp(buf, "52:54:00:fa:11:10") == 0, "%s", buf);
	TEST_ASSERT_FAIL(rh_mac_parse("52:54:00:fa:11", m), "");
	TEST_ASSERT_FAIL(rh_mac_parse("52:54:00:fa:11:10x", m), "");
	TEST_ASSERT(rh_path_parse("virtio", &p) == 0 && p == RH_PATH_VIRTIO, "");
	TEST_ASSERT_FAIL(rh_path_parse("vfx", &p), "");
	return TEST_SUCCESS;
}

static struct unit_test_suite traffic_suite = {
	.suite_name = "traffic engine",
	.no_eal = true,
	.unit_test_cases = {
		TEST_CASE(test_frame_layout),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_in_order),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_loss_attribution),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_first_seq),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_reorder),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_duplicates),
		TEST_CASE_ST(acct_a_setup, acct_teardown, test_gap_rx_clock),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_gap_tag_clock),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_foreign_and_late),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_fixed_run),
		TEST_CASE(test_rle),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_bins_report),
		TEST_CASE_ST(acct_b_setup, acct_teardown, test_snapshot),
		TEST_CASE(test_pace),
		TEST_CASE(test_commands),
		TEST_CASE(test_command_run),
		TEST_CASE(test_lines),
		TEST_CASE(test_mac_path),
		TEST_CASES_END(),
	},
};

FT_MAIN(traffic_suite)
