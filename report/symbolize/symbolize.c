// SPDX-License-Identifier: MIT
/*
 * Symbolization with libdwfl: names from .symtab/.dynsym/.gnu_debugdata or
 * the separate debug file libdwfl finds by build-id or debuglink; inline
 * chains and lines from DWARF.  Results are cached per (build-id, address in
 * the file), which is the same for every process mapping the file.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "report/find/find.h"
#include "common/strtab.h"
#include "symbolize.h"

#define MAX_INLINE 16

struct sym_line {
	const char *sym;
	uint64_t delta;		/* lookup address - function start */
	const char *file;
	int line;
	bool inlined;
};

struct cache_entry {
	const char *key;	/* build-id in hex, or the recorded path without one */
	uint64_t hash;		/* of key and rel */
	uint64_t rel;		/* adjusted (lookup) address in the file */
	unsigned nr;
	struct sym_line lines[MAX_INLINE + 1];
	struct cache_entry *next;
};

#define CACHE_BUCKETS (1u << 16)

struct symbolizer {
	struct finder *find;
	struct screc_strtab *strs;
	struct cache_entry **cache;
	bool no_inline;
	const char *restore_rt;		/* the name of a signal trampoline that has none */
	const char *start_context;	/* and of a context's entry */
};

struct symbolizer *
sym_new(struct finder *find, struct screc_strtab *strs)
{
	struct symbolizer *sy = calloc(1, sizeof(*sy));

	if (!sy)
		return NULL;
	sy->cache = calloc(CACHE_BUCKETS, sizeof(*sy->cache));
	if (!sy->cache) {
		free(sy);
		return NULL;
	}
	sy->find = find;
	sy->strs = strs;
	sy->restore_rt = screc_strtab_intern(strs, "__restore_rt");
	sy->start_context = screc_strtab_intern(strs, "__start_context");
	return sy;
}

void
sym_set_inline(struct symbolizer *sy, bool show)
{
	sy->no_inline = !show;
}

void
sym_free(struct symbolizer *sy)
{
	size_t i;

	if (!sy)
		return;
	for (i = 0; i < CACHE_BUCKETS; i++) {
		struct cache_entry *e = sy->cache[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(sy->cache);
	free(sy);
}

static const char *
die_name(struct symbolizer *sy, Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *n;

	n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_linkage_name, &attr));
	if (!n)
		n = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr));
	if (n)
		return sym_demangle(sy->strs, n);
	return screc_strtab_intern(sy->strs, dwarf_diename(die));
}

/* The call site (file, line) of an inlined subroutine DIE. */
static void
call_site(struct symbolizer *sy, Dwarf_Die *die, Dwarf_Files *files, const char **file,
	  int *line)
{
	Dwarf_Attribute attr;
	Dwarf_Word v;

	*file = NULL;
	*line = 0;
	if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &attr), &v) == 0)
		*line = (int)v;
	if (files && dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &attr), &v) == 0)
		*file = screc_strtab_intern(sy->strs, dwarf_filesrc(files, v, NULL, NULL));
}

/*
 * Our own scope walk, for units where dwarf_getscopes() finds nothing
 * (libdw 0.188 with rustc's DWARF): descend through namespaces and types to
 * the subprogram holding pc, then through its inlined calls and blocks.
 * Fills out[] innermost first, ending with the unit; returns the count.
 */
static int
walk_scopes(Dwarf_Die *die, Dwarf_Addr pc, Dwarf_Die *chain, int depth, int max, int nest)
{
	Dwarf_Die child;

	/* nest bounds the recursion through types too: debug files may be hostile. */
	if (depth >= max || nest > 64 || dwarf_child(die, &child) != 0)
		return depth;
	do {
		int tag = dwarf_tag(&child);

		switch (tag) {
		case DW_TAG_namespace:
		case DW_TAG_structure_type:
		case DW_TAG_class_type:
		case DW_TAG_union_type:
		case DW_TAG_enumeration_type: {
			int d = walk_scopes(&child, pc, chain, depth, max, nest + 1);

			if (d > depth)
				return d;
			break;
		}
		case DW_TAG_subprogram:
		case DW_TAG_inlined_subroutine:
		case DW_TAG_lexical_block:
			if (dwarf_haspc(&child, pc) == 1) {
				chain[depth] = child;
				return walk_scopes(&child, pc, chain, depth + 1, max, nest + 1);
			}
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
	return depth;
}

static int
own_scopes(Dwarf_Die *cu, Dwarf_Addr pc, Dwarf_Die **scopes)
{
	Dwarf_Die chain[64];
	int n = walk_scopes(cu, pc, chain, 0, 63, 0), i;

	if (n == 0)
		return 0;
	*scopes = malloc((size_t)(n + 1) * sizeof(**scopes));
	if (!*scopes)
		return -1;
	for (i = 0; i < n; i++)
		(*scopes)[i] = chain[n - 1 - i];
	(*scopes)[n] = *cu;
	return n + 1;
}

/*
 * The compile unit holding adj, with its scopes there.  libdwfl's lookup
 * goes by .debug_aranges, which Go binaries lack and Rust's leave
 * incomplete; where it finds no function, walk the units' own ranges.
 */
static Dwarf_Die *
find_cu(Dwfl_Module *mod, uint64_t adj, Dwarf_Addr *bias, Dwarf_Die **scopes, int *nscopes)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, adj, bias);

	*scopes = NULL;
	*nscopes = cu ? dwarf_getscopes(cu, adj - *bias, scopes) : -1;
	if (*nscopes > 1)
		return cu;
	free(*scopes);
	*scopes = NULL;
	if (cu && (*nscopes = own_scopes(cu, adj - *bias, scopes)) > 1)
		return cu;
	free(*scopes);
	*scopes = NULL;
	for (cu = NULL; (cu = dwfl_module_nextcu(mod, cu, bias));) {
		if (dwarf_haspc(cu, adj - *bias) != 1)
			continue;
		*nscopes = dwarf_getscopes(cu, adj - *bias, scopes);
		if (*nscopes <= 1) {
			free(*scopes);
			*scopes = NULL;
			*nscopes = own_scopes(cu, adj - *bias, scopes);
		}
		if (*nscopes > 1)
			return cu;
		free(*scopes);
		*scopes = NULL;
	}
	*nscopes = -1;
	return dwfl_module_addrdie(mod, adj, bias);
}

/* Look up one adjusted address in mod; fills e. */
static void
lookup(struct symbolizer *sy, Dwfl_Module *mod, uint64_t adj, struct cache_entry *e)
{
	GElf_Off off = 0;
	GElf_Sym sym;
	const char *name;
	Dwarf_Addr bias = 0;
	Dwarf_Die *cudie, *scopes = NULL;
	Dwfl_Line *dl;
	const char *file = NULL;
	int line = 0, nscopes, i;
	const char *sym_name;

	name = dwfl_module_addrinfo(mod, adj, &off, &sym, NULL, NULL, NULL);
	sym_name = name ? sym_demangle(sy->strs, name) : NULL;

	e->nr = 0;
	cudie = find_cu(mod, adj, &bias, &scopes, &nscopes);
	if (cudie) {
		Dwarf_Line *l = dwarf_getsrc_die(cudie, adj - bias);

		if (l) {
			file = screc_strtab_intern(sy->strs, dwarf_linesrc(l, NULL, NULL));
			dwarf_lineno(l, &line);
		}
	}
	if (!file) {
		dl = dwfl_module_getsrc(mod, adj);
		if (dl)
			file = screc_strtab_intern(sy->strs, dwfl_lineinfo(dl, NULL, &line, NULL, NULL, NULL));
	}
	if (nscopes > 0) {
		Dwarf_Files *files = NULL;
		size_t nfiles;

		dwarf_getsrcfiles(cudie, &files, &nfiles);
		/* scopes[0] is innermost; each inlined scope is a frame of its own. */
		for (i = 0; i < nscopes && e->nr < MAX_INLINE; i++) {
			int tag = dwarf_tag(&scopes[i]);
			const char *cf;
			int cl;

			if (tag != DW_TAG_inlined_subroutine)
				continue;
			e->lines[e->nr] = (struct sym_line){
				.sym = die_name(sy, &scopes[i]),
				.delta = 0,
				.file = file,
				.line = line,
				.inlined = true,
			};
			{
				Dwarf_Addr lo;

				if (dwarf_entrypc(&scopes[i], &lo) == 0 && adj - bias >= lo)
					e->lines[e->nr].delta = adj - bias - lo;
			}
			e->nr++;
			call_site(sy, &scopes[i], files, &cf, &cl);
			file = cf;
			line = cl;
		}
		free(scopes);
	}
	e->lines[e->nr++] = (struct sym_line){
		.sym = sym_name,
		.delta = off,
		.file = file,
		.line = line,
		.inlined = false,
	};
}

static struct cache_entry *
cached(struct symbolizer *sy, const char *key, uint64_t rel, Dwfl_Module *mod, uint64_t adj)
{
	uint64_t hash = screc_hash_str(key) ^ screc_mix64(rel);
	size_t h = hash & (CACHE_BUCKETS - 1);
	struct cache_entry *e;

	for (e = sy->cache[h]; e; e = e->next)
		if (e->hash == hash && e->rel == rel && (e->key == key || strcmp(e->key, key) == 0))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->key = key;
	e->hash = hash;
	e->rel = rel;
	lookup(sy, mod, adj, e);
	e->next = sy->cache[h];
	sy->cache[h] = e;
	return e;
}

size_t
sym_frames(struct symbolizer *sy, struct aspace *as, const struct unwind_result *res,
	   struct frame *out, size_t max)
{
	size_t i, n = 0;

	for (i = 0; i < res->nr && n < max; i++) {
		const struct raw_frame *rf = &res->frames[i];
		uint64_t pc = rf->pc, adj = rf->activation ? pc : pc - 1;
		const struct map *m = aspace_find(as, adj);
		Dwfl_Module *mod = m ? find_module(sy->find, as, adj) : NULL;
		struct frame base = { .pc = pc, .method = rf->method, .guessed = rf->guessed };
		unsigned k;

		if (m) {
			base.dso = m->path;
			base.rel = pc - m->start + m->pgoff;
			base.build_id = m->build_id_hex;
		}
		if (!mod) {
			uint64_t start;

			/* JIT code, named by the runtime's perf map. */
			if (as && (base.sym = find_perfmap_lookup(sy->find, as->pid, adj, &start)))
				base.sym_off = pc - start;
			else if (m && m->path) {
				struct find_status st;

				find_status(sy->find, m, &st);
				base.bad_build_id = st.mismatch;
				find_note_unnamed(sy->find, m);
			}
			if (!base.sym && (rf->trampoline || rf->context_entry)) {
				base.sym = rf->trampoline ? sy->restore_rt : sy->start_context;
				base.sym_off = pc - adj;
			}
			out[n++] = base;
			continue;
		}
		{
			Dwarf_Addr mbias = 0;
			struct cache_entry *e;

			if (dwfl_module_getelf(mod, &mbias))
				base.rel = pc - mbias;
			e = cached(sy, m->build_id_hex ? m->build_id_hex : m->path, adj - mbias, mod, adj);
			if (!e) {
				out[n++] = base;
				continue;
			}
			if (!e->lines[e->nr - 1].sym && (rf->trampoline || rf->context_entry)) {
				base.sym = rf->trampoline ? sy->restore_rt : sy->start_context;
				base.sym_off = pc - adj;
				out[n++] = base;
				continue;
			}
			if (!e->lines[e->nr - 1].sym) {
				struct find_status st;

				/* Reported by build-id, not found: say when another build was. */
				find_status(sy->find, m, &st);
				if (st.mismatch) {
					base.bad_build_id = true;
					find_note_unnamed(sy->find, m);
					out[n++] = base;
					continue;
				}
				find_note_unnamed(sy->find, m);
			}
			for (k = sy->no_inline ? e->nr - 1 : 0; k < e->nr && n < max; k++) {
				struct frame f = base;

				f.sym = e->lines[k].sym;
				f.sym_off = f.sym ? (pc - adj) + e->lines[k].delta : 0;
				if (e->lines[k].inlined)
					f.method = FRAME_INLINE;
				f.file = e->lines[k].file;
				f.line = e->lines[k].line;
				f.inlined = e->lines[k].inlined;
				out[n++] = f;
			}
		}
	}
	return n;
}
