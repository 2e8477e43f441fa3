// SPDX-License-Identifier: MIT
/*
 * ELF extraction for archives.  The output keeps the input's section table
 * (so section indices, sh_link and symbol section numbers stay valid) and its
 * program headers (so the load layout and bias are known), but only the bytes
 * of the sections asked for.  Kept allocated sections keep their distances to
 * each other where they were close, because libdw finds .eh_frame from
 * .eh_frame_hdr by address difference.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buildid.h"
#include "elf-extract.h"
#include "util.h"

#define MAX_SECTIONS	4096
#define KEEP_GAP	(64u * 1024)

/* A file that ends too soon is no ELF file of ours. */
static int
read_at(int fd, void *buf, size_t len, uint64_t off)
{
	int err = screc_pread_all(fd, buf, len, off);

	return err == -ENODATA ? -ENOEXEC : err;
}

static bool
wanted(const char *name, const Elf64_Shdr *sh, enum screc_archive_level level)
{
	static const char *const unwind[] = { ".eh_frame", ".eh_frame_hdr", ".debug_frame",
					      ".zdebug_frame", NULL };
	static const char *const symbols[] = { ".symtab", ".strtab", ".dynsym", ".dynstr",
					       ".gnu_debugdata", NULL };
	size_t i;

	if (sh->sh_type == SHT_NOTE)
		return true;
	for (i = 0; unwind[i]; i++)
		if (strcmp(name, unwind[i]) == 0)
			return true;
	if (level < SCREC_ARCHIVE_SYMBOLS)
		return false;
	for (i = 0; symbols[i]; i++)
		if (strcmp(name, symbols[i]) == 0)
			return true;
	if (level < SCREC_ARCHIVE_FULL)
		return false;
	return strncmp(name, ".debug_", 7) == 0 || strncmp(name, ".zdebug_", 8) == 0 ||
	       strcmp(name, ".gdb_index") == 0;
}

int
screc_elf_extract(const char *path, enum screc_archive_level level, uint8_t **out, size_t *len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr *sh = NULL;
	Elf64_Phdr *ph = NULL;
	uint64_t *new_off = NULL, pos, file_size, prev_end_old = 0, prev_end_new = 0, kept = 0;
	char *names = NULL;
	uint8_t *buf = NULL;
	bool *keep = NULL;
	struct stat st;
	size_t i, j, names_size = 0;
	int fd, err;

	fd = screc_open_regular(path);
	if (fd < 0)
		return fd;
	err = fstat(fd, &st) < 0 ? -errno : 0;
	if (err)
		goto out;
	file_size = (uint64_t)st.st_size;
	err = read_at(fd, &eh, sizeof(eh), 0);
	if (err)
		goto out;
	err = -ENOEXEC;
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    (eh.e_phnum && eh.e_phentsize != sizeof(Elf64_Phdr)) || eh.e_shnum == 0 ||
	    eh.e_shnum > MAX_SECTIONS || eh.e_shstrndx >= eh.e_shnum || eh.e_phnum > 256)
		goto out;
	sh = calloc(eh.e_shnum, sizeof(*sh));
	ph = calloc(eh.e_phnum ? eh.e_phnum : 1, sizeof(*ph));
	keep = calloc(eh.e_shnum, sizeof(*keep));
	new_off = calloc(eh.e_shnum, sizeof(*new_off));
	if (!sh || !ph || !keep || !new_off) {
		err = -ENOMEM;
		goto out;
	}
	if (read_at(fd, sh, eh.e_shnum * sizeof(*sh), eh.e_shoff) ||
	    (eh.e_phnum && read_at(fd, ph, eh.e_phnum * sizeof(*ph), eh.e_phoff)))
		goto out;
	names_size = sh[eh.e_shstrndx].sh_size;
	if (names_size == 0 || names_size > file_size || sh[eh.e_shstrndx].sh_offset > file_size)
		goto out;
	names = malloc(names_size + 1);
	if (!names || read_at(fd, names, names_size, sh[eh.e_shstrndx].sh_offset)) {
		err = names ? -ENOEXEC : -ENOMEM;
		goto out;
	}
	names[names_size] = '\0';

	/* Choose, and lay out: header, program headers, section bytes, section table. */
	pos = sizeof(eh) + (uint64_t)eh.e_phnum * sizeof(*ph);
	for (i = 1; i < eh.e_shnum; i++) {
		const char *name = sh[i].sh_name < names_size ? names + sh[i].sh_name : "";
		uint64_t align = sh[i].sh_addralign > 1 ? sh[i].sh_addralign : 1;

		keep[i] = sh[i].sh_type != SHT_NOBITS &&
			  (i == eh.e_shstrndx || wanted(name, &sh[i], level)) &&
			  sh[i].sh_offset <= file_size && sh[i].sh_size <= file_size - sh[i].sh_offset;
		if (!keep[i])
			continue;
		/*
		 * The sections of a real file do not overlap: what they keep adds up
		 * to no more than the file.  Overlapping ones (a crafted file) would
		 * make the copy many times the file's size: refuse it.
		 */
		if (sh[i].sh_size > file_size - kept)
			goto out;
		kept += sh[i].sh_size;
		/* Never backwards: a kept section in between may have moved pos on. */
		if ((sh[i].sh_flags & SHF_ALLOC) && prev_end_old && sh[i].sh_offset >= prev_end_old &&
		    sh[i].sh_offset - prev_end_old <= KEEP_GAP &&
		    prev_end_new + (sh[i].sh_offset - prev_end_old) >= pos)
			pos = prev_end_new + (sh[i].sh_offset - prev_end_old);
		else if (align <= 4096)
			pos = (pos + align - 1) & ~(align - 1);
		new_off[i] = pos;
		pos += sh[i].sh_size;
		if (sh[i].sh_flags & SHF_ALLOC) {
			prev_end_old = sh[i].sh_offset + sh[i].sh_size;
			prev_end_new = pos;
		}
	}
	pos = (pos + 7) & ~7ull;
	*len = pos + (size_t)eh.e_shnum * sizeof(*sh);
	buf = calloc(1, *len);
	if (!buf) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 1; i < eh.e_shnum; i++)
		if (keep[i] && read_at(fd, buf + new_off[i], sh[i].sh_size, sh[i].sh_offset))
			goto out;

	/* Move the program headers that point into kept sections. */
	for (j = 0; j < eh.e_phnum; j++) {
		if (ph[j].p_type != PT_NOTE && ph[j].p_type != PT_GNU_EH_FRAME)
			continue;
		for (i = 1; i < eh.e_shnum; i++)
			if (keep[i] && ph[j].p_offset >= sh[i].sh_offset &&
			    ph[j].p_offset < sh[i].sh_offset + sh[i].sh_size) {
				uint64_t delta = ph[j].p_offset - sh[i].sh_offset;

				ph[j].p_offset = new_off[i] + delta;
				if (ph[j].p_filesz > sh[i].sh_size - delta)
					ph[j].p_filesz = sh[i].sh_size - delta;
				break;
			}
	}
	for (i = 1; i < eh.e_shnum; i++) {
		if (keep[i]) {
			sh[i].sh_offset = new_off[i];
		} else if (sh[i].sh_type != SHT_NOBITS) {
			sh[i].sh_type = SHT_NOBITS;
			sh[i].sh_offset = pos;
		}
	}
	eh.e_phoff = eh.e_phnum ? sizeof(eh) : 0;
	eh.e_shoff = pos;
	memcpy(buf, &eh, sizeof(eh));
	memcpy(buf + sizeof(eh), ph, (size_t)eh.e_phnum * sizeof(*ph));
	memcpy(buf + pos, sh, (size_t)eh.e_shnum * sizeof(*sh));
	*out = buf;
	buf = NULL;
	err = 0;
out:
	free(buf);
	free(names);
	free(new_off);
	free(keep);
	free(ph);
	free(sh);
	close(fd);
	return err;
}

int
screc_elf_debuglink(const char *path, char *name, size_t len)
{
	Elf64_Ehdr eh;
	Elf64_Shdr strs, sh;
	char sname[32];
	int fd, err = -ENOEXEC;
	size_t i;

	fd = screc_open_regular(path);
	if (fd < 0)
		return fd;
	if (read_at(fd, &eh, sizeof(eh), 0) || memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_shentsize != sizeof(sh) ||
	    eh.e_shstrndx >= eh.e_shnum ||
	    read_at(fd, &strs, sizeof(strs), eh.e_shoff + (uint64_t)eh.e_shstrndx * sizeof(sh)))
		goto out;
	err = -ENOENT;
	for (i = 1; i < eh.e_shnum && i < MAX_SECTIONS; i++) {
		if (read_at(fd, &sh, sizeof(sh), eh.e_shoff + i * sizeof(sh)) ||
		    sh.sh_name >= strs.sh_size)
			break;
		memset(sname, 0, sizeof(sname));
		pread(fd, sname, sizeof(sname) - 1, (off_t)(strs.sh_offset + sh.sh_name));
		if (strcmp(sname, ".gnu_debuglink") != 0 || sh.sh_type == SHT_NOBITS)
			continue;
		if (len < 2 || read_at(fd, name, sh.sh_size < len - 1 ? sh.sh_size : len - 1,
				       sh.sh_offset))
			break;
		name[(sh.sh_size < len - 1 ? sh.sh_size : len - 1)] = '\0';
		err = name[0] && !strchr(name, '/') ? 0 : -ENOENT;
		break;
	}
out:
	close(fd);
	return err;
}

int
screc_build_id_mem(const uint8_t *img, size_t len, uint8_t *id, size_t *idlen)
{
	Elf64_Ehdr eh;
	size_t i;

	if (len < sizeof(eh))
		return -ENOEXEC;
	memcpy(&eh, img, sizeof(eh));
	if (memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0 || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phoff > len ||
	    (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff)
		return -ENOEXEC;
	for (i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;

		memcpy(&ph, img + eh.e_phoff + i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_NOTE || ph.p_offset > len || ph.p_filesz > len - ph.p_offset)
			continue;
		if (screc_note_build_id(img + ph.p_offset, ph.p_filesz, id, idlen) == 0)
			return 0;
	}
	return -ENOENT;
}
