/* SPDX-License-Identifier: BSD-3-Clause */

#ifndef RH_TRAFFIC_H
#define RH_TRAFFIC_H

/*
 * The traffic engine of the failover rehearsals: frames, a receiver-side
 * stream accountant, and the "@@fo" report lines. Plain C11 + POSIX (no
 * DPDK header): it is built into dpdk-failover-rehearsal and into the
 * static failover-rehearsal-peer alike. Not thread-safe: one thread feeds
 * an accountant; another thread reads a copy (rh_acct_snapshot()).
 *
 * Frame
 * -----
 * Ethernet header (dst, src, ethertype 0x88b5) then the tag, every field
 * big-endian, padded with zeros to 60 bytes (the minimum frame, no FCS):
 *
 *   offset  size  field
 *   14      4     magic 0x52484f46 ("RHOF")
 *   18      4     run id of the sender (frames of another run are foreign)
 *   22      1     direction: 'A' (guest to host) or 'B' (host to guest)
 *   23      1     version (1)
 *   24      2     zero
 *   26      4     step: the host's step when a B frame was sent; in A
 *                 frames the last step the guest saw in B (informational)
 *   30      8     seq: 0, 1, 2... per sender, consumed only by frames the
 *                 sending port accepted
 *   38      8     the sender's CLOCK_MONOTONIC at sending, ns
 *
 * (nft: step is @ll,208,32, the low byte of seq @ll,296,8.)
 *
 * Accounting (one accountant per direction, at the receiver)
 * ----------------------------------------------------------
 * rh_acct_feed() takes a decoded tag, the path it came by (vf, virtio,
 * other), a receive time, and the step to attribute it to. The clock of a
 * direction is the host's, so that every number of both directions is in
 * host time:
 *
 *   direction A (counted at the host, RH_CLOCK_RX): step = the host's
 *     current step at receive time; gaps and bins use the host's receive
 *     time.
 *   direction B (counted in the guest, RH_CLOCK_TAG): step = the step in
 *     the tag (the host's step when it sent the frame); gaps and bins use
 *     the tag's send time (the host's clock), so the guest's clock is never
 *     used.
 *
 * The stream locks onto the run id of the first frame fed (or the one given
 * to rh_acct_init()); frames of other runs or the other direction count as
 * "foreign" and nothing else. Frames with a seq below the first one
 * received are counted normally, but seqs before it are never holes:
 * counting starts at the first frame received ("first_seq").
 *
 * Per step:
 *   rx      unique frames (first copies) attributed to the step.
 *   lost    holes in seq: when a frame arrives with seq above the highest
 *           seen so far, every seq in between is lost in the step of that
 *           frame (its successor). A hole that is filled later (a reordered
 *           frame) is taken back from the step it was charged to. With the
 *           sender's total (rh_report_opts.sent), the seqs after the
 *           highest received are lost as a "tail", charged to
 *           rh_report_opts.tail_step.
 *   dup     copies after the first, whatever their path.
 *   reord   unique frames with seq below the highest seen before them.
 *   gap     the longest time between two consecutive unique frames, the
 *           later one's step (with RH_CLOCK_TAG: the tag time minus the
 *           highest tag time seen before, when positive), and when it ended.
 *   paths   per path, frames delivered by that path (a frame delivered by
 *           both paths counts in both; a second copy by the same path in
 *           neither): for a step without dups, vf + virtio + other = rx.
 * Per stream: late = frames older than the highest seq minus RH_WINDOW
 * (state forgotten: counted in nothing else).
 * Bins: per path, unique deliveries per ms of the direction's clock
 * (absolute ms of CLOCK_MONOTONIC of the host), as the path counts.
 *
 * Report lines (stdout; one JSON object per line after "@@fo <kind> ")
 * ----------------------------------------------------------------------
 *   @@fo ready {"mode":"far-end","run":7,"mac":"02:fa:11:00:00:99",...}
 *   @@fo stats {"dir":"A","step":2,"rx":4990,"lost":8,"dup":0,"reord":0,
 *       "gap_us":1240,"gap_end_us":91234567,"first_us":90234000,
 *       "last_us":91233800,"vf":4990,"virtio":0,"other":0}
 *       one per step that saw anything; *_us: absolute µs of the clock.
 *   @@fo stream {"dir":"A","run":7,"first_seq":0,"next_seq":25000,
 *       "rx":24990,"lost":10,"tail":0,"sent":25000,"dup":0,"reord":0,
 *       "late":0,"foreign":0,"tail_step":5}
 *       "sent" is null when not given, then "tail" is 0.
 *   @@fo bins {"dir":"A","path":"vf","ms":91234,"n":1000,"rle":"5{rr}4"}
 *       frames per ms from absolute ms "ms" for "n" ms; chunks with no
 *       frame are left out (zero). "rle" is a sequence of items:
 *         [0-9a-z]   one ms with that many frames (base 36: 0-35)
 *         (v)        one ms with v frames, v in base 36 (for v >= 36)
 *         {n}        the previous ms's value n more times (n base 36)
 *       Python: bins_decode() in tests/traffic_lib.py.
 *   @@fo sent {"dir":"B","step":2,"first_seq":5000,"frames":5000}
 *       (host: frames sent per step)
 *   @@fo tx {"dir":"B","run":7,"frames":25000,"refused":0,"slips":0,
 *       "interval_us":200}
 *   @@fo step {"step":2,"us":91234000,"a_next_seq":10000,"b_next_seq":10000}
 *       (host: acknowledges "step N")
 *   @@fo status {"step":2,"us":91234000,"a_next_seq":10000,"b_next_seq":10000}
 *       (a_next_seq: the next A seq expected at the host, or to be sent by
 *       the guest; b_next_seq likewise)
 *   @@fo event {"us":91234000,"what":"sniff-open","if":"tap1","path":"vf"}
 *   @@fo error {"msg":"..."}
 *   @@fo end {"what":"report"}   (last line of a report)
 *
 * Commands (stdin, one per line)
 * ------------------------------
 *   step N                  (host) the step of B frames sent from now, and
 *                           of A frames received from now
 *   report [sent=N] [tail=S] [bins=0|1]
 *                           print the report; N: the peer's total sent
 *                           (from its "@@fo tx"), S: the step charged with
 *                           the tail (default: the host's current step at
 *                           the host, the step of the highest seq received
 *                           in the guest)
 *   status                  one "@@fo status" line: where both streams are
 *   stop / start            stop / resume sending (acknowledged by
 *                           "@@fo stopped" / "@@fo started")
 *   quit                    (also end of input)
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define RH_ETHERTYPE 0x88b5
#define RH_MAGIC 0x52484f46u
#define RH_VERSION 1
#define RH_HDR_LEN 14
#define RH_TAG_LEN 32
#define RH_FRAME_LEN 60
#define RH_STEP_MAX ((1u << 20) - 1)   /* larger steps count as this one */
#define RH_WINDOW (1u << 20)            /* seqs whose state is kept */
#define RH_BINS_MAX_MS (1u << 23)       /* span of the bins, about 2.3 h */
#define RH_LINE_MAX 512

enum rh_dir { RH_DIR_A = 'A', RH_DIR_B = 'B' };

enum rh_path { RH_PATH_VF, RH_PATH_VIRTIO, RH_PATH_OTHER, RH_PATH_NB };

enum rh_clock { RH_CLOCK_RX, RH_CLOCK_TAG };

/* What rh_acct_feed() made of a frame. */
enum rh_verdict { RH_NEW, RH_REORD, RH_DUP, RH_LATE, RH_FOREIGN };

struct rh_tag {
	uint32_t run;
	uint8_t dir;
	uint32_t step;
	uint64_t seq;
	uint64_t ts_ns;
};

struct rh_step_stats {
	uint64_t rx, lost, dup, reord;
	uint64_t path[RH_PATH_NB];
	uint64_t gap_ns, gap_end_ns, first_ns, last_ns;
};

struct rh_bins {
	uint64_t base_ms;
	uint32_t len;                   /* ms allocated from base_ms */
	uint16_t *cnt[RH_PATH_NB];      /* NULL: no bins */
	uint64_t dropped;               /* deliveries outside RH_BINS_MAX_MS */
};

struct rh_acct {
	uint8_t dir;
	enum rh_clock clock;
	bool bins_on;
	bool started;
	bool run_fixed;
	uint32_t run;
	uint64_t first_seq;
	uint64_t high;                  /* highest seq seen (when started) */
	uint32_t high_step;             /* step of the frame that set it */
	uint64_t last_ns;               /* time of the last unique frame */
	uint64_t late, foreign;
	uint32_t *ring;                 /* per-seq state, RH_WINDOW entries */
	struct rh_step_stats *steps;
	uint32_t nb_steps;              /* allocated */
	uint32_t max_step;              /* highest step with anything, +1 */
	struct rh_bins bins;
};

struct rh_report_opts {
	bool sent_known;
	uint64_t sent;
	bool tail_known;
	uint32_t tail_step;
	bool bins;
};

/* ---- time, addresses ---- */
uint64_t rh_now_ns(void);
void rh_sleep_until(uint64_t ns);
int rh_mac_parse(const char *s, uint8_t mac[6]);
void rh_mac_format(const uint8_t mac[6], char *buf, size_t len);
const char *rh_path_name(enum rh_path p);
int rh_path_parse(const char *s, enum rh_path *p);

/* ---- frames ---- */
size_t rh_frame_encode(uint8_t *buf, size_t len, const uint8_t dst[6], const uint8_t src[6],
		       const struct rh_tag *tag);
int rh_frame_decode(const uint8_t *buf, size_t len, struct rh_tag *tag);
const uint8_t *rh_frame_src(const uint8_t *buf);

/* ---- the accountant ---- */
int rh_acct_init(struct rh_acct *a, enum rh_dir dir, enum rh_clock clock, bool bins,
		 uint32_t steps_hint);
void rh_acct_fix_run(struct rh_acct *a, uint32_t run);
void rh_acct_free(struct rh_acct *a);
enum rh_verdict rh_acct_feed(struct rh_acct *a, const struct rh_tag *tag, enum rh_path path,
			     uint64_t rx_ns, uint32_t step);
const struct rh_step_stats *rh_acct_step(const struct rh_acct *a, uint32_t step);
uint64_t rh_acct_next_seq(const struct rh_acct *a);
void rh_acct_totals(const struct rh_acct *a, struct rh_step_stats *t);
int rh_acct_snapshot(struct rh_acct *dst, const struct rh_acct *src);
void rh_acct_report(const struct rh_acct *a, FILE *out, const struct rh_report_opts *o);

/* ---- bins encoding ---- */
size_t rh_rle_encode(const uint16_t *v, uint32_t n, char *buf, size_t len, uint32_t *used);

/* ---- the sender's schedule ---- */
struct rh_pace {
	uint64_t interval_ns;
	uint64_t next_ns;
	uint64_t slips;                 /* times the backlog was given up */
};

void rh_pace_init(struct rh_pace *p, uint64_t interval_ns, uint64_t now);
unsigned int rh_pace_due(struct rh_pace *p, uint64_t now, unsigned int max);
void rh_pace_done(struct rh_pace *p, unsigned int n);

/* ---- commands, output ---- */
enum rh_cmd_kind { RH_CMD_NONE, RH_CMD_STEP, RH_CMD_REPORT, RH_CMD_STATUS, RH_CMD_STOP,
		   RH_CMD_START, RH_CMD_QUIT, RH_CMD_BAD };

struct rh_cmd {
	enum rh_cmd_kind kind;
	uint32_t step;
	struct rh_report_opts report;
	char err[96];
};

void rh_cmd_parse(const char *line, struct rh_cmd *c);

/*
 * What a program does for each command (ctx: the program's state). step
 * NULL: the program counts no steps ("step" is refused with a line saying
 * the host counts them). status gives the kind of line to print: "status",
 * or "step" after a step command.
 */
struct rh_cmd_ops {
	void (*report)(void *ctx, const struct rh_cmd *c);
	void (*status)(void *ctx, const char *kind);
	void (*step)(void *ctx, uint32_t step);
	void (*sending)(void *ctx, bool start);
};

/* Parses line and runs its command; false: quit. */
bool rh_cmd_run(const char *line, const struct rh_cmd_ops *ops, void *ctx);
void rh_out(FILE *out, const char *kind, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void rh_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "@@fo <kind> {step, us (now), a_next_seq, b_next_seq}" (status, step). */
void rh_out_status(FILE *out, const char *kind, uint32_t step, uint64_t a_next,
		   uint64_t b_next);
/* "@@fo stopped|started {dir, next_seq}": the answer to stop / start. */
void rh_out_sending(FILE *out, bool started, uint8_t dir, uint64_t next_seq);

/* Splits input into lines; returns a complete line (no '\n') or NULL. */
struct rh_lines {
	char buf[RH_LINE_MAX];
	size_t len, skip;
	bool eof;
};

int rh_lines_fill(struct rh_lines *l, int fd);
char *rh_lines_next(struct rh_lines *l);

#endif /* RH_TRAFFIC_H */
