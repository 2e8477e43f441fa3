/* SPDX-License-Identifier: MIT */
/*
 * Tracepoint layouts, parsed from the tracefs "format" text that the
 * recording carries, so a report on another kernel reads the fields right.
 */
#ifndef SCREC_TRACEPOINT_H
#define SCREC_TRACEPOINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TP_MAX_FIELDS	16
#define TP_MAX_ARGS	6

struct tp_field {
	char name[48];
	uint32_t offset, size;
	bool is_signed;
	bool is_pointer;
};

/* A syscall tracepoint as the report needs it. */
struct tp_desc {
	uint32_t id;
	char name[96];			/* "syscalls:sys_enter_connect" */
	bool is_exit;
	bool is_raw;			/* raw_syscalls: the number is a field, args an array */
	int fixed_nr;			/* syscall number of a per-syscall tracepoint, -1 if raw */
	struct tp_field nr;		/* __syscall_nr or id */
	struct tp_field ret;		/* exit: ret */
	struct tp_field args[TP_MAX_ARGS];
	unsigned nr_args;
};

/*
 * Parse a syscall tracepoint's name and format text into d.  Returns 0,
 * -ENOTSUP for a tracepoint that is not a syscall one, or -EBADMSG.
 */
int tp_parse(uint32_t id, const char *name, size_t name_len, const char *format,
	     size_t format_len, struct tp_desc *d);

/* Read field f from raw tracepoint data (sign-extended when signed); -EBADMSG if out of bounds. */
int tp_read(const struct tp_field *f, const uint8_t *raw, uint32_t raw_size, uint64_t *v);

/* The syscall number of a sample of d; -1 when unreadable. */
long tp_syscall_nr(const struct tp_desc *d, const uint8_t *raw, uint32_t raw_size);

/* Up to TP_MAX_ARGS argument values; returns how many. */
unsigned tp_args(const struct tp_desc *d, const uint8_t *raw, uint32_t raw_size, uint64_t *args);

/* A table of tracepoints by id. */
struct tp_table {
	struct tp_desc *descs;
	size_t nr;
};

/* Add one SCREC_REC_TRACEPOINT record body; unknown kinds are skipped.  0 or -errno. */
int tp_table_add(struct tp_table *t, const void *rec, size_t len);
const struct tp_desc *tp_table_find(const struct tp_table *t, uint32_t id);
void tp_table_release(struct tp_table *t);

#endif
