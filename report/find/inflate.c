// SPDX-License-Identifier: MIT
/*
 * Separate debug files with compressed sections (SHF_COMPRESSED, as
 * Debian's are), handed to libdwfl inflated.  libdw 0.188 inflates every
 * .debug_* section of such a file on one thread each time a Dwfl opens it
 * (116 ms of zlib for libc's).  Here the file is rewritten once as the same
 * ELF file with those sections stored plain: the same section table and
 * indices, the same bytes up to the first compressed section (the ELF
 * header, program headers and notes), the sections from there on laid out
 * anew, the section headers at the end.  The sections are inflated with
 * libdeflate where the build found it (4.8 times as fast as zlib on libc's
 * debug file), else zlib, on as many threads as the report may use (two at
 * most: .debug_info on one, the rest on the other); the ones the report
 * never reads (location lists, macros: no dwarf_getlocation*() nor
 * dwarf_getmacros() anywhere in report/) become SHT_NOBITS.  The copy is
 * made once per build-id for the whole report, into a cache directory as
 * <cache>/debug/<build-id>.debug (else a memfd), so that the next report
 * maps it as it is (libc's is 9 MB).
 *
 * A debug file is untrusted input: every offset and size is checked, the
 * inflated size is capped, and on any problem the original file is used as
 * it is (libdw then inflates it as it always did); -v says why.
 */
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#ifdef SCREC_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

#include "common/buildid.h"
#include "common/log.h"
#include "common/util.h"
#include "find-internal.h"

#define MAX_OUT		(1ull << 30)	/* the whole inflated file */
#define MAX_RATIO	64		/* inflated / compressed, for one section */
#define MAX_ALIGN	4096
#define MAX_NAMES	(1u << 20)	/* .shstrtab */
#define MAX_NOTES	(64u << 10)
#define MAX_COMPRESSED	4096		/* sections; a linked debug file has a dozen */

/* How each section of the input goes to the output. */
enum how { KEEP, COPY, INFLATE, DROP };

struct sec {
	enum how how;
	uint64_t in_off, in_size;	/* for INFLATE: the zlib stream after the header */
	uint64_t out_off, out_size, align;
	uint8_t *in;			/* INFLATE: where its stream is read to */
	int err;			/* INFLATE: how it went */
};

/* A parsed input (or cache) file. */
struct elf_in {
	int fd;
	uint64_t size;
	Elf64_Ehdr eh;
	Elf64_Shdr *sh;
	char *names;
	uint64_t names_len;
	uint8_t bid[SCREC_BUILD_ID_MAX];
	size_t bid_len;
	size_t nr_compressed;
	bool relative_altlink;		/* .gnu_debugaltlink names a path not absolute */
};

static const char *
sec_name(const struct elf_in *e, size_t i)
{
	return e->names && e->sh[i].sh_name < e->names_len ? e->names + e->sh[i].sh_name : "";
}

static bool
has_data(const Elf64_Shdr *sh)
{
	return sh->sh_type != SHT_NOBITS && sh->sh_size;
}

static void
elf_in_release(struct elf_in *e)
{
	free(e->sh);
	free(e->names);
	e->sh = NULL;
	e->names = NULL;
}

/* The build-id note and the altlink's kind, from sections that are not compressed. */
static void
read_notes(struct elf_in *e)
{
	size_t i;

	for (i = 1; i < e->eh.e_shnum; i++) {
		const Elf64_Shdr *sh = &e->sh[i];
		uint8_t *buf;
		char first = 0;

		if (!strcmp(sec_name(e, i), ".gnu_debugaltlink")) {
			if ((sh->sh_flags & SHF_COMPRESSED) || !has_data(sh) ||
			    screc_pread_all(e->fd, &first, 1, sh->sh_offset) || first != '/')
				e->relative_altlink = true;
			continue;
		}
		if (sh->sh_type != SHT_NOTE || (sh->sh_flags & SHF_COMPRESSED) || e->bid_len ||
		    !sh->sh_size || sh->sh_size > MAX_NOTES)
			continue;
		buf = malloc(sh->sh_size);
		if (buf && screc_pread_all(e->fd, buf, sh->sh_size, sh->sh_offset) == 0 &&
		    screc_note_build_id(buf, sh->sh_size, e->bid, &e->bid_len) != 0)
			e->bid_len = 0;
		free(buf);
	}
}

/*
 * Read and check the ELF header, section headers and section names of the
 * file open at fd.  Returns 0, -ENOTSUP for what this code does not handle
 * (not 64-bit little-endian, extended numbering), -EBADMSG for offsets or
 * sizes outside the file, or -errno.
 */
static int
elf_in_parse(struct elf_in *e, int fd)
{
	struct stat st;
	const Elf64_Shdr *str;
	size_t i;
	int err;

	memset(e, 0, sizeof(*e));
	e->fd = fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < sizeof(e->eh))
		return -EBADMSG;
	e->size = (uint64_t)st.st_size;
	err = screc_pread_all(fd, &e->eh, sizeof(e->eh), 0);
	if (err)
		return err;
	if (memcmp(e->eh.e_ident, ELFMAG, SELFMAG) != 0)
		return -EBADMSG;
	if (e->eh.e_ident[EI_CLASS] != ELFCLASS64 || e->eh.e_ident[EI_DATA] != ELFDATA2LSB ||
	    e->eh.e_ident[EI_VERSION] != EV_CURRENT || e->eh.e_shentsize != sizeof(Elf64_Shdr) ||
	    e->eh.e_shnum == 0 || e->eh.e_shnum >= SHN_LORESERVE ||
	    e->eh.e_shstrndx >= e->eh.e_shnum || e->eh.e_phnum >= PN_XNUM)
		return -ENOTSUP;
	if (e->eh.e_phnum &&
	    (e->eh.e_phentsize != sizeof(Elf64_Phdr) || e->eh.e_phoff > e->size ||
	     (uint64_t)e->eh.e_phnum * sizeof(Elf64_Phdr) > e->size - e->eh.e_phoff))
		return -EBADMSG;
	if (e->eh.e_shoff > e->size ||
	    (uint64_t)e->eh.e_shnum * sizeof(Elf64_Shdr) > e->size - e->eh.e_shoff)
		return -EBADMSG;
	e->sh = malloc(e->eh.e_shnum * sizeof(*e->sh));
	if (!e->sh)
		return -ENOMEM;
	err = screc_pread_all(fd, e->sh, e->eh.e_shnum * sizeof(*e->sh), e->eh.e_shoff);
	if (err)
		return err;
	for (i = 1; i < e->eh.e_shnum; i++) {
		const Elf64_Shdr *sh = &e->sh[i];

		if (has_data(sh) &&
		    (sh->sh_offset > e->size || sh->sh_size > e->size - sh->sh_offset))
			return -EBADMSG;
		if ((sh->sh_flags & SHF_COMPRESSED) && !has_data(sh))
			return -EBADMSG;	/* no room for its compression header */
		if ((sh->sh_flags & SHF_COMPRESSED) && ++e->nr_compressed > MAX_COMPRESSED)
			return -ENOTSUP;
	}
	str = &e->sh[e->eh.e_shstrndx];
	if (str->sh_type != SHT_STRTAB || (str->sh_flags & SHF_COMPRESSED) || !str->sh_size ||
	    str->sh_size > MAX_NAMES)
		return -EBADMSG;
	e->names = malloc(str->sh_size + 1);
	if (!e->names)
		return -ENOMEM;
	err = screc_pread_all(fd, e->names, str->sh_size, str->sh_offset);
	if (err)
		return err;
	e->names[str->sh_size] = 0;
	e->names_len = str->sh_size + 1;
	read_notes(e);
	return 0;
}

/* Sections no libdw call of the report reads: not inflated, left out. */
static bool
unread(const char *name)
{
	static const char *const names[] = {
		".debug_loc", ".debug_loclists", ".debug_macro", ".debug_macinfo", NULL,
	};
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}

static bool
power_of_two(uint64_t x)
{
	return x && !(x & (x - 1));
}

/* Where the output's parts go. */
struct layout {
	uint64_t keep;			/* bytes [0, keep) are the input's */
	uint64_t shoff;			/* the section headers */
	uint64_t total;
};

/*
 * Decide where each section goes.  Returns 0 or -EBADMSG / -ENOTSUP /
 * -EFBIG (over the caps) / -errno.
 */
static int
plan(const struct elf_in *e, struct sec *s, struct layout *l)
{
	uint64_t keep = UINT64_MAX, pos;
	size_t i;

	for (i = 1; i < e->eh.e_shnum; i++)
		if (has_data(&e->sh[i]) && (e->sh[i].sh_flags & SHF_COMPRESSED) &&
		    e->sh[i].sh_offset < keep)
			keep = e->sh[i].sh_offset;
	/* The bytes kept where they are: the headers, program headers and what they cover. */
	if (keep < sizeof(Elf64_Ehdr) ||
	    (e->eh.e_phnum &&
	     (e->eh.e_phoff > keep ||
	      (uint64_t)e->eh.e_phnum * sizeof(Elf64_Phdr) > keep - e->eh.e_phoff)))
		return -ENOTSUP;
	if (e->eh.e_phnum) {
		Elf64_Phdr *ph = malloc(e->eh.e_phnum * sizeof(*ph));
		int err = ph ? screc_pread_all(e->fd, ph, e->eh.e_phnum * sizeof(*ph), e->eh.e_phoff) :
			       -ENOMEM;

		for (i = 0; !err && i < e->eh.e_phnum; i++)
			if (ph[i].p_filesz &&
			    (ph[i].p_offset > keep || ph[i].p_filesz > keep - ph[i].p_offset))
				err = -ENOTSUP;
		free(ph);
		if (err)
			return err;
	}
	pos = keep;
	memset(s, 0, e->eh.e_shnum * sizeof(*s));
	for (i = 1; i < e->eh.e_shnum; i++) {
		const Elf64_Shdr *sh = &e->sh[i];
		uint64_t align = sh->sh_addralign ? sh->sh_addralign : 1;

		s[i].how = KEEP;
		if (!has_data(sh))
			continue;
		if (sh->sh_flags & SHF_COMPRESSED) {
			Elf64_Chdr ch;
			int err;

			if (sh->sh_size <= sizeof(ch))
				return -EBADMSG;
			err = screc_pread_all(e->fd, &ch, sizeof(ch), sh->sh_offset);
			if (err)
				return err;
			if (ch.ch_type != ELFCOMPRESS_ZLIB)
				return -ENOTSUP;
			if (ch.ch_size > MAX_OUT ||
			    ch.ch_size / MAX_RATIO > sh->sh_size - sizeof(ch))
				return -EFBIG;
			s[i].how = unread(sec_name(e, i)) ? DROP : INFLATE;
			s[i].in_off = sh->sh_offset + sizeof(ch);
			s[i].in_size = sh->sh_size - sizeof(ch);
			s[i].out_size = ch.ch_size;
			align = ch.ch_addralign ? ch.ch_addralign : 1;
		} else if (sh->sh_offset < keep) {
			if (sh->sh_size > keep - sh->sh_offset)
				return -ENOTSUP;	/* across the line: cannot stay nor move */
			continue;
		} else {
			s[i].how = COPY;
			s[i].in_off = sh->sh_offset;
			s[i].in_size = s[i].out_size = sh->sh_size;
		}
		if (!power_of_two(align) || align > MAX_ALIGN)
			return -ENOTSUP;
		s[i].align = align;
		pos = (pos + align - 1) & ~(align - 1);
		s[i].out_off = pos;
		if (s[i].how == DROP)
			continue;
		if (s[i].out_size > MAX_OUT - pos)
			return -EFBIG;
		pos += s[i].out_size;
	}
	l->keep = keep;
	l->shoff = (pos + 7) & ~7ull;
	l->total = l->shoff + e->eh.e_shnum * sizeof(Elf64_Shdr);
	return 0;
}

/* One thread's share of the sections to inflate. */
struct worker {
	const struct elf_in *e;
	struct sec *s;
	uint8_t *out;
	size_t *jobs, nr_jobs;
	pthread_t thread;
};

#ifdef SCREC_HAVE_LIBDEFLATE
/* The whole stream at once, into exactly out_size bytes (its Adler-32 checked). */
static int
inflate_buf(const uint8_t *in, const struct sec *s, uint8_t *out)
{
	struct libdeflate_decompressor *d = libdeflate_alloc_decompressor();
	enum libdeflate_result r;

	if (!d)
		return -ENOMEM;
	r = libdeflate_zlib_decompress(d, in, s->in_size, out + s->out_off, s->out_size, NULL);
	libdeflate_free_decompressor(d);
	return r == LIBDEFLATE_SUCCESS ? 0 : -EBADMSG;
}
#else
static int
inflate_buf(const uint8_t *in, const struct sec *s, uint8_t *out)
{
	z_stream z;
	int err, zr;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK)
		return -ENOMEM;
	/* Both fit in a uInt: the caps keep them under 1 GiB and 64 times apart. */
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)s->in_size;
	z.next_out = out + s->out_off;
	z.avail_out = (uInt)s->out_size;
	zr = inflate(&z, Z_FINISH);
	err = zr == Z_STREAM_END && z.total_out == s->out_size ? 0 : -EBADMSG;
	inflateEnd(&z);
	return err;
}
#endif

static int
inflate_one(int fd, const struct sec *s, uint8_t *out)
{
	int err = screc_pread_all(fd, s->in, s->in_size, s->in_off);

	return err ? err : inflate_buf(s->in, s, out);
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	size_t k;

	for (k = 0; k < w->nr_jobs; k++) {
		struct sec *s = &w->s[w->jobs[k]];

		s->err = inflate_one(w->e->fd, s, w->out);
	}
	return NULL;
}

/* Largest first, each to the least loaded of up to two threads; the caller's is one. */
static int
inflate_all(const struct elf_in *e, struct sec *s, uint8_t *out, unsigned threads)
{
	struct worker w[2] = { { e, s, out, NULL, 0, 0 }, { e, s, out, NULL, 0, 0 } };
	uint64_t load[2] = { 0, 0 };
	size_t i, n = 0, *order;
	bool started = false;
	int err = 0;

	order = malloc(e->eh.e_shnum * sizeof(*order) * 3);
	if (!order)
		return -ENOMEM;
	for (i = 1; i < e->eh.e_shnum; i++)
		if (s[i].how == INFLATE)
			order[n++] = i;
	for (i = 1; i < n; i++) {
		size_t k = order[i], j = i;

		for (; j > 0 && s[order[j - 1]].out_size < s[k].out_size; j--)
			order[j] = order[j - 1];
		order[j] = k;
	}
	w[0].jobs = order + n;
	w[1].jobs = order + 2 * n;
	for (i = 0; i < n; i++) {
		int t = threads > 1 && load[1] < load[0];

		w[t].jobs[w[t].nr_jobs++] = order[i];
		load[t] += s[order[i]].out_size;
	}
	if (w[1].nr_jobs)
		started = pthread_create(&w[1].thread, NULL, work, &w[1]) == 0;
	work(&w[0]);
	if (started)
		pthread_join(w[1].thread, NULL);
	else
		work(&w[1]);
	for (i = 0; i < n && !err; i++)
		err = s[order[i]].err;
	free(order);
	return err;
}

#define HUGE_PAGE	(2ul << 20)

/* Anonymous memory, in transparent huge pages where the system gives them. */
struct huge {
	uint8_t *map, *p;		/* the mapping, p aligned inside it */
	size_t len;
};

static int
huge_alloc(struct huge *h, size_t size)
{
	size_t len = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);

	h->len = len + HUGE_PAGE;
	h->map = mmap(NULL, h->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (h->map == MAP_FAILED) {
		h->map = NULL;
		return -errno;
	}
	h->p = (uint8_t *)(((uintptr_t)h->map + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
	madvise(h->p, len, MADV_HUGEPAGE);	/* a hint: without it, small pages */
	return 0;
}

static void
huge_free(struct huge *h)
{
	if (h->map)
		munmap(h->map, h->len);
	h->map = NULL;
}

/*
 * Build the inflated copy of e as planned (s, l) in *out (l->total bytes at
 * out->p, for huge_free()).  Returns 0 or -errno.  The streams are read and
 * inflated in huge pages: on this machine (a VM) each 4 KiB page first
 * written costs about 20 us, which tripled the time libdeflate takes on
 * libc's .debug_info (10 ms into huge pages, 34 ms into small ones, 35 ms
 * into a memfd's shared mapping).
 */
static int
build(const struct elf_in *e, struct sec *s, const struct layout *l, unsigned threads,
      struct huge *out)
{
	struct huge in = { NULL, NULL, 0 };
	uint64_t in_total = 0;
	Elf64_Shdr *osh;
	size_t i;
	int err;

	for (i = 1; i < e->eh.e_shnum; i++)
		if (s[i].how == INFLATE) {
			if (s[i].in_size > MAX_OUT - in_total)
				return -EFBIG;
			in_total += s[i].in_size;
		}
	err = huge_alloc(&in, in_total);
	if (err)
		return err;
	in_total = 0;
	for (i = 1; i < e->eh.e_shnum; i++)
		if (s[i].how == INFLATE) {
			s[i].in = in.p + in_total;
			in_total += s[i].in_size;
		}
	err = huge_alloc(out, l->total);
	if (!err)
		err = screc_pread_all(e->fd, out->p, l->keep, 0);
	for (i = 1; i < e->eh.e_shnum && !err; i++)
		if (s[i].how == COPY)
			err = screc_pread_all(e->fd, out->p + s[i].out_off, s[i].out_size, s[i].in_off);
	if (!err)
		err = inflate_all(e, s, out->p, threads);
	huge_free(&in);
	if (err) {
		huge_free(out);
		return err;
	}
	/* Between the sections: zeros, as the fresh mapping has them. */
	osh = (Elf64_Shdr *)(out->p + l->shoff);
	memcpy(osh, e->sh, e->eh.e_shnum * sizeof(*osh));
	for (i = 1; i < e->eh.e_shnum; i++) {
		if (s[i].how == KEEP)
			continue;
		osh[i].sh_offset = s[i].out_off;
		osh[i].sh_size = s[i].out_size;
		if (s[i].how == COPY)
			continue;
		osh[i].sh_flags &= ~(uint64_t)SHF_COMPRESSED;
		osh[i].sh_addralign = s[i].align;
		if (s[i].how == DROP)
			osh[i].sh_type = SHT_NOBITS;
	}
	((Elf64_Ehdr *)out->p)->e_shoff = l->shoff;
	return 0;
}

static int
write_all(int fd, const uint8_t *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -EIO;
		done += (size_t)n;
	}
	return 0;
}

/* The copy in a new memfd; returns it or -errno. */
static int
to_memfd(const uint8_t *buf, size_t len)
{
	int fd = memfd_create("screc-inflated", MFD_CLOEXEC), err;

	if (fd < 0)
		return -errno;
	err = write_all(fd, buf, len);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

/*
 * Whether the cache file c is the inflated copy of e as planned (s, l):
 * the same build-id, section table and sizes, nothing compressed, every
 * section inside the file (elf_in_parse() checked that), no more nor less.
 */
static bool
valid_copy(const struct elf_in *c, const struct elf_in *e, const struct sec *s,
	   const struct layout *l)
{
	size_t i;

	if (c->nr_compressed || c->bid_len != e->bid_len || memcmp(c->bid, e->bid, e->bid_len) ||
	    c->eh.e_shnum != e->eh.e_shnum || c->size != l->total || c->eh.e_shoff != l->shoff)
		return false;
	for (i = 1; i < e->eh.e_shnum; i++) {
		const Elf64_Shdr *a = &c->sh[i], *b = &e->sh[i];

		if (a->sh_name != b->sh_name ||
		    (a->sh_flags | SHF_COMPRESSED) != (b->sh_flags | SHF_COMPRESSED))
			return false;
		if (s[i].how == KEEP) {
			if (a->sh_type != b->sh_type || a->sh_offset != b->sh_offset ||
			    a->sh_size != b->sh_size)
				return false;
		} else if (a->sh_offset != s[i].out_off || a->sh_size != s[i].out_size ||
			   a->sh_type != (s[i].how == DROP ? SHT_NOBITS : b->sh_type)) {
			return false;
		}
	}
	return true;
}

/* Make dir and its parents (0755); 0 or -errno. */
static int
mkdirs(const char *dir)
{
	char buf[PATH_MAX];
	size_t i, len = strlen(dir);

	if (len >= sizeof(buf))
		return -ENAMETOOLONG;
	memcpy(buf, dir, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != 0)
			continue;
		buf[i] = 0;
		if (mkdir(buf, 0755) < 0 && errno != EEXIST)
			return -errno;
		buf[i] = i < len ? '/' : 0;
	}
	return 0;
}

/* Write the copy to path, atomically (a temporary name, then rename); 0 or -errno. */
static int
save(const uint8_t *buf, size_t len, const char *dir, const char *path, const char *hex)
{
	char tmp[PATH_MAX];
	int out, err;

	err = mkdirs(dir);
	if (err)
		return err;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, hex) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	out = mkostemp(tmp, O_CLOEXEC);
	if (out < 0)
		return -errno;
	err = write_all(out, buf, len);
	if (!err && fchmod(out, 0644) < 0)
		err = -errno;
	/*
	 * On disk before it has its name: after a crash a copy with its
	 * headers but zeros inside would pass valid_copy() for good.
	 */
	if (!err && fdatasync(out) < 0)
		err = -errno;
	if (close(out) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* The cache's root: $SCREC_CACHE_DIR, $XDG_CACHE_HOME/screc or ~/.cache/screc; NULL: none. */
static const char *
cache_root(struct finder *f)
{
	const char *env = getenv("SCREC_CACHE_DIR"), *xdg = getenv("XDG_CACHE_HOME");
	const char *home = getenv("HOME");
	char buf[PATH_MAX];

	if (f->cache_decided)
		return f->cache_dir;
	f->cache_decided = true;
	if (f->opts.no_cache || (env && !*env))
		return NULL;
	if (env)
		snprintf(buf, sizeof(buf), "%s", env);
	else if (xdg && xdg[0] == '/')
		snprintf(buf, sizeof(buf), "%s/screc", xdg);
	else if (home && home[0] == '/')
		snprintf(buf, sizeof(buf), "%s/.cache/screc", home);
	else
		return NULL;
	f->cache_dir = strdup(buf);
	return f->cache_dir;
}

static struct inflated *
memo_find(struct finder *f, const uint8_t *bid, size_t len)
{
	size_t i;

	for (i = 0; i < f->nr_inflated; i++)
		if (f->inflated[i].len == len && !memcmp(f->inflated[i].bid, bid, len))
			return &f->inflated[i];
	return NULL;
}

/* Where to find e's inflated copy: the cache's, or one built now (also saved there). */
static void
make(struct finder *f, const struct elf_in *e, struct inflated *m, const char *what)
{
	const char *root = cache_root(f);
	char hex[2 * SCREC_BUILD_ID_MAX + 1], dir[PATH_MAX], path[PATH_MAX + 64];
	struct sec *s = calloc(e->eh.e_shnum, sizeof(*s));
	struct layout l;
	struct elf_in c;
	struct timespec t0, t1;
	struct huge out = { NULL, NULL, 0 };
	int fd, err;

	if (!s)
		return;
	err = plan(e, s, &l);
	if (err) {
		screc_debug("%s: its compressed sections are left to libdw: %s", what,
			    strerror(-err));
		goto out;
	}
	screc_hex(e->bid, e->bid_len, hex);
	if (root && snprintf(dir, sizeof(dir), "%s/debug", root) < (int)sizeof(dir)) {
		snprintf(path, sizeof(path), "%s/%s.debug", dir, hex);
		fd = screc_open_regular(path);	/* never a FIFO put there */
		if (fd >= 0) {
			bool ok = elf_in_parse(&c, fd) == 0 && valid_copy(&c, e, s, &l);

			elf_in_release(&c);
			if (ok) {
				m->fd = fd;
				m->path = strdup(path);
				screc_debug("%s: inflated copy from the cache: %s", what, path);
				goto out;
			}
			close(fd);
			screc_debug("%s: %s is not its inflated copy: made again", what, path);
		}
	} else {
		root = NULL;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = build(e, s, &l, f->jobs >= 2 ? 2 : 1, &out);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err) {
		screc_debug("%s: cannot inflate it: %s: libdw will", what, strerror(-err));
		goto out;
	}
	screc_debug("%s: inflated into %llu bytes in %.1f ms on %u thread(s)", what,
		    (unsigned long long)l.total,
		    (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
		    f->jobs >= 2 ? 2 : 1);
	/* The cache's file when it can be written, else a memfd. */
	if (root) {
		err = save(out.p, l.total, dir, path, hex);
		fd = err ? err : screc_open_regular(path);
		if (fd >= 0) {
			m->fd = fd;
			m->path = strdup(path);
		} else {
			screc_debug("%s: not cached: %s", path, strerror(-fd));
		}
	}
	if (m->fd < 0) {
		fd = to_memfd(out.p, l.total);
		if (fd >= 0) {
			m->fd = fd;
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			m->path = strdup(path);
		} else {
			screc_debug("%s: cannot keep its inflated copy: %s", what, strerror(-fd));
		}
	}
	huge_free(&out);
out:
	if (m->fd >= 0 && !m->path) {
		close(m->fd);
		m->fd = -1;
	}
	free(s);
}

int
find_inflated(struct finder *f, int fd, const uint8_t *bid, size_t bid_len, char **name)
{
	struct elf_in e;
	struct inflated *m;
	const char *what = *name ? *name : "debug file";
	char *copy_name;
	int err, copy;

	err = elf_in_parse(&e, fd);
	if (err || !e.nr_compressed || !e.bid_len || e.relative_altlink ||
	    e.bid_len != bid_len || memcmp(e.bid, bid, bid_len)) {
		if (err || (e.nr_compressed && !e.bid_len) || e.relative_altlink)
			screc_debug("%s: its compressed sections are left to libdw: %s", what,
				    err ? strerror(-err) : e.relative_altlink ?
				    "its .gnu_debugaltlink is a relative path" : "no build-id");
		elf_in_release(&e);
		return -1;
	}
	m = memo_find(f, e.bid, e.bid_len);
	if (!m && screc_grow(&f->inflated, &f->cap_inflated, f->nr_inflated + 1,
			     sizeof(*f->inflated), 4) == 0) {
		m = &f->inflated[f->nr_inflated++];
		memset(m, 0, sizeof(*m));
		memcpy(m->bid, e.bid, e.bid_len);
		m->len = (uint8_t)e.bid_len;
		m->fd = -1;
		make(f, &e, m, what);
	}
	elf_in_release(&e);
	if (!m || m->fd < 0)
		return -1;
	/* The file validated, not whatever has its name by now (a shared cache directory). */
	copy = fcntl(m->fd, F_DUPFD_CLOEXEC, 0);
	copy_name = copy >= 0 ? strdup(m->path) : NULL;
	if (!copy_name) {
		if (copy >= 0)
			close(copy);
		return -1;
	}
	free(*name);
	*name = copy_name;
	return copy;
}

void
find_inflated_free(struct finder *f)
{
	size_t i;

	for (i = 0; i < f->nr_inflated; i++) {
		if (f->inflated[i].fd >= 0)
			close(f->inflated[i].fd);
		free(f->inflated[i].path);
	}
	free(f->inflated);
	free(f->cache_dir);
	f->inflated = NULL;
	f->cache_dir = NULL;
	f->nr_inflated = f->cap_inflated = 0;
}
