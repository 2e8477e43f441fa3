/* SPDX-License-Identifier: MIT */
/*
 * Building recordings for the unit tests without a kernel: the writer fed
 * with records shaped like the recorder's (info, strings, tracepoint formats,
 * attributes, syscall samples with registers and stacks, comm and mmap2
 * side-band records, a trailer), and small file helpers.
 */
#ifndef SCREC_TEST_SYNTH_H
#define SCREC_TEST_SYNTH_H

#include <stddef.h>
#include <stdint.h>

#include "common/writer.h"

/* Perf ids the synthetic attributes declare. */
#define SYNTH_ID_ENTER		100
#define SYNTH_ID_EXIT		200
#define SYNTH_ID_TRACKING	300
#define SYNTH_TP_ENTER		2230
#define SYNTH_TP_EXIT		2229

/*
 * Write a whole recording to w: nr_events connect enter/exit pairs spread over
 * nr_frames zstd frames, with stack_bytes of stack per sample.  The trailer
 * is added by screc_writer_close(), not here.  Returns 0 or -errno.
 */
int synth_write(struct screc_writer *w, unsigned nr_events, unsigned nr_frames,
		unsigned stack_bytes);

/* A complete recording in a malloc'd buffer (*buf, *len).  Returns 0 or -errno. */
int synth_recording(unsigned nr_events, unsigned nr_frames, unsigned stack_bytes, uint8_t **buf,
		    size_t *len);

/*
 * Build one PERF_RECORD_SAMPLE the way the kernel lays out the recorder's
 * syscall-entry samples into out (at least 512 + stack_bytes bytes).  Returns
 * its size.
 */
size_t synth_enter_sample(uint8_t *out, uint32_t pid, uint32_t tid, uint64_t time,
			  unsigned stack_bytes, uint64_t dyn_size);

/* Read all of fd from offset 0 into a malloc'd buffer.  Returns 0 or -errno. */
int synth_read_fd(int fd, uint8_t **buf, size_t *len);

/* Read a file into a malloc'd buffer.  Returns 0 or -errno. */
int synth_read_file(const char *path, uint8_t **buf, size_t *len);

#endif
