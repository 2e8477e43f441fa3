// SPDX-License-Identifier: MIT
/*
 * Inflated copies of debug files (report/find/inflate.c), on a debug file
 * objcopy made with compressed sections (argv[1]): every section of the copy
 * holds what libelf's own elf_compress() inflates, nothing is compressed, the
 * location lists are left out; the copy is cached by build-id and reused by
 * another lookup; a wrong build-id is refused; and mutated or truncated
 * copies of the input give either no copy or one whose sections all lie
 * inside it, never a crash (tests/run runs this under AddressSanitizer).
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buildid.h"
#include "common/strtab.h"
#include "report/find/find-internal.h"
#include "tap.h"

#define MUTATIONS 2000

static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st) < 0) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc((size_t)st.st_size);
	if (buf && read(fd, buf, (size_t)st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

/* A memfd holding len bytes of data. */
static int
memfd_with(const uint8_t *data, size_t len)
{
	int fd = memfd_create("test-inflate", MFD_CLOEXEC);

	if (fd >= 0 && write(fd, data, len) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Section name -> inflated bytes of the original, compared with the copy's; counts checks. */
static bool
same_sections(int orig_fd, int copy_fd, int *nr_compared, bool *loclists_dropped)
{
	Elf *a = elf_begin(orig_fd, ELF_C_READ, NULL);
	Elf *b = elf_begin(copy_fd, ELF_C_READ, NULL);
	size_t stra, strb, na, nb, i;
	bool ok = a && b && elf_getshdrstrndx(a, &stra) == 0 && elf_getshdrstrndx(b, &strb) == 0 &&
		  elf_getshdrnum(a, &na) == 0 && elf_getshdrnum(b, &nb) == 0 && na == nb;

	*nr_compared = 0;
	*loclists_dropped = false;
	for (i = 1; ok && i < na; i++) {
		Elf_Scn *sa = elf_getscn(a, i), *sb = elf_getscn(b, i);
		GElf_Shdr ha, hb;
		Elf_Data *da, *db;
		const char *name;

		if (!sa || !sb || !gelf_getshdr(sa, &ha) || !gelf_getshdr(sb, &hb)) {
			ok = false;
			break;
		}
		name = elf_strptr(a, stra, ha.sh_name);
		if (!name || ha.sh_name != hb.sh_name || (hb.sh_flags & SHF_COMPRESSED)) {
			ok = tap_ok(false, "section %zu (%s): same name, not compressed", i,
				    name ? name : "?");
			break;
		}
		if (ha.sh_type == SHT_NOBITS)
			continue;
		if (!strcmp(name, ".debug_loclists") || !strcmp(name, ".debug_loc")) {
			*loclists_dropped = hb.sh_type == SHT_NOBITS;
			continue;
		}
		if ((ha.sh_flags & SHF_COMPRESSED) && elf_compress(sa, 0, 0) < 0) {
			ok = false;
			break;
		}
		da = elf_rawdata(sa, NULL);
		db = elf_rawdata(sb, NULL);
		if (!da || !db || da->d_size != db->d_size ||
		    (da->d_size && memcmp(da->d_buf, db->d_buf, da->d_size))) {
			ok = tap_ok(false, "section %zu (%s): the copy's bytes are inflated", i,
				    name);
			break;
		}
		(*nr_compared)++;
	}
	elf_end(a);
	elf_end(b);
	return ok;
}

/* Whether every section of the ELF file at fd lies inside it (libelf reads them all). */
static bool
sound(int fd)
{
	Elf *e = elf_begin(fd, ELF_C_READ, NULL);
	Elf_Scn *scn = NULL;
	bool ok = e != NULL;

	while (ok && (scn = elf_nextscn(e, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || (sh.sh_flags & SHF_COMPRESSED))
			ok = false;
		else if (sh.sh_type != SHT_NOBITS && sh.sh_size && !elf_rawdata(scn, NULL))
			ok = false;
	}
	elf_end(e);
	return ok;
}

static struct finder *
finder(struct screc_strtab *strs)
{
	struct finder *f = find_new(NULL, strs);

	if (f)
		find_set_jobs(f, 2);
	return f;
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/screc-inflate-XXXXXX", path[4096], hex[41];
	struct screc_strtab *strs = screc_strtab_new();
	uint8_t bid[SCREC_BUILD_ID_MAX], *data;
	size_t bid_len, len, i;
	struct finder *f;
	char *name;
	int fd, copy, compared = 0, refused = 0, made = 0;
	bool dropped = false;
	uint64_t rnd = 0x5eed;

	if (argc < 2)
		return tap_skip_all("usage: test-inflate DEBUG-FILE (objcopy was not found?)");
	elf_version(EV_CURRENT);
	data = slurp(argv[1], &len);
	if (!data || screc_read_build_id(argv[1], bid, &bid_len) != 0 || !mkdtemp(dir))
		return tap_skip_all("the input has no build-id, or no temporary directory");
	screc_hex(bid, bid_len, hex);
	setenv("SCREC_CACHE_DIR", dir, 1);

	/* A copy, whose sections are the inflated ones, and which goes to the cache. */
	f = finder(strs);
	fd = open(argv[1], O_RDONLY);
	name = strdup(argv[1]);
	copy = find_inflated(f, fd, bid, bid_len, &name);
	if (tap_ok(copy >= 0, "a file with compressed sections gets a copy")) {
		tap_ok(strcmp(name, argv[1]) != 0, "its name is the copy's: %s", name);
		bool same = same_sections(fd, copy, &compared, &dropped);

		tap_ok(same && compared > 3, "every section (%d) holds libelf's inflated bytes",
		       compared);
		tap_ok(dropped, "the location lists are left out (NOBITS)");
		close(copy);
	}
	free(name);
	snprintf(path, sizeof(path), "%s/debug/%s.debug", dir, hex);
	tap_ok(access(path, R_OK) == 0, "the copy is cached as %s", path);
	name = NULL;
	tap_is(find_inflated(f, fd, bid, bid_len - 1, &name), -1, "a wrong build-id: no copy");
	tap_ok(name == NULL, "and the name is left alone");
	find_free(f);

	/* Another lookup takes it from the cache. */
	f = finder(strs);
	name = NULL;
	copy = find_inflated(f, fd, bid, bid_len, &name);
	tap_ok(copy >= 0 && name && !strcmp(name, path), "another lookup uses the cached copy");
	if (copy >= 0)
		close(copy);
	free(name);
	find_free(f);
	close(fd);

	/* Damaged inputs: no copy, or a sound one; no cache here. */
	setenv("SCREC_CACHE_DIR", "", 1);
	for (i = 0; i < MUTATIONS; i++) {
		uint8_t *m = malloc(len);
		size_t mlen = len, k, n = 1 + tap_rand(&rnd) % 4;

		memcpy(m, data, len);
		if (i % 5 == 4) {
			mlen = tap_rand(&rnd) % len;
		} else {
			for (k = 0; k < n; k++) {
				/* Mostly in the headers: the start, the end (section table). */
				size_t at = tap_rand(&rnd) % 3 == 0 ? tap_rand(&rnd) % len :
					    tap_rand(&rnd) % 2 ? tap_rand(&rnd) % 4096 % len :
					    len - 1 - tap_rand(&rnd) % (len < 8192 ? len : 8192);

				m[at] ^= (uint8_t)(1 + tap_rand(&rnd) % 255);
			}
		}
		fd = memfd_with(m, mlen);
		f = finder(strs);
		name = NULL;
		copy = fd >= 0 && f ? find_inflated(f, fd, bid, bid_len, &name) : -1;
		if (copy < 0) {
			refused++;
		} else {
			made++;
			if (!sound(copy)) {
				char out[64];

				snprintf(out, sizeof(out), "/tmp/screc-inflate-bad-%zu", i);
				tap_ok(false, "mutation %zu: a sound copy (input: %s)", i, out);
				fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
				if (fd >= 0 && write(fd, m, mlen) < 0)
					tap_diag("cannot write %s", out);
				break;
			}
			close(copy);
		}
		free(name);
		find_free(f);
		if (fd >= 0)
			close(fd);
		free(m);
	}
	tap_ok(i == MUTATIONS, "%d mutated inputs: %d refused, %d copies, all sound", MUTATIONS,
	       refused, made);
	unlink(path);
	snprintf(path, sizeof(path), "%s/debug", dir);
	rmdir(path);
	rmdir(dir);
	screc_strtab_free(strs);
	free(data);
	return tap_done();
}
