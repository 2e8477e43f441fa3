// SPDX-License-Identifier: MIT
/*
 * Cutting ELF files for archives: this test binary cut at each level keeps
 * the right sections with their bytes and a valid section table; a crafted
 * file whose kept sections interleave allocated and non-allocated ones (which
 * once made the extractor write past its buffer) is cut within bounds; a FIFO
 * at a mapped path is refused at once instead of blocking the recorder.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/elf-extract.h"
#include "tap.h"

/* Whether the ELF image out (len) has a section named name with contents. */
static bool
has_section(const uint8_t *out, size_t len, const char *name)
{
	Elf64_Ehdr eh;
	Elf64_Shdr sh, strs;
	size_t i;

	memcpy(&eh, out, sizeof(eh));
	if (eh.e_shoff > len || (uint64_t)eh.e_shnum * sizeof(sh) > len - eh.e_shoff ||
	    eh.e_shstrndx >= eh.e_shnum)
		return false;
	memcpy(&strs, out + eh.e_shoff + eh.e_shstrndx * sizeof(sh), sizeof(sh));
	for (i = 1; i < eh.e_shnum; i++) {
		memcpy(&sh, out + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_name < strs.sh_size && strs.sh_offset + sh.sh_name < len &&
		    strcmp((const char *)out + strs.sh_offset + sh.sh_name, name) == 0)
			return sh.sh_type != SHT_NOBITS && sh.sh_offset <= len &&
			       sh.sh_size <= len - sh.sh_offset;
	}
	return false;
}

static void
write_crafted(const char *path)
{
	static const char names[] = "\0.eh_frame\0.note.x\0.eh_frame_hdr\0.shstrtab";
	uint8_t *f = calloc(1, 0x10000);
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh[5] = { 0 };
	int fd;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_shoff = 0xa000;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = 5;
	eh.e_shstrndx = 4;
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + 0x9000, names, sizeof(names));
	/* allocated, a large non-allocated note, then allocated again just after the first */
	sh[1] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			      .sh_offset = 0x1000, .sh_size = 0x10, .sh_addralign = 1 };
	sh[2] = (Elf64_Shdr){ .sh_name = 11, .sh_type = SHT_NOTE, .sh_offset = 0x2000,
			      .sh_size = 0x6000, .sh_addralign = 1 };
	sh[3] = (Elf64_Shdr){ .sh_name = 19, .sh_type = SHT_PROGBITS, .sh_flags = SHF_ALLOC,
			      .sh_offset = 0x1010, .sh_size = 0x10, .sh_addralign = 1 };
	sh[4] = (Elf64_Shdr){ .sh_name = 33, .sh_type = SHT_STRTAB, .sh_offset = 0x9000,
			      .sh_size = sizeof(names), .sh_addralign = 1 };
	memset(f + 0x2000, 'A', 0x6000);
	memcpy(f + 0xa000, sh, sizeof(sh));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, f, 0x10000) != 0x10000)
		tap_diag("cannot write %s", path);
	close(fd);
	free(f);
}

/* 1000 .eh_frame sections over the same 48 KiB of a 64 KiB file. */
static void
write_overlapping(const char *path)
{
	static const char names[] = "\0.eh_frame\0.shstrtab";
	enum { N = 1000 };
	size_t size = 0x10000 + (N + 2) * sizeof(Elf64_Shdr);
	uint8_t *f = calloc(1, size);
	Elf64_Ehdr eh = { 0 };
	Elf64_Shdr sh = { 0 };
	int fd, i;

	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_shoff = 0x10000;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = N + 2;
	eh.e_shstrndx = N + 1;
	memcpy(f, &eh, sizeof(eh));
	memcpy(f + 0xf000, names, sizeof(names));
	for (i = 1; i <= N; i++) {
		sh = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_offset = 0x1000,
				   .sh_size = 0xc000, .sh_addralign = 1 };
		memcpy(f + 0x10000 + i * sizeof(sh), &sh, sizeof(sh));
	}
	sh = (Elf64_Shdr){ .sh_name = 11, .sh_type = SHT_STRTAB, .sh_offset = 0xf000,
			   .sh_size = sizeof(names), .sh_addralign = 1 };
	memcpy(f + 0x10000 + (N + 1) * sizeof(sh), &sh, sizeof(sh));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, f, size) != (ssize_t)size)
		tap_diag("cannot write %s", path);
	close(fd);
	free(f);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/screc-elf-XXXXXX", path[64];
	uint8_t *out = NULL, id[20];
	size_t len = 0, idlen;
	int lvl, err;

	(void)argc;
	for (lvl = SCREC_ARCHIVE_UNWIND; lvl <= SCREC_ARCHIVE_FULL; lvl++) {
		err = screc_elf_extract("/proc/self/exe", (enum screc_archive_level)lvl, &out, &len);
		tap_is(err, 0, "level %d: this test binary is cut", lvl);
		if (err)
			continue;
		tap_ok(has_section(out, len, ".eh_frame"), "level %d keeps .eh_frame", lvl);
		tap_ok(has_section(out, len, ".note.gnu.build-id"), "level %d keeps the build-id", lvl);
		tap_is(has_section(out, len, ".symtab"), lvl >= SCREC_ARCHIVE_SYMBOLS,
		       "level %d: .symtab kept from symbols on", lvl);
		tap_is(has_section(out, len, ".debug_info"), lvl >= SCREC_ARCHIVE_FULL,
		       "level %d: .debug_info kept at full only", lvl);
		tap_ok(!has_section(out, len, ".text"), "level %d drops .text", lvl);
		free(out);
		out = NULL;
	}
	(void)argv;

	if (!mkdtemp(dir))
		return tap_skip_all("no temporary directory");
	snprintf(path, sizeof(path), "%s/crafted", dir);
	write_crafted(path);
	err = screc_elf_extract(path, SCREC_ARCHIVE_FULL, &out, &len);
	tap_is(err, 0, "crafted interleaved sections: cut");
	if (!err) {
		tap_ok(has_section(out, len, ".eh_frame") && has_section(out, len, ".eh_frame_hdr") &&
		       has_section(out, len, ".note.x"), "crafted: every kept section within the file");
		free(out);
	}
	unlink(path);

	/* Overlapping sections would make a copy hundreds of times the file (47 MB here). */
	snprintf(path, sizeof(path), "%s/overlapping", dir);
	write_overlapping(path);
	out = NULL;
	err = screc_elf_extract(path, SCREC_ARCHIVE_FULL, &out, &len);
	tap_ok(err == -ENOEXEC || (!err && len < 2 * 0x11000),
	       "crafted overlapping sections: refused, not copied each time (%d, %zu bytes)", err,
	       err ? 0 : len);
	free(out);
	unlink(path);

	snprintf(path, sizeof(path), "%s/fifo", dir);
	if (mkfifo(path, 0600) == 0) {
		tap_is(screc_read_build_id(path, id, &idlen), -EINVAL, "a FIFO is refused, not opened");
		tap_is(screc_elf_extract(path, SCREC_ARCHIVE_FULL, &out, &len), -EINVAL,
		       "a FIFO is not extracted");
		unlink(path);
	}
	rmdir(dir);
	return tap_done();
}
