/*
 * object.c: a look at a loose git object before libgit2 reads it. The
 * libgit2 of Debian 12 loops forever on a truncated loose object, and
 * trusts the size in an object's header; a damaged file in
 * .git/objects must instead be an error that names what to restore. An
 * object that is not loose (packed, or missing) is left to libgit2.
 */
#include "archive_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Inflates the whole of data; returns the inflated size, or -1 when the
 * stream is damaged or stops early. The header ("blob 123\0") is copied
 * into head (NUL-terminated, at most hsize-1 bytes). */
static long inflate_all(const unsigned char *data, size_t len, char *head,
			size_t hsize)
{
	unsigned char chunk[16384];
	z_stream z = { 0 };
	size_t got = 0, headlen = 0;
	int rc, in_body = 0;

	if (inflateInit(&z) != Z_OK)
		return -1;
	z.next_in = (unsigned char *)data;
	z.avail_in = (uInt)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		rc = inflate(&z, Z_NO_FLUSH);
		if (rc != Z_OK && rc != Z_STREAM_END)
			break;
		/* the header runs up to the first NUL */
		for (size_t i = 0; i < sizeof(chunk) - z.avail_out && !in_body &&
				   headlen + 1 < hsize;
		     i++) {
			head[headlen++] = (char)chunk[i];
			in_body = chunk[i] == '\0';
		}
		got += sizeof(chunk) - z.avail_out;
	} while (rc == Z_OK);
	inflateEnd(&z);
	head[headlen] = '\0';
	return rc == Z_STREAM_END && z.avail_in == 0 ? (long)got : -1;
}

int archive_object_check(struct archive *a, const git_oid *oid,
			 const char *path)
{
	char hex[GIT_OID_HEXSZ + 1], file[4200], head[64];
	unsigned char *data = NULL;
	size_t len, hl;
	long total;
	unsigned long size;
	char *end;
	int rc;

	git_oid_tostr(hex, sizeof(hex), oid);
	snprintf(file, sizeof(file), "%sobjects/%.2s/%s",
		 git_repository_path(a->repo), hex, hex + 2);
	rc = archive_file_slurp((char **)&data, &len, file);
	if (rc == ARCHIVE_ENOTFOUND) {
		archive_error_clear();
		return 0;
	}
	if (rc != 0)
		return rc;
	memset(head, 0, sizeof(head));
	total = inflate_all(data, len, head, sizeof(head));
	free(data);
	hl = strnlen(head, sizeof(head) - 1);
	if (total >= 0 && hl < sizeof(head) - 1 && strchr(head, ' ')) {
		size = strtoul(strchr(head, ' ') + 1, &end, 10);
		if (*end == '\0' && (unsigned long)total == size + hl + 1)
			return 0;
	}
	return archive_error_set(ARCHIVE_ERROR,
				 "%s: git object %s is damaged (.git/objects/"
				 "%.2s/%s); restore it from a clone or backup",
				 path, hex, hex, hex + 2);
}
