// SPDX-License-Identifier: MIT
/*
 * libFuzzer harness: the recorder's ELF readers, which run on whatever files
 * the traced programs map.  Input: an ELF file.  It is written to a memfd and
 * read through its path (/proc/self/fd/N) by screc_elf_extract (at the
 * archive level named by e_ident's last padding byte, which nothing reads),
 * screc_elf_debuglink and screc_read_build_id; screc_build_id_mem reads the
 * input and each extracted image from memory.
 *
 * An extracted image must hold what it claims: its own header and section
 * table, and the bytes of every section it keeps (the rest are SHT_NOBITS).
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buildid.h"
#include "common/elf-extract.h"
#include "fuzz-common.h"

static int memfd = -1;

static void
check_image(const uint8_t *img, size_t len)
{
	Elf64_Ehdr eh;
	size_t i;

	if (len < sizeof(eh))
		fuzz_fail("extracted image of %zu bytes", len);
	memcpy(&eh, img, sizeof(eh));
	if (eh.e_shoff > len || (uint64_t)eh.e_shnum * sizeof(Elf64_Shdr) > len - eh.e_shoff)
		fuzz_fail("extracted image: section table outside its %zu bytes", len);
	if (eh.e_phnum &&
	    (eh.e_phoff > len || (uint64_t)eh.e_phnum * sizeof(Elf64_Phdr) > len - eh.e_phoff))
		fuzz_fail("extracted image: program headers outside its %zu bytes", len);
	/* Section 0 is copied as it was; every other one is kept whole or NOBITS. */
	for (i = 1; i < eh.e_shnum; i++) {
		Elf64_Shdr sh;

		memcpy(&sh, img + eh.e_shoff + i * sizeof(sh), sizeof(sh));
		if (sh.sh_type != SHT_NOBITS &&
		    (sh.sh_offset > len || sh.sh_size > len - sh.sh_offset))
			fuzz_fail("extracted image: section %zu outside its %zu bytes", i, len);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum screc_archive_level level = SCREC_ARCHIVE_UNWIND;
	uint8_t id[SCREC_BUILD_ID_MAX], *out = NULL;
	char path[32], name[256], tiny[2];
	size_t idlen, len = 0;
	uint8_t *copy;

	if (size >= EI_NIDENT)
		level = (enum screc_archive_level)(SCREC_ARCHIVE_UNWIND + data[EI_NIDENT - 1] % 3);
	fuzz_memfd(&memfd, data, size, path);

	if (screc_elf_extract(path, level, &out, &len) == 0) {
		check_image(out, len);
		(void)screc_build_id_mem(out, len, id, &idlen);
		free(out);
	}
	(void)screc_elf_debuglink(path, name, sizeof(name));
	(void)screc_elf_debuglink(path, tiny, sizeof(tiny));
	(void)screc_read_build_id(path, id, &idlen);

	/* In memory, from a copy of exactly the input. */
	copy = malloc(size ? size : 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	if (screc_build_id_mem(copy, size, id, &idlen) == 0 && (idlen == 0 || idlen > sizeof(id)))
		fuzz_fail("build-id of %zu bytes", idlen);
	free(copy);
	return 0;
}
