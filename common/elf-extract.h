/* SPDX-License-Identifier: MIT */
/*
 * Cutting an ELF file down to what an offline report needs from it (unwind
 * tables, symbol tables, DWARF), without libelf, so the recorder can archive
 * binaries on a production host.
 */
#ifndef SCREC_ELF_EXTRACT_H
#define SCREC_ELF_EXTRACT_H

#include <stddef.h>
#include <stdint.h>

enum screc_archive_level {
	SCREC_ARCHIVE_NONE = 0,
	SCREC_ARCHIVE_UNWIND = 1,	/* .eh_frame, .eh_frame_hdr, .debug_frame, load layout */
	SCREC_ARCHIVE_SYMBOLS = 2,	/* + .symtab, .dynsym, their strings, .gnu_debugdata */
	SCREC_ARCHIVE_FULL = 3,		/* + every .debug_* section */
};

/*
 * Build a smaller ELF file from the 64-bit little-endian ELF at path: the
 * same ELF and program headers and section table, with the contents of only
 * the sections level asks for (notes always); every other section becomes
 * SHT_NOBITS.  Program headers that point into kept sections (PT_NOTE,
 * PT_GNU_EH_FRAME) are moved with them.  *out is malloc'd.  Returns 0,
 * -ENOEXEC for a file that is not such an ELF file, or -errno.
 */
int screc_elf_extract(const char *path, enum screc_archive_level level, uint8_t **out,
		      size_t *len);

/*
 * The file name in the .gnu_debuglink section of the ELF file at path, into
 * name (len bytes).  Returns 0, -ENOENT without one, -ENOEXEC, or -errno.
 */
int screc_elf_debuglink(const char *path, char *name, size_t len);

/* The GNU build-id of an ELF image in memory (the vdso); 0, -ENOENT or -ENOEXEC. */
int screc_build_id_mem(const uint8_t *img, size_t len, uint8_t *id, size_t *idlen);

#endif
