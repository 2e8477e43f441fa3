// SPDX-License-Identifier: MIT
/*
 * Tracepoint formats as the kernel writes them: the texts below were copied
 * from /sys/kernel/tracing/events/.../format of a Linux 6.18 x86-64 machine
 * (per-syscall and raw syscall tracepoints, one the kernel names after its
 * function rather than the syscall, and one that is no syscall's).  Checked:
 * field offsets, sizes, signedness and pointers, the raw args[6] array split
 * in six, the fixed number of per-syscall tracepoints, the errors for what
 * is not a syscall tracepoint or not a format, tp_read()'s bounds (off by one
 * both ways), and tp_table_add() on records whose lengths lie.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/format.h"
#include "report/decode/tracepoint.h"
#include "tap.h"

/* syscalls/sys_enter_openat/format */
static const char fmt_enter_openat[] =
	"name: sys_enter_openat\n"
	"ID: 782\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:int dfd;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:const char * filename;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:int flags;\toffset:32;\tsize:8;\tsigned:0;\n"
	"\tfield:umode_t mode;\toffset:40;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"dfd: 0x%08lx, filename: 0x%08lx, flags: 0x%08lx, mode: 0x%08lx\", ((unsigne"
	"d long)(REC->dfd)), ((unsigned long)(REC->filename)), ((unsigned long)(REC->flags)), ((u"
	"nsigned long)(REC->mode))\n";

/* syscalls/sys_exit_openat/format */
static const char fmt_exit_openat[] =
	"name: sys_exit_openat\n"
	"ID: 781\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\n"
	"print fmt: \"0x%lx\", REC->ret\n";

/* raw_syscalls/sys_enter/format */
static const char fmt_raw_enter[] =
	"name: sys_enter\n"
	"ID: 443\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:unsigned long args[6];\toffset:16;\tsize:48;\tsigned:0;\n"
	"\n"
	"print fmt: \"NR %ld (%lx, %lx, %lx, %lx, %lx, %lx)\", REC->id, REC->args[0], REC->args[1"
	"], REC->args[2], REC->args[3], REC->args[4], REC->args[5]\n";

/* raw_syscalls/sys_exit/format */
static const char fmt_raw_exit[] =
	"name: sys_exit\n"
	"ID: 442\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:long id;\toffset:8;\tsize:8;\tsigned:1;\n"
	"\tfield:long ret;\toffset:16;\tsize:8;\tsigned:1;\n"
	"\n"
	"print fmt: \"NR %ld = %ld\", REC->id, REC->ret\n";

/* syscalls/sys_enter_newstat/format */
static const char fmt_enter_newstat[] =
	"name: sys_enter_newstat\n"
	"ID: 858\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:int __syscall_nr;\toffset:8;\tsize:4;\tsigned:1;\n"
	"\tfield:const char * filename;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:struct stat * statbuf;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\n"
	"print fmt: \"filename: 0x%08lx, statbuf: 0x%08lx\", ((unsigned long)(REC->filename)), (("
	"unsigned long)(REC->statbuf))\n";

/* sched/sched_switch/format */
static const char fmt_sched_switch[] =
	"name: sched_switch\n"
	"ID: 372\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t prev_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prev_prio;\toffset:28;\tsize:4;\tsigned:1;\n"
	"\tfield:long prev_state;\toffset:32;\tsize:8;\tsigned:1;\n"
	"\tfield:char next_comm[16];\toffset:40;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t next_pid;\toffset:56;\tsize:4;\tsigned:1;\n"
	"\tfield:int next_prio;\toffset:60;\tsize:4;\tsigned:1;\n"
	"\n"
	"print fmt: \"prev_comm=%s prev_pid=%d prev_prio=%d prev_state=%s%s ==> next_comm=%s next"
	"_pid=%d next_prio=%d\", REC->prev_comm, REC->prev_pid, REC->prev_prio, (REC->prev_state "
	"& ((((0x00000000 | 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00"
	"000020 | 0x00000040) + 1) << 1) - 1)) ? __print_flags(REC->prev_state & ((((0x00000000 |"
	" 0x00000001 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x0000004"
	"0) + 1) << 1) - 1), \"|\", { 0x00000001, \"S\" }, { 0x00000002, \"D\" }, { 0x00000004, "
	"\"T\" }, { 0x00000008, \"t\" }, { 0x00000010, \"X\" }, { 0x00000020, \"Z\" }, { 0x000000"
	"40, \"P\" }, { 0x00000080, \"I\" }) : \"R\", REC->prev_state & (((0x00000000 | 0x0000000"
	"1 | 0x00000002 | 0x00000004 | 0x00000008 | 0x00000010 | 0x00000020 | 0x00000040) + 1) <<"
	" 1) ? \"+\" : \"\", REC->next_comm, REC->next_pid, REC->next_prio\n";

static int
parse(uint32_t id, const char *name, const char *format, struct tp_desc *d)
{
	return tp_parse(id, name, strlen(name), format, strlen(format), d);
}

static bool
field_is(const struct tp_field *f, const char *name, uint32_t offset, uint32_t size,
	 bool is_signed, bool is_pointer)
{
	return strcmp(f->name, name) == 0 && f->offset == offset && f->size == size &&
	       f->is_signed == is_signed && f->is_pointer == is_pointer;
}

/* format without the line that contains what (a copy to free). */
static char *
without_line(const char *format, const char *what)
{
	char *copy = strdup(format), *p = copy ? strstr(copy, what) : NULL, *bol, *eol;

	if (!p)
		return copy;
	for (bol = p; bol > copy && bol[-1] != '\n'; bol--)
		;
	eol = strchr(p, '\n');
	memmove(bol, eol ? eol + 1 : p + strlen(p), strlen(eol ? eol + 1 : p + strlen(p)) + 1);
	return copy;
}

static void
put(uint8_t *raw, uint32_t off, uint64_t v, unsigned size)
{
	memcpy(raw + off, &v, size);	/* little-endian */
}

static void
test_enter_openat(void)
{
	struct tp_desc d;
	uint8_t raw[48] = { 0 };
	uint64_t args[TP_MAX_ARGS] = { 0 }, v = 0;

	if (!tap_is(parse(782, "syscalls:sys_enter_openat", fmt_enter_openat, &d), 0,
		    "enter_openat: parses"))
		return;
	tap_ok(d.id == 782 && strcmp(d.name, "syscalls:sys_enter_openat") == 0,
	       "enter_openat: id and name kept");
	tap_ok(!d.is_exit && !d.is_raw, "enter_openat: an entry, not raw");
	tap_is(d.fixed_nr, 257, "enter_openat: the fixed syscall number is openat's");
	tap_ok(field_is(&d.nr, "__syscall_nr", 8, 4, true, false),
	       "enter_openat: __syscall_nr at 8, 4 bytes, signed");
	if (tap_is(d.nr_args, 4, "enter_openat: four arguments (the common_ fields are not)")) {
		tap_ok(field_is(&d.args[0], "dfd", 16, 8, false, false), "enter_openat: dfd at 16");
		tap_ok(field_is(&d.args[1], "filename", 24, 8, false, true),
		       "enter_openat: filename at 24, a pointer");
		tap_ok(field_is(&d.args[2], "flags", 32, 8, false, false),
		       "enter_openat: flags at 32, not a pointer");
		tap_ok(field_is(&d.args[3], "mode", 40, 8, false, false),
		       "enter_openat: mode at 40");
	}
	tap_is(d.ret.size, 0, "enter_openat: no return value field");

	put(raw, 8, 257, 4);
	put(raw, 16, (uint64_t)-100, 8);
	put(raw, 24, 0x7ffc12345678ull, 8);
	put(raw, 32, 0x80000, 8);
	put(raw, 40, 0644, 8);
	tap_is(tp_syscall_nr(&d, raw, sizeof(raw)), 257, "enter_openat: the sample's number");
	put(raw, 8, 2, 4);
	tap_is(tp_syscall_nr(&d, raw, sizeof(raw)), 2,
	       "enter_openat: the field wins when readable");
	tap_is(tp_syscall_nr(&d, raw, 11), 257,
	       "enter_openat: a sample too short for the field gives the fixed number");
	put(raw, 8, 0xffffffffu, 4);
	tap_ok(tp_read(&d.nr, raw, sizeof(raw), &v) == 0 && v == ~0ull,
	       "enter_openat: a 4-byte signed -1 reads sign-extended (%#llx)",
	       (unsigned long long)v);
	tap_is(tp_syscall_nr(&d, raw, sizeof(raw)), -1, "enter_openat: ... so the number is -1");
	put(raw, 8, 257, 4);
	tap_is(tp_args(&d, raw, sizeof(raw), args), 4, "enter_openat: four argument values");
	tap_ok(args[0] == (uint64_t)-100 && args[1] == 0x7ffc12345678ull && args[2] == 0x80000 &&
		       args[3] == 0644,
	       "enter_openat: the values from their offsets");
	tap_is(tp_args(&d, raw, 47, args), 3, "enter_openat: a sample cut in mode gives three");
	tap_is(tp_args(&d, raw, 16, args), 0,
	       "enter_openat: a sample of the header only gives none");
}

static void
test_exit_openat(void)
{
	struct tp_desc d;
	uint8_t raw[24] = { 0 };
	uint64_t v = 0;
	char *cut;

	if (!tap_is(parse(781, "syscalls:sys_exit_openat", fmt_exit_openat, &d), 0,
		    "exit_openat: parses"))
		return;
	tap_ok(d.is_exit && !d.is_raw, "exit_openat: an exit");
	tap_is(d.fixed_nr, 257, "exit_openat: openat's number");
	tap_ok(field_is(&d.ret, "ret", 16, 8, true, false), "exit_openat: ret at 16, signed");
	tap_is(d.nr_args, 0, "exit_openat: no arguments");
	put(raw, 16, (uint64_t)-2, 8);
	tap_ok(tp_read(&d.ret, raw, sizeof(raw), &v) == 0 && (int64_t)v == -2,
	       "exit_openat: ret -ENOENT reads back");

	cut = without_line(fmt_exit_openat, "long ret;");
	tap_is(parse(781, "syscalls:sys_exit_openat", cut, &d), -EBADMSG,
	       "exit_openat: an exit without ret is -EBADMSG");
	tap_is(parse(782, "syscalls:sys_enter_openat", cut, &d), 0,
	       "exit_openat: ... while an entry needs none");
	free(cut);
	cut = without_line(fmt_exit_openat, "__syscall_nr;");
	tap_is(parse(781, "syscalls:sys_exit_openat", cut, &d), -EBADMSG,
	       "exit_openat: without __syscall_nr, -EBADMSG");
	free(cut);
	cut = without_line(fmt_enter_openat, "__syscall_nr;");
	tap_is(parse(782, "syscalls:sys_enter_openat", cut, &d), -EBADMSG,
	       "enter_openat: without __syscall_nr, -EBADMSG");
	free(cut);
}

static void
test_raw(void)
{
	struct tp_desc d;
	uint8_t raw[64] = { 0 };
	uint64_t args[TP_MAX_ARGS] = { 0 };
	unsigned i, bad = 0;

	if (!tap_is(parse(443, "raw_syscalls:sys_enter", fmt_raw_enter, &d), 0,
		    "raw enter: parses"))
		return;
	tap_ok(d.is_raw && !d.is_exit, "raw enter: raw, an entry");
	tap_is(d.fixed_nr, -1, "raw enter: no fixed number");
	tap_ok(field_is(&d.nr, "id", 8, 8, true, false), "raw enter: the number is id at 8");
	if (tap_is(d.nr_args, 6, "raw enter: args[6] is six arguments")) {
		for (i = 0; i < 6; i++) {
			char name[8];

			snprintf(name, sizeof(name), "arg%u", i);
			if (!field_is(&d.args[i], name, 16 + 8 * i, 8, false, false))
				bad++;
		}
		tap_is(bad, 0, "raw enter: arg0..arg5 at 16, 24, ... 56, 8 bytes each");
	}
	put(raw, 8, 42, 8);
	for (i = 0; i < 6; i++)
		put(raw, 16 + 8 * i, 0x1000 + i, 8);
	tap_is(tp_syscall_nr(&d, raw, sizeof(raw)), 42, "raw enter: the sample's number");
	tap_is(tp_syscall_nr(&d, raw, 15), -1, "raw enter: a sample too short has none");
	tap_is(tp_args(&d, raw, sizeof(raw), args), 6, "raw enter: six values");
	tap_ok(args[0] == 0x1000 && args[5] == 0x1005, "raw enter: in order");

	if (!tap_is(parse(442, "raw_syscalls:sys_exit", fmt_raw_exit, &d), 0, "raw exit: parses"))
		return;
	tap_ok(d.is_raw && d.is_exit && d.fixed_nr == -1, "raw exit: raw, an exit");
	tap_ok(field_is(&d.ret, "ret", 16, 8, true, false), "raw exit: ret at 16");
	tap_ok(field_is(&d.nr, "id", 8, 8, true, false), "raw exit: id at 8");
}

static void
test_names(void)
{
	struct tp_desc d;
	char name[128];

	tap_is(parse(858, "syscalls:sys_enter_newstat", fmt_enter_newstat, &d), 0,
	       "newstat: parses");
	tap_is(d.fixed_nr, 4, "newstat: the tracepoint named after sys_newstat is stat (4)");
	tap_ok(d.nr_args == 2 && field_is(&d.args[0], "filename", 16, 8, false, true) &&
		       field_is(&d.args[1], "statbuf", 24, 8, false, true),
	       "newstat: two pointer arguments, filename and struct stat *statbuf");
	tap_is(parse(858, "syscalls:sys_enter_no_such_call", fmt_enter_newstat, &d), 0,
	       "an unknown syscall name still parses");
	tap_is(d.fixed_nr, -1, "... with no fixed number");

	tap_is(parse(372, "sched:sched_switch", fmt_sched_switch, &d), -ENOTSUP,
	       "sched:sched_switch is not a syscall tracepoint: -ENOTSUP");
	tap_is(parse(372, "raw_syscalls:sched_switch", fmt_sched_switch, &d), -ENOTSUP,
	       "raw_syscalls:<other>: -ENOTSUP");
	tap_is(parse(372, "syscalls:sys_other_openat", fmt_enter_openat, &d), -ENOTSUP,
	       "syscalls:sys_<neither enter nor exit>: -ENOTSUP");
	tap_is(parse(372, "syscalls", fmt_enter_openat, &d), -ENOTSUP, "a bare group: -ENOTSUP");
	tap_is(parse(1, "syscalls:sys_enter_openat", "garbage\n\x01\x02\xff", &d), -EBADMSG,
	       "garbage format: -EBADMSG");
	tap_is(parse(1, "syscalls:sys_enter_openat", "", &d), -EBADMSG, "empty format: -EBADMSG");
	tap_is(parse(1, "raw_syscalls:sys_enter",
		     "\tfield:long id;\toffset:8;\tsize:8;\n", &d), -EBADMSG,
	       "a field line without signed: is no field: -EBADMSG");
	memset(name, 'x', sizeof(name));
	memcpy(name, "syscalls:sys_enter_", 19);
	tap_is(tp_parse(1, name, 96, fmt_enter_openat, strlen(fmt_enter_openat), &d), -EBADMSG,
	       "a name of 96 bytes does not fit: -EBADMSG");
	tap_is(tp_parse(1, name, 95, fmt_enter_openat, strlen(fmt_enter_openat), &d), 0,
	       "a name of 95 bytes fits");
	tap_is(tp_parse(782, "syscalls:sys_enter_openat", 25, fmt_enter_openat, 200, &d), -EBADMSG,
	       "a format cut before __syscall_nr: -EBADMSG");
	tap_is(tp_parse(782, "syscalls:sys_enter_openatXYZ", 25, fmt_enter_openat,
			strlen(fmt_enter_openat), &d), 0,
	       "name_len is honoured (no NUL needed)");
	tap_is(d.fixed_nr, 257, "... openat");
}

static void
test_read(void)
{
	uint8_t raw[24];
	struct tp_field f = { .offset = 16, .size = 8 };
	uint64_t v;
	unsigned i;

	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(0x80 + i);
	tap_is(tp_read(&f, raw, 24, &v), 0, "read: 8 bytes ending at raw_size");
	tap_ok(v == 0x9796959493929190ull, "read: little-endian (%#llx)", (unsigned long long)v);
	tap_is(tp_read(&f, raw, 23, &v), -EBADMSG, "read: 8 bytes one past raw_size: -EBADMSG");
	f.offset = 23;
	f.size = 1;
	tap_is(tp_read(&f, raw, 24, &v), 0, "read: the last byte");
	tap_is((long long)v, 0x97, "read: ... unsigned, zero-extended");
	f.offset = 24;
	tap_is(tp_read(&f, raw, 24, &v), -EBADMSG, "read: offset == raw_size: -EBADMSG");
	f.offset = 0xffffffffu;
	f.size = 8;
	tap_is(tp_read(&f, raw, 24, &v), -EBADMSG, "read: a huge offset does not wrap: -EBADMSG");
	f.offset = 0;
	f.size = 9;
	tap_is(tp_read(&f, raw, 24, &v), -EBADMSG, "read: size 9: -EBADMSG");
	f.size = 0;
	tap_is(tp_read(&f, raw, 24, &v), -EBADMSG, "read: size 0: -EBADMSG");
	f.size = 4;
	tap_is(tp_read(&f, NULL, 24, &v), -EBADMSG, "read: no data: -EBADMSG");

	f.is_signed = true;
	f.size = 1;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && (int64_t)v == -128,
	       "read: signed 1 byte 0x80 is -128");
	f.size = 2;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && v == 0xffffffffffff8180ull,
	       "read: signed 2 bytes sign-extend");
	f.size = 4;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && v == 0xffffffff83828180ull,
	       "read: signed 4 bytes sign-extend");
	raw[3] = 0x7f;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && v == 0x7f828180ull,
	       "read: a positive signed 4-byte value is not extended");
	f.size = 8;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && v == 0x878685847f828180ull,
	       "read: signed 8 bytes as they are");
	f.is_signed = false;
	f.size = 4;
	raw[3] = 0x83;
	tap_ok(tp_read(&f, raw, 24, &v) == 0 && v == 0x83828180ull,
	       "read: unsigned 4 bytes with the top bit set are not extended");
}

/* A TRACEPOINT record body of exactly the size its fields need (malloc'd, *len). */
static uint8_t *
tp_record(uint32_t id, const char *name, const char *format, size_t *len)
{
	struct screc_rec_tracepoint rt = { .id = id };
	size_t nl = strlen(name), fl = strlen(format);
	uint8_t *buf = malloc(sizeof(rt) + nl + fl);

	if (!buf)
		return NULL;
	rt.hdr.type = SCREC_REC_TRACEPOINT;
	rt.hdr.size = (uint32_t)(sizeof(rt) + nl + fl);
	rt.name_len = (uint32_t)nl;
	rt.format_len = (uint32_t)fl;
	memcpy(buf, &rt, sizeof(rt));
	memcpy(buf + sizeof(rt), name, nl);
	memcpy(buf + sizeof(rt) + nl, format, fl);
	*len = sizeof(rt) + nl + fl;
	return buf;
}

static void
set_lens(uint8_t *rec, uint32_t name_len, uint32_t format_len)
{
	memcpy(rec + offsetof(struct screc_rec_tracepoint, name_len), &name_len, 4);
	memcpy(rec + offsetof(struct screc_rec_tracepoint, format_len), &format_len, 4);
}

static void
test_table(void)
{
	struct tp_table t = { 0 };
	const struct tp_desc *d;
	uint8_t *rec;
	size_t len, nl = strlen("syscalls:sys_enter_openat"), fl = strlen(fmt_enter_openat);

	rec = tp_record(782, "syscalls:sys_enter_openat", fmt_enter_openat, &len);
	if (!tap_ok(rec != NULL, "table: a record"))
		return;
	tap_is(tp_table_add(&t, rec, 23), -EBADMSG, "table: a record shorter than its header");
	tap_is(tp_table_add(&t, rec, sizeof(struct screc_rec_tracepoint) + nl - 1), -EBADMSG,
	       "table: a record cut inside the name");
	tap_is(tp_table_add(&t, rec, len - 1), -EBADMSG, "table: a record one byte short");
	set_lens(rec, (uint32_t)(len - 24 + 1), 0);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: name_len one past the record");
	set_lens(rec, (uint32_t)nl, (uint32_t)fl + 1);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: format_len one past the record");
	set_lens(rec, 0xffffffffu, (uint32_t)fl);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: name_len 2^32-1");
	set_lens(rec, (uint32_t)nl, 0xffffffffu);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: format_len 2^32-1 (no wrap)");
	set_lens(rec, (uint32_t)(len - 24), 0xffffffffu - (uint32_t)(len - 24) + 1);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: name_len + format_len wrapping to 0");
	tap_is((long long)t.nr, 0, "table: nothing was added by those");
	set_lens(rec, (uint32_t)nl, (uint32_t)fl);
	tap_is(tp_table_add(&t, rec, len), 0, "table: the exact record is added");
	free(rec);

	rec = tp_record(372, "sched:sched_switch", fmt_sched_switch, &len);
	tap_is(tp_table_add(&t, rec, len), 0, "table: a sched record is skipped without error");
	free(rec);
	rec = tp_record(9, "syscalls:sys_enter_openat", "junk", &len);
	tap_is(tp_table_add(&t, rec, len), -EBADMSG, "table: a syscall record with junk: -EBADMSG");
	free(rec);
	rec = tp_record(443, "raw_syscalls:sys_enter", fmt_raw_enter, &len);
	tap_is(tp_table_add(&t, rec, len), 0, "table: raw enter added");
	free(rec);

	tap_is((long long)t.nr, 2, "table: two syscall tracepoints");
	d = tp_table_find(&t, 782);
	tap_ok(d && d->fixed_nr == 257 && d->nr_args == 4, "table: find 782 (openat)");
	d = tp_table_find(&t, 443);
	tap_ok(d && d->is_raw && d->nr_args == 6, "table: find 443 (raw)");
	tap_ok(!tp_table_find(&t, 372), "table: the sched tracepoint is not there");
	tap_ok(!tp_table_find(&t, 9), "table: nor the junk one");
	tp_table_release(&t);
	tap_ok(t.nr == 0 && !t.descs, "table: release empties it");
	tap_ok(!tp_table_find(&t, 782), "table: nothing found after release");
	tp_table_release(&t);
}

int
main(void)
{
	test_enter_openat();
	test_exit_openat();
	test_raw();
	test_names();
	test_read();
	test_table();
	return tap_done();
}
