/* SPDX-License-Identifier: MIT */
/* Reading the GNU build-id note of an ELF file without libelf (for the recorder). */
#ifndef SCREC_BUILDID_H
#define SCREC_BUILDID_H

#include <stddef.h>
#include <stdint.h>

#define SCREC_BUILD_ID_MAX 20

/*
 * Read the build-id of the 64-bit little-endian ELF file at path into id
 * (SCREC_BUILD_ID_MAX bytes); *len gets its length.  Returns 0, -ENOENT when
 * the file has none, -ENOEXEC when it is not such an ELF file, or -errno.
 */
int screc_read_build_id(const char *path, uint8_t *id, size_t *len);

/*
 * Open a regular file for reading, and nothing else: the paths come from the
 * traced program's mappings, which it may have replaced by a FIFO (open would
 * block) or a link to a device (open may act).  Returns the fd or -errno
 * (-EINVAL for anything that is not a regular file).
 */
int screc_open_regular(const char *path);

/*
 * Find the NT_GNU_BUILD_ID note in len bytes of ELF notes (a PT_NOTE
 * segment's contents) and copy it to id; *idlen gets its length.  Returns 0
 * or -ENOENT.  The one note scan of screc: files, memory images and archives.
 */
int screc_note_build_id(const uint8_t *notes, size_t len, uint8_t *id, size_t *idlen);

/* Format id as lowercase hex into out (2 * len + 1 bytes). */
void screc_hex(const uint8_t *id, size_t len, char *out);

#endif
