/* SPDX-License-Identifier: BSD-3-Clause */

/*
 * Log capture for cases that check what the driver said: every log line
 * still goes to stdout, and is also kept (the last FT_LOG_MAX bytes since
 * ft_log_reset()). Set up once per process, before threads log, and left
 * in place: EAL's interrupt thread may log at any time, so the stream is
 * never closed under it.
 */

#ifndef FT_LOG_H
#define FT_LOG_H

#include <stdbool.h>
#include <stddef.h>

#define FT_LOG_MAX 65536

/* Route the DPDK log through the capture (once; later calls do nothing). */
int ft_log_open(void);
/* Forget what was kept. */
void ft_log_reset(void);
/* True when a line logged since ft_log_reset() holds needle. */
bool ft_log_has(const char *needle);
/* How many times needle occurs in what was logged since ft_log_reset(). */
unsigned int ft_log_count(const char *needle);
/* How many times needle occurs in text. */
unsigned int ft_str_count(const char *text, const char *needle);
/* A copy of what was logged since ft_log_reset() (cut to len - 1 bytes). */
const char *ft_log_text(char *buf, size_t len);
/* Wait up to ms (sleeping) for a log line holding needle. */
bool ft_log_wait(const char *needle, unsigned int ms);

#endif /* FT_LOG_H */
