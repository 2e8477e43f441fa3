// SPDX-License-Identifier: MIT
/*
 * Reading a GNU build-id without libelf: this test binary's own build-id
 * (compared with the note found by a plain scan of the file), files that are
 * not 64-bit ELF, an ELF file without a note, and notes whose sizes lie.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/buildid.h"
#include "synth.h"
#include "tap.h"

/* The build-id found by scanning the whole file for a GNU note header (the test's oracle). */
static int
scan_file(const uint8_t *buf, size_t len, char *hex)
{
	size_t i;

	for (i = 0; i + 16 + 20 <= len; i += 4) {
		Elf64_Nhdr nh;

		memcpy(&nh, buf + i, sizeof(nh));
		if (nh.n_namesz == 4 && nh.n_type == NT_GNU_BUILD_ID && nh.n_descsz == 20 &&
		    memcmp(buf + i + 12, "GNU", 4) == 0) {
			screc_hex(buf + i + 16, 20, hex);
			return 0;
		}
	}
	return -ENOENT;
}

static int
tmp_file(const void *data, size_t len, char *path)
{
	int fd;

	strcpy(path, "/tmp/screc-buildid-XXXXXX");
	fd = mkstemp(path);
	if (fd < 0)
		return -errno;
	if (write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* A minimal ELF file with one PT_NOTE segment holding note (or none when note is NULL). */
static size_t
make_elf(uint8_t *out, const void *note, size_t note_len)
{
	Elf64_Ehdr eh = { 0 };
	Elf64_Phdr ph = { 0 };

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_phoff = sizeof(eh);
	eh.e_phentsize = sizeof(ph);
	eh.e_phnum = note ? 1 : 0;
	ph.p_type = PT_NOTE;
	ph.p_offset = sizeof(eh) + sizeof(ph);
	ph.p_filesz = note_len;
	memcpy(out, &eh, sizeof(eh));
	memcpy(out + sizeof(eh), &ph, sizeof(ph));
	if (note)
		memcpy(out + sizeof(eh) + sizeof(ph), note, note_len);
	return sizeof(eh) + sizeof(ph) + note_len;
}

static void
test_self(void)
{
	uint8_t id[SCREC_BUILD_ID_MAX], *buf;
	char hex[41], want[41];
	size_t len, flen;

	if (!tap_is(screc_read_build_id("/proc/self/exe", id, &len), 0, "own build-id read"))
		return;
	tap_is((long long)len, 20, "20 bytes (sha1)");
	screc_hex(id, len, hex);
	if (synth_read_file("/proc/self/exe", &buf, &flen) == 0) {
		tap_is(scan_file(buf, flen, want), 0, "the file holds a GNU build-id note");
		tap_ok(strcmp(hex, want) == 0, "same as the note in the file (%s)", hex);
		free(buf);
	}
}

static void
test_bad_files(void)
{
	uint8_t id[SCREC_BUILD_ID_MAX], buf[512];
	char path[64];
	size_t len, n;
	struct {
		Elf64_Nhdr nh;
		char name[4];
		uint8_t desc[20];
	} note = { { 4, 20, NT_GNU_BUILD_ID }, "GNU", { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
							 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 } };
	char hex[41];

	tap_is(screc_read_build_id("/nonexistent/file", id, &len), -ENOENT, "missing file: -ENOENT");
	tap_is(tmp_file("#!/bin/sh\nexit 0\n", 17, path), 0, "a script");
	tap_is(screc_read_build_id(path, id, &len), -ENOEXEC, "not ELF: -ENOEXEC");
	unlink(path);
	tap_is(tmp_file("\177ELF", 4, path), 0, "a cut ELF header");
	tap_is(screc_read_build_id(path, id, &len), -ENOEXEC, "cut header: -ENOEXEC");
	unlink(path);

	n = make_elf(buf, NULL, 0);
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), -ENOENT, "ELF without notes: -ENOENT");
	unlink(path);

	n = make_elf(buf, &note, sizeof(note));
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), 0, "hand-made note found");
	screc_hex(id, len, hex);
	tap_ok(len == 20 && strcmp(hex, "0102030405060708090a0b0c0d0e0f1011121314") == 0,
	       "hand-made build-id read (%s)", hex);
	unlink(path);

	note.nh.n_descsz = 0xffffff00u;
	n = make_elf(buf, &note, sizeof(note));
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), -ENOENT, "descsz past the segment: -ENOENT");
	unlink(path);

	note.nh.n_descsz = 20;
	note.nh.n_namesz = 0xfffffffdu;
	n = make_elf(buf, &note, sizeof(note));
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), -ENOENT, "namesz past the segment: -ENOENT");
	unlink(path);

	note.nh.n_namesz = 4;
	n = make_elf(buf, &note, sizeof(note));
	((Elf64_Phdr *)(buf + sizeof(Elf64_Ehdr)))->p_offset = 1ull << 40;
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), -ENOENT, "note segment past the file: -ENOENT");
	unlink(path);

	n = make_elf(buf, &note, sizeof(note));
	((Elf64_Ehdr *)buf)->e_ident[EI_CLASS] = ELFCLASS32;
	tmp_file(buf, n, path);
	tap_is(screc_read_build_id(path, id, &len), -ENOEXEC, "32-bit ELF: -ENOEXEC");
	unlink(path);
}

int
main(void)
{
	test_self();
	test_bad_files();
	return tap_done();
}
