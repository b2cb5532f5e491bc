/*
 * gitindex.c: git's index file, read and edited in place for the few
 * paths that one write changes.
 *
 * libgit2 reads the whole index into memory and writes it back whole,
 * putting every entry into a map on the way; in an archive of 100,000
 * dossiers that is some 190,000 entries and 22 MB for each case
 * registered. Here the file is mapped and its entries are walked without
 * being taken apart. The new index is the old one with the changed
 * entries cut out and the new ones put in (gitformat-index(5)), and the
 * changed files are written to the working tree from their blobs.
 *
 * The cached trees (the TREE extension) of the directories on a changed
 * path are marked invalid. The caches a change may outdate (untracked
 * files, the file system monitor, the offsets of entries) are left out,
 * which git allows: a reader rebuilds them. As git does when it writes
 * an index, an entry whose file changed in the second the old index was
 * written, too late for its stat data to show it ("racily clean"),
 * loses its size, so that git still reads the file. The old index is
 * removed by a process of its own: freeing a large file's pages takes
 * longer than writing the new one.
 *
 * What this does not know is left to libgit2's checkout: index version 4,
 * extensions that a reader must understand, conflicts, entries flagged
 * skip-worktree or intent-to-add, files that filters (line endings,
 * attributes) would change on the way out, and paths where a file and a
 * directory meet. Each function says so (GITINDEX_UNHANDLED) before it
 * changes anything.
 */
#include "archive_int.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HASH_LEN 20
#define HEADER_LEN 12
#define ENTRY_FIXED 62 /* stat data, id and flags, before the path */

#define FLAG_VALID 0x8000
#define FLAG_EXTENDED 0x4000
#define FLAG_STAGE 0x3000
#define FLAG_NAMEMASK 0x0fff

/* An index file as it is on disk. */
struct ix {
	unsigned char *map;
	size_t size;
	size_t *racy; /* the entries git must read again (ix_walk) */
	size_t nracy, capracy;
	unsigned version;
	uint32_t count;
	size_t entries_end; /* where the extensions start */
	struct timespec mtime;
};

/* One entry, located. */
struct ent {
	size_t off, len;
	const char *name;
	size_t namelen;
	unsigned flags, xflags;
};

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static unsigned get16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* Locates the entry at off; 0, or GITINDEX_UNHANDLED when it does not fit
 * the file or uses what this does not know. */
static int ent_at(struct ent *e, const struct ix *ix, size_t off)
{
	const unsigned char *p = ix->map + off;
	size_t avail = ix->entries_end - off, head = ENTRY_FIXED;

	if (avail < ENTRY_FIXED + 2)
		return GITINDEX_UNHANDLED;
	e->off = off;
	e->flags = get16(p + 60);
	e->xflags = 0;
	if (e->flags & FLAG_EXTENDED) {
		if (ix->version < 3)
			return GITINDEX_UNHANDLED;
		e->xflags = get16(p + 62);
		head += 2;
	}
	e->name = (const char *)p + head;
	e->namelen = e->flags & FLAG_NAMEMASK;
	if (e->namelen == FLAG_NAMEMASK) { /* a long path: look for its end */
		const char *nul = memchr(e->name, '\0', avail - head);

		if (!nul)
			return GITINDEX_UNHANDLED;
		e->namelen = (size_t)(nul - e->name);
	} else if (head + e->namelen >= avail || e->name[e->namelen]) {
		return GITINDEX_UNHANDLED;
	}
	e->len = (head + e->namelen + 8) & ~(size_t)7;
	return e->len <= avail ? 0 : GITINDEX_UNHANDLED;
}

/* Compares two paths in the index's order: by byte, a path before
 * those it is the start of. */
static int path_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

static int ent_cmp(const struct ent *e, const char *path, size_t len)
{
	return path_cmp(e->name, e->namelen, path, len);
}

static void ix_close(struct ix *ix)
{
	if (ix->map)
		munmap(ix->map, ix->size);
	ix->map = NULL;
	free(ix->racy);
	ix->racy = NULL;
}

/* Maps the index file and checks its header (ix_walk checks the rest);
 * 0, -1 with errno, or GITINDEX_UNHANDLED. */
static int ix_open(struct ix *ix, const char *file)
{
	struct stat st;
	int fd = open(file, O_RDONLY | O_CLOEXEC);

	memset(ix, 0, sizeof(*ix));
	if (fd < 0)
		return errno == ENOENT ? GITINDEX_UNHANDLED : -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return -1;
	}
	if (st.st_size < HEADER_LEN + HASH_LEN) {
		close(fd);
		return GITINDEX_UNHANDLED;
	}
	ix->size = (size_t)st.st_size;
	ix->mtime = st.st_mtim;
	ix->map = mmap(NULL, ix->size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (ix->map == MAP_FAILED) {
		ix->map = NULL;
		return -1;
	}
	ix->version = get32(ix->map + 4);
	ix->count = get32(ix->map + 8);
	if (memcmp(ix->map, "DIRC", 4) ||
	    (ix->version != 2 && ix->version != 3))
		goto unhandled;
	ix->entries_end = ix->size - HASH_LEN; /* until ix_walk finds it */
	return 0;
unhandled:
	ix_close(ix);
	return GITINDEX_UNHANDLED;
}

/* Checks the extensions after the entries: each must fit, and none may
 * be one that a reader must understand (named in lower case). */
static int ix_check_extensions(const struct ix *ix)
{
	size_t off = ix->entries_end, end = ix->size - HASH_LEN;

	while (off < end) {
		uint32_t len;

		if (end - off < 8)
			return GITINDEX_UNHANDLED;
		len = get32(ix->map + off + 4);
		if (ix->map[off] < 'A' || ix->map[off] > 'Z' ||
		    len > end - off - 8)
			return GITINDEX_UNHANDLED;
		off += 8 + len;
	}
	return 0;
}

static int ix_open_repo(struct ix *ix, struct archive *a)
{
	char file[8400];

	snprintf(file, sizeof(file), "%sindex", git_repository_path(a->repo));
	return ix_open(ix, file);
}

/* ---- the paths asked about ------------------------------------------ */

/* A string the entries are compared with: a changed path, or one of the
 * directories above it. */
struct probe {
	const char *key;
	size_t len;
	size_t edit; /* for a changed path, its index in the caller's list */
};

static int probe_cmp(const void *a, const void *b)
{
	const struct probe *x = a, *y = b;

	return path_cmp(x->key, x->len, y->key, y->len);
}

/* The paths in the index's order. */
static struct probe *probes_of(const git_tree_update *u, size_t n)
{
	struct probe *p = calloc(n ? n : 1, sizeof(*p));

	if (!p)
		return NULL;
	for (size_t i = 0; i < n; i++)
		p[i] = (struct probe){ u[i].path, strlen(u[i].path), i };
	qsort(p, n, sizeof(*p), probe_cmp);
	return p;
}

/* The directories above the paths, once each and in order ("a/b/c" gives
 * "a" and "a/b"); *out_n says how many. */
static struct probe *dirs_of(const struct probe *p, size_t n,
			     size_t *out_n)
{
	size_t cap = 0, k = 0;
	struct probe *d;

	for (size_t i = 0; i < n; i++)
		for (const char *s = p[i].key; (s = strchr(s, '/')); s++)
			cap++;
	d = calloc(cap ? cap : 1, sizeof(*d));
	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		for (const char *s = p[i].key; (s = strchr(s, '/')); s++)
			d[k++] = (struct probe){ p[i].key,
						 (size_t)(s - p[i].key), 0 };
	qsort(d, k, sizeof(*d), probe_cmp);
	*out_n = 0;
	for (size_t i = 0; i < k; i++)
		if (*out_n == 0 || probe_cmp(&d[*out_n - 1], &d[i]) != 0)
			d[(*out_n)++] = d[i];
	return d;
}

/* The paths with "/" after each: an entry that starts so lies under a
 * path. */
static struct probe *unders_of(const struct probe *p, size_t n)
{
	struct probe *u = calloc(n ? n : 1, sizeof(*u));

	if (!u)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		char *key = malloc(p[i].len + 2);

		if (!key) {
			while (i--)
				free((char *)u[i].key);
			free(u);
			return NULL;
		}
		memcpy(key, p[i].key, p[i].len);
		memcpy(key + p[i].len, "/", 2);
		u[i] = (struct probe){ key, p[i].len + 1, p[i].edit };
	}
	qsort(u, n, sizeof(*u), probe_cmp); /* "a-b/" comes before "a/" */
	return u;
}

/* The attribute files that could apply to the paths: .gitattributes at
 * the top and in each directory above them. */
static struct probe *attrs_of(const struct probe *dirs, size_t n)
{
	struct probe *at = calloc(n + 1, sizeof(*at));

	if (!at)
		return NULL;
	for (size_t i = 0; i <= n; i++) {
		size_t len = i < n ? dirs[i].len + 1 : 0;
		char *key = malloc(len + sizeof(".gitattributes"));

		if (!key) {
			while (i--)
				free((char *)at[i].key);
			free(at);
			return NULL;
		}
		if (i < n) {
			memcpy(key, dirs[i].key, dirs[i].len);
			key[dirs[i].len] = '/';
		}
		memcpy(key + len, ".gitattributes", sizeof(".gitattributes"));
		at[i] = (struct probe){ key, strlen(key), 0 };
	}
	qsort(at, n + 1, sizeof(*at), probe_cmp);
	return at;
}

/* What the walk compares the entries with, each sorted. */
struct probes {
	struct probe *paths, *dirs, *unders, *attrs;
	size_t n, ndirs;
};

static void probes_free(struct probes *pr)
{
	for (size_t i = 0; pr->unders && i < pr->n; i++)
		free((char *)pr->unders[i].key);
	for (size_t i = 0; pr->attrs && i <= pr->ndirs; i++)
		free((char *)pr->attrs[i].key);
	free(pr->attrs);
	free(pr->unders);
	free(pr->dirs);
	free(pr->paths);
}

/* Sorts the paths and finds the directories above them; 0, -1 when out
 * of memory, or GITINDEX_UNHANDLED when a path comes twice. */
static int probes_make(struct probes *pr, const git_tree_update *u, size_t n)
{
	memset(pr, 0, sizeof(*pr));
	pr->n = n;
	if (!(pr->paths = probes_of(u, n)) ||
	    !(pr->dirs = dirs_of(pr->paths, n, &pr->ndirs)))
		return -1;
	for (size_t k = 1; k < n; k++)
		if (probe_cmp(&pr->paths[k - 1], &pr->paths[k]) == 0)
			return GITINDEX_UNHANDLED;
	if (!(pr->unders = unders_of(pr->paths, n)) ||
	    !(pr->attrs = attrs_of(pr->dirs, pr->ndirs)))
		return -1;
	return 0;
}

static int has_prefix(const struct ent *e, const struct probe *p)
{
	return e->namelen >= p->len && !memcmp(e->name, p->key, p->len);
}

/* What the walk found for one changed path. */
struct found {
	size_t cut_from, cut_to; /* its entries, all stages; empty if none */
	size_t cut;              /* how many */
	int stage0, other;       /* a stage-0 entry; any other entry */
	int assumed;             /* flagged assume-unchanged */
	git_oid id;              /* the stage-0 entry's blob */
};

/* Whether git must read the entry's file again because it may have
 * changed in the second the index was written, after its stat data was
 * taken. */
static int racy(const struct ix *ix, const unsigned char *entry)
{
	return (time_t)get32(entry + 8) >= ix->mtime.tv_sec;
}

/* Whether entry e may follow prev, as git requires of an index: by path,
 * then by stage. */
static int in_order(const struct ent *prev, const struct ent *e)
{
	int c;

	if (!prev->name)
		return 1;
	c = ent_cmp(prev, e->name, e->namelen);
	return c < 0 || (c == 0 && (prev->flags & FLAG_STAGE) <
					   (e->flags & FLAG_STAGE));
}

/* The least of the keys that the lists' next probes hold: an entry below
 * it meets none of them. */
static const struct probe *lowest(const struct probe *const *next, int n)
{
	const struct probe *low = NULL;

	for (int i = 0; i < n; i++)
		if (next[i] && (!low || probe_cmp(next[i], low) < 0))
			low = next[i];
	return low;
}

/* Walks the entries once against the probes, filling found[] (by the
 * caller's index) and finding where the entries end. Returns
 * GITINDEX_UNHANDLED for entries or extensions this does not know or out
 * of git's order (the old file's checksum is not verified: git does not
 * either, when it reads an index to change it), when
 * an attribute file could apply to a path, and when an entry is a
 * directory above a path or lies under one (a file and a directory
 * meet). With `racy`, it lists the racily clean entries. */
static int ix_walk(struct ix *ix, const struct probes *pr,
		   struct found *found, int list_racy)
{
	const struct probe *p = pr->paths, *d = pr->dirs, *u = pr->unders;
	const struct probe *at = pr->attrs;
	size_t off = HEADER_LEN, ip = 0, id = 0, iu = 0, ia = 0, n = pr->n;
	const struct probe *next[4], *low;
	struct ent prev = { .name = NULL };

	for (size_t i = 0; i < n; i++)
		found[i] = (struct found){ 0 };
	next[0] = n ? &p[0] : NULL;
	next[1] = pr->ndirs ? &d[0] : NULL;
	next[2] = n ? &u[0] : NULL;
	next[3] = &at[0];
	low = lowest(next, 4);
	for (uint32_t i = 0; i < ix->count; i++) {
		struct ent e;
		int c = 1;

		if (ent_at(&e, ix, off) || !in_order(&prev, &e))
			return GITINDEX_UNHANDLED;
		prev = e;
		if (list_racy && racy(ix, ix->map + off) &&
		    get32(ix->map + off + 36) != 0) {
			if (archive_grow(&ix->racy, &ix->capracy,
					 ix->nracy + 1, sizeof(*ix->racy)))
				return -1;
			ix->racy[ix->nracy++] = off;
		}
		off += e.len;
		if (!low || ent_cmp(&e, low->key, low->len) < 0)
			continue;
		while (ip < n && (c = ent_cmp(&e, p[ip].key, p[ip].len)) > 0) {
			struct found *f = &found[p[ip].edit];

			if (f->cut_to == 0)
				f->cut_from = f->cut_to = e.off;
			ip++;
		}
		if (ip < n && c == 0) {
			struct found *f = &found[p[ip].edit];

			if (f->cut_to == 0)
				f->cut_from = e.off;
			f->cut_to = off;
			f->cut++;
			if ((e.flags & FLAG_STAGE) == 0 && e.xflags == 0) {
				f->stage0 = 1;
				f->assumed |= (e.flags & FLAG_VALID) != 0;
				git_oid_fromraw(&f->id, ix->map + e.off + 40);
			} else {
				f->other = 1;
			}
		}
		while (id < pr->ndirs && ent_cmp(&e, d[id].key, d[id].len) > 0)
			id++;
		if (id < pr->ndirs && ent_cmp(&e, d[id].key, d[id].len) == 0)
			return GITINDEX_UNHANDLED;
		/* the entries under "P/" follow one another */
		while (iu < n && !has_prefix(&e, &u[iu]) &&
		       ent_cmp(&e, u[iu].key, u[iu].len) > 0)
			iu++;
		if (iu < n && has_prefix(&e, &u[iu]))
			return GITINDEX_UNHANDLED;
		/* attributes may ask for filters */
		while (ia <= pr->ndirs &&
		       ent_cmp(&e, at[ia].key, at[ia].len) > 0)
			ia++;
		if (ia <= pr->ndirs && ent_cmp(&e, at[ia].key, at[ia].len) == 0)
			return GITINDEX_UNHANDLED;
		next[0] = ip < n ? &p[ip] : NULL;
		next[1] = id < pr->ndirs ? &d[id] : NULL;
		next[2] = iu < n ? &u[iu] : NULL;
		next[3] = ia <= pr->ndirs ? &at[ia] : NULL;
		low = lowest(next, 4);
	}
	for (; ip < n; ip++)
		if (found[p[ip].edit].cut_to == 0)
			found[p[ip].edit].cut_from = found[p[ip].edit].cut_to =
				off;
	ix->entries_end = off;
	return ix_check_extensions(ix);
}

int archive_gitindex_staged(struct archive *a, const git_tree_update *updates,
			    size_t n, archive_staged *out)
{
	struct found *found = calloc(n ? n : 1, sizeof(*found));
	struct probes pr;
	struct ix ix;
	int rc = probes_make(&pr, updates, n);

	if (rc == 0 && !found)
		rc = -1;
	if (rc == 0 && (rc = ix_open_repo(&ix, a)) == 0) {
		rc = ix_walk(&ix, &pr, found, 0);
		ix_close(&ix);
	}
	for (size_t i = 0; rc == 0 && i < n; i++) {
		out[i].state = found[i].other	 ? ARCHIVE_STAGED_OTHER :
			       found[i].stage0 ? ARCHIVE_STAGED_BLOB :
						   ARCHIVE_STAGED_NONE;
		git_oid_cpy(&out[i].id, &found[i].id);
	}
	probes_free(&pr);
	free(found);
	return rc;
}

/* ---- writing the new index ------------------------------------------ */

/* The new file as a list of pieces: ranges of the mapped old one and
 * buffers made for it. One thread hashes them while the other writes. */
struct seg {
	const unsigned char *data;
	size_t len;
};

struct segs {
	struct seg *v;
	size_t n, cap;
	void **owned;
	size_t nowned, capowned;
	int bad;
};

static void seg_add(struct segs *s, const void *data, size_t len)
{
	if (s->bad || len == 0)
		return;
	if (s->n && s->v[s->n - 1].data + s->v[s->n - 1].len == data) {
		s->v[s->n - 1].len += len; /* adjacent in the old file */
		return;
	}
	if (archive_grow(&s->v, &s->cap, s->n + 1, sizeof(*s->v))) {
		s->bad = 1;
		return;
	}
	s->v[s->n++] = (struct seg){ data, len };
}

/* A buffer of len bytes that stays until the file is written, added as
 * the next piece; NULL when out of memory. */
static unsigned char *seg_own(struct segs *s, size_t len)
{
	unsigned char *b;

	if (s->bad)
		return NULL;
	if (archive_grow(&s->owned, &s->capowned, s->nowned + 1,
			 sizeof(*s->owned)) ||
	    !(b = calloc(1, len ? len : 1))) {
		s->bad = 1;
		return NULL;
	}
	s->owned[s->nowned++] = b;
	seg_add(s, b, len);
	return b;
}

static void segs_free(struct segs *s)
{
	for (size_t i = 0; i < s->nowned; i++)
		free(s->owned[i]);
	free(s->owned);
	free(s->v);
}

struct hasher {
	const struct segs *segs;
	unsigned char hash[EVP_MAX_MD_SIZE];
	int ok;
};

static void *hash_segs(void *arg)
{
	struct hasher *h = arg;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned int len = 0;

	h->ok = md && EVP_DigestInit_ex(md, EVP_sha1(), NULL) == 1;
	for (size_t i = 0; h->ok && i < h->segs->n; i++)
		h->ok = EVP_DigestUpdate(md, h->segs->v[i].data,
					 h->segs->v[i].len) == 1;
	h->ok = h->ok && EVP_DigestFinal_ex(md, h->hash, &len) == 1 &&
		len == HASH_LEN;
	EVP_MD_CTX_free(md);
	return NULL;
}

static int write_all(int fd, const unsigned char *data, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, data, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		data += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Writes the pieces and their hash after them. */
static int segs_write(const struct segs *s, int fd)
{
	struct hasher h = { .segs = s };
	pthread_t thread;
	int threaded = pthread_create(&thread, NULL, hash_segs, &h) == 0;
	int rc = 0;

	for (size_t i = 0; i < s->n && rc == 0; i++)
		rc = write_all(fd, s->v[i].data, s->v[i].len);
	if (threaded)
		pthread_join(thread, NULL);
	else
		hash_segs(&h);
	if (rc == 0 && h.ok)
		return write_all(fd, h.hash, HASH_LEN);
	return -1;
}

/* Adds the old entries in [from, to); the racily clean ones lose their
 * size, so that git compares their content. *next is the first of the
 * racy list not yet passed. */
static void add_entries(struct segs *s, const struct ix *ix, size_t from,
			size_t to, size_t *next)
{
	while (*next < ix->nracy && ix->racy[*next] < to) {
		size_t off = ix->racy[(*next)++];
		struct ent e;
		unsigned char *copy;

		if (off < from)
			continue;
		ent_at(&e, ix, off);
		seg_add(s, ix->map + from, off - from);
		if ((copy = seg_own(s, e.len))) {
			memcpy(copy, ix->map + off, e.len);
			put32(copy + 36, 0);
		}
		from = off + e.len;
	}
	seg_add(s, ix->map + from, to - from);
}

/* The new entry for path, from the file just written. */
static void add_new_entry(struct segs *s, const char *path,
			  const struct stat *st, git_filemode_t mode,
			  const git_oid *id)
{
	size_t namelen = strlen(path), len = (ENTRY_FIXED + namelen + 8) & ~7UL;
	size_t flag = namelen < FLAG_NAMEMASK ? namelen : FLAG_NAMEMASK;
	unsigned char *e = seg_own(s, len); /* zeroed: the padding */

	if (!e)
		return;
	put32(e, (uint32_t)st->st_ctim.tv_sec);
	put32(e + 4, (uint32_t)st->st_ctim.tv_nsec);
	put32(e + 8, (uint32_t)st->st_mtim.tv_sec);
	put32(e + 12, (uint32_t)st->st_mtim.tv_nsec);
	put32(e + 16, (uint32_t)st->st_dev);
	put32(e + 20, (uint32_t)st->st_ino);
	put32(e + 24, (uint32_t)mode);
	put32(e + 28, (uint32_t)st->st_uid);
	put32(e + 32, (uint32_t)st->st_gid);
	put32(e + 36, (uint32_t)st->st_size);
	memcpy(e + 40, id->id, HASH_LEN);
	e[60] = (unsigned char)(flag >> 8);
	e[61] = (unsigned char)flag;
	memcpy(e + ENTRY_FIXED, path, namelen);
}

/* ---- the cached trees ----------------------------------------------- */

/* A cached tree's count marked invalid: the bytes [from, to) of the
 * extension become text. */
struct tree_edit {
	size_t from, to;
	char text[32];
	size_t len;
};

struct tree_ctx {
	const unsigned char *start, *p, *end;
	const struct probe *dirs; /* sorted; the root is implied */
	size_t ndirs;
	char path[4096];
	struct tree_edit *edits;
	size_t nedits, cap;
	int bad;
};

static int on_a_path(const struct tree_ctx *t, size_t len)
{
	struct probe key = { t->path, len, 0 };

	return bsearch(&key, t->dirs, t->ndirs, sizeof(key), probe_cmp) !=
	       NULL;
}

/* Reads a decimal number ending in `stop`, with a minus sign when
 * `sign`; -2 when there is none. */
static long tree_number(struct tree_ctx *t, int sign, unsigned char stop)
{
	long v = 0;
	int neg = 0, digits = 0;

	if (sign && t->p < t->end && *t->p == '-') {
		neg = 1;
		t->p++;
	}
	while (t->p < t->end && *t->p >= '0' && *t->p <= '9' && digits < 10) {
		v = v * 10 + (*t->p++ - '0');
		digits++;
	}
	if (!digits || t->p >= t->end || *t->p++ != stop)
		return -2;
	return neg ? -v : v;
}

/* Walks one cached tree and those below it, noting the counts to mark
 * invalid. `above` says whether the tree's parent is a directory on a
 * changed path (the root's "parent" is); only then may this one be, and
 * only then is its path needed. */
static void tree_walk(struct tree_ctx *t, size_t plen, int above, int depth)
{
	const unsigned char *name = t->p, *nul, *counts;
	long entries, subtrees;
	size_t len = plen;
	int invalid = 0;

	nul = memchr(t->p, '\0', (size_t)(t->end - t->p));
	if (!nul || depth > 512) {
		t->bad = 1;
		return;
	}
	t->p = counts = nul + 1;
	entries = tree_number(t, 1, ' ');
	subtrees = tree_number(t, 0, '\n');
	if (entries < -1 || subtrees < 0 ||
	    (entries >= 0 && t->end - t->p < HASH_LEN)) {
		t->bad = 1;
		return;
	}
	if (entries >= 0)
		t->p += HASH_LEN;
	if (above && depth == 0) {
		invalid = 1; /* the root holds every path */
	} else if (above) {
		size_t nlen = (size_t)(nul - name);

		if (plen + 1 + nlen >= sizeof(t->path)) {
			t->bad = 1;
			return;
		}
		if (plen)
			t->path[len++] = '/';
		memcpy(t->path + len, name, nlen);
		len += nlen;
		invalid = on_a_path(t, len);
	}
	if (invalid && entries >= 0) {
		struct tree_edit *e;

		if (archive_grow(&t->edits, &t->cap, t->nedits + 1,
				 sizeof(*t->edits))) {
			t->bad = 1;
			return;
		}
		e = &t->edits[t->nedits++];
		e->from = (size_t)(counts - t->start);
		e->to = (size_t)(t->p - t->start);
		e->len = (size_t)snprintf(e->text, sizeof(e->text), "-1 %ld\n",
					  subtrees);
	}
	for (long i = 0; i < subtrees && !t->bad; i++)
		tree_walk(t, len, invalid, depth + 1);
}

/* Adds the TREE extension with the trees on the changed paths invalid;
 * when it does not parse, it is left out. */
static void add_tree(struct segs *s, const unsigned char *data, size_t len,
		     const struct probe *dirs, size_t ndirs)
{
	struct tree_ctx t = { .start = data, .p = data, .end = data + len,
			      .dirs = dirs, .ndirs = ndirs };
	size_t size = len, at = 0;
	unsigned char *head;

	if (len > 0)
		tree_walk(&t, 0, 1, 0);
	if (!t.bad && t.p == t.end && (head = seg_own(s, 8))) {
		for (size_t i = 0; i < t.nedits; i++)
			size = size - (t.edits[i].to - t.edits[i].from) +
			       t.edits[i].len;
		memcpy(head, "TREE", 4);
		put32(head + 4, (uint32_t)size);
		for (size_t i = 0; i < t.nedits; i++) {
			unsigned char *text;

			seg_add(s, data + at, t.edits[i].from - at);
			if ((text = seg_own(s, t.edits[i].len)))
				memcpy(text, t.edits[i].text, t.edits[i].len);
			at = t.edits[i].to;
		}
		seg_add(s, data + at, len - at);
	}
	free(t.edits);
}

/* Adds the extensions: TREE with the changed paths invalid, the
 * resolve-undo list as it is, and none of the caches a change outdates. */
static void add_extensions(struct segs *s, const struct ix *ix,
			   const struct probe *dirs, size_t ndirs)
{
	size_t off = ix->entries_end, end = ix->size - HASH_LEN;

	while (off < end) {
		const unsigned char *ext = ix->map + off;
		uint32_t len = get32(ext + 4);

		if (!memcmp(ext, "TREE", 4))
			add_tree(s, ext + 8, len, dirs, ndirs);
		else if (!memcmp(ext, "REUC", 4))
			seg_add(s, ext, 8 + (size_t)len);
		off += 8 + (size_t)len;
	}
}

/* ---- the working tree ----------------------------------------------- */

/* Makes the directories above a file of the working tree, when `make`,
 * and checks that each is a directory, not a link to one elsewhere. */
static int parents_ok(char *full, size_t root_len, int make)
{
	for (char *s = full + root_len + 1; (s = strchr(s, '/')); s++) {
		struct stat st;
		int ok;

		*s = '\0';
		ok = (make && mkdir(full, 0777) == 0) ||
		     (lstat(full, &st) == 0 && S_ISDIR(st.st_mode)) ||
		     (!make && errno == ENOENT);
		*s = '/';
		if (!ok)
			return -1;
	}
	return 0;
}

/* Removes the directories above a removed file that it left empty. */
static void remove_empty_parents(char *full, size_t root_len)
{
	char *s;

	while ((s = strrchr(full + root_len + 1, '/'))) {
		*s = '\0';
		if (rmdir(full) != 0)
			break;
	}
}

/* Writes one blob to the working tree as a new file, as git does (a file
 * linked elsewhere keeps its old content; a link in the file's place is
 * removed, not followed), and takes the file's stat data. */
static int write_file(const char *full, const git_blob *blob,
		      git_filemode_t mode, struct stat *st)
{
	int fd, rc;

	if (unlink(full) != 0 && errno != ENOENT)
		return -1;
	fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		  mode == GIT_FILEMODE_BLOB_EXECUTABLE ? 0777 : 0666);
	if (fd < 0)
		return -1;
	rc = write_all(fd, git_blob_rawcontent(blob),
		       (size_t)git_blob_rawsize(blob));
	if (rc == 0 && fstat(fd, st) != 0)
		rc = -1;
	if (close(fd) != 0)
		rc = -1;
	return rc;
}

/* ---- the checkout --------------------------------------------------- */

struct job {
	struct archive *a;
	const git_tree_update *updates;
	size_t n;
	const char *root; /* the working tree, root_len long without '/' */
	size_t root_len;
	struct probes pr;
	struct found *found;
	git_blob **blobs;
	struct stat *stats;
	char lock[8400];
	int lock_fd;
};

/* Loads the blobs of the files to write. */
static int load_blobs(struct job *j)
{
	for (size_t i = 0; i < j->n; i++) {
		const git_tree_update *u = &j->updates[i];

		if (u->action == GIT_TREE_UPDATE_REMOVE)
			continue;
		if (u->filemode != GIT_FILEMODE_BLOB &&
		    u->filemode != GIT_FILEMODE_BLOB_EXECUTABLE)
			return GITINDEX_UNHANDLED;
		if (git_blob_lookup(&j->blobs[i], j->a->repo, &u->id) != 0)
			return -1;
	}
	return 0;
}

/* Whether dir + name is there (dir unset: no). */
static int exists(const char *dir, const char *name)
{
	char path[8400];

	if (!dir || !*dir)
		return 0;
	snprintf(path, sizeof(path), "%s%s", dir, name);
	return access(path, F_OK) == 0;
}

/* Whether the index may be edited here and files go out as the blobs
 * hold them: an index sorted by byte and kept whole, no line endings set
 * for every file, and no attributes that could ask for a filter, neither
 * for all repositories nor in this one's git dir or working tree (the
 * index is looked at in ix_walk). */
static int plain_repository(struct job *j)
{
	struct archive *a = j->a;
	const char *wd = git_repository_workdir(a->repo);
	git_config *cfg = NULL;
	git_buf sys = { 0 };
	const char *v;
	int plain = 1;

	if (git_repository_config_snapshot(&cfg, a->repo) != 0)
		return 0;
	for (const char *const *key = (const char *const[]){
		     "core.ignorecase", "core.splitindex", "index.sparse",
		     "core.sparsecheckout", NULL };
	     *key; key++) {
		int on = 0;

		if (git_config_get_bool(&on, cfg, *key) == 0 && on)
			plain = 0;
	}
	if (git_config_get_string(&v, cfg, "core.autocrlf") == 0 &&
	    strcasecmp(v, "false") && strcasecmp(v, "no") &&
	    strcasecmp(v, "off") && strcmp(v, "0"))
		plain = 0;
	if (git_config_get_string(&v, cfg, "core.attributesfile") == 0)
		plain = 0;
	git_config_free(cfg);
	if (git_libgit2_opts(GIT_OPT_GET_SEARCH_PATH, GIT_CONFIG_LEVEL_SYSTEM,
			     &sys) == 0) {
		char *save = NULL;

		for (char *dir = strtok_r(sys.ptr, ":", &save); dir && plain;
		     dir = strtok_r(NULL, ":", &save))
			plain = !exists(dir, "/gitattributes");
		git_buf_dispose(&sys);
	}
	archive_error_clear();
	if (exists("/etc", "/gitattributes") ||
	    exists(getenv("XDG_CONFIG_HOME"), "/git/attributes") ||
	    exists(getenv("HOME"), "/.config/git/attributes") ||
	    exists(git_repository_path(a->repo), "info/attributes"))
		return 0;
	for (size_t i = 0; plain && i <= j->pr.ndirs; i++)
		plain = !exists(wd, j->pr.attrs[i].key);
	return plain;
}

static int write_files(struct job *j)
{
	size_t root_len = j->root_len;

	for (size_t i = 0; i < j->n; i++) {
		char full[8400];

		snprintf(full, sizeof(full), "%.*s/%s", (int)root_len, j->root,
			 j->updates[i].path);
		if (j->updates[i].action == GIT_TREE_UPDATE_REMOVE) {
			if (parents_ok(full, root_len, 0) != 0 ||
			    (unlink(full) != 0 && errno != ENOENT))
				return -1;
			remove_empty_parents(full, root_len);
			continue;
		}
		if (parents_ok(full, root_len, 1) != 0 ||
		    write_file(full, j->blobs[i], j->updates[i].filemode,
			       &j->stats[i]) != 0)
			return -1;
	}
	return 0;
}

/* Writes the new index into the lock file: the old entries with the
 * changed ones cut out and the new ones put in, in order. */
static int write_index(struct job *j, const struct ix *ix)
{
	struct segs s = { 0 };
	uint32_t count = ix->count;
	unsigned char *head;
	size_t at = HEADER_LEN, next = 0;
	int rc;

	for (size_t i = 0; i < j->n; i++)
		count += (j->updates[i].action != GIT_TREE_UPDATE_REMOVE) -
			 (uint32_t)j->found[i].cut;
	if ((head = seg_own(&s, HEADER_LEN))) {
		memcpy(head, ix->map, 8);
		put32(head + 8, count);
	}
	for (size_t k = 0; k < j->n; k++) {
		size_t i = j->pr.paths[k].edit;
		const struct found *f = &j->found[i];

		add_entries(&s, ix, at, f->cut_from, &next);
		if (j->updates[i].action != GIT_TREE_UPDATE_REMOVE)
			add_new_entry(&s, j->updates[i].path, &j->stats[i],
				      j->updates[i].filemode,
				      &j->updates[i].id);
		at = f->cut_to;
	}
	add_entries(&s, ix, at, ix->entries_end, &next);
	add_extensions(&s, ix, j->pr.dirs, j->pr.ndirs);
	rc = s.bad ? -1 : segs_write(&s, j->lock_fd);
	segs_free(&s);
	return rc;
}

/* Whether git could take the racily clean entry at off for the file as
 * it is now when it is not: its stat data match the file's, while its
 * content does not. */
static int needs_smudge(const struct job *j, const struct ix *ix, size_t off)
{
	const unsigned char *p = ix->map + off;
	char full[8400];
	struct ent e;
	struct stat st;
	git_oid now;

	ent_at(&e, ix, off);
	snprintf(full, sizeof(full), "%.*s/%.*s", (int)j->root_len, j->root,
		 (int)e.namelen, e.name);
	if (lstat(full, &st) != 0)
		return 0; /* git sees the file gone */
	if (!S_ISREG(st.st_mode))
		return 1;
	/* git compares nanoseconds and inodes only when built or set to:
	 * the seconds and the size are all it always looks at */
	if (get32(p + 8) != (uint32_t)st.st_mtim.tv_sec ||
	    get32(p + 36) != (uint32_t)st.st_size)
		return 0;
	if (git_odb_hashfile(&now, full, GIT_OBJECT_BLOB) != 0)
		return 1;
	return memcmp(now.id, p + 40, HASH_LEN) != 0;
}

/* Keeps in the racy list only the entries that must lose their size, as
 * git does when it writes an index: those whose file changed. Past a
 * few hundred, the rest lose it unchecked; git reads them again. */
static void settle_racy(struct job *j, struct ix *ix)
{
	size_t keep = 0;

	for (size_t i = 0; i < ix->nracy; i++)
		if (i >= 512 || needs_smudge(j, ix, ix->racy[i]))
			ix->racy[keep++] = ix->racy[i];
	ix->nracy = keep;
	archive_error_clear();
}

/* Removes a file in a grandchild process, which nobody waits for. It
 * lets go of every descriptor first: the archive's lock among them. */
static void remove_later(const char *file)
{
	pid_t child = fork();

	if (child == 0) {
		close_range(0, ~0U, 0);
		if (fork() == 0)
			unlink(file);
		_exit(0);
	}
	if (child < 0)
		unlink(file);
	else
		waitpid(child, NULL, 0);
}

/* Removes the old indexes that writers killed before removing them left
 * (GITDIR/mores-index-old.PID, set aside a minute ago or longer: the
 * process removing a newer one may still be at it). */
static void remove_stale_old(struct archive *a)
{
	const char *gitdir = git_repository_path(a->repo);
	DIR *dir = opendir(gitdir);
	struct dirent *de;
	time_t now = time(NULL);

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		struct stat st;

		if (strncmp(de->d_name, "mores-index-old.", 16) ||
		    fstatat(dirfd(dir), de->d_name, &st,
			    AT_SYMLINK_NOFOLLOW) != 0 ||
		    st.st_ctime > now - 60)
			continue;
		unlinkat(dirfd(dir), de->d_name, 0);
	}
	closedir(dir);
}

/* Renames the lock file over the index. The old index is first linked
 * under a name of its own, and removed after the rename by a process of
 * its own: freeing the pages of a large file takes longer than writing
 * the new one, and nobody needs to wait for it. */
static int replace_index(struct job *j, struct ix *ix, const char *index_file)
{
	char old[8400];
	int kept;

	snprintf(old, sizeof(old), "%smores-index-old.%ld",
		 git_repository_path(j->a->repo), (long)getpid());
	unlink(old);
	kept = link(index_file, old) == 0;
	if (rename(j->lock, index_file) != 0) {
		if (kept)
			unlink(old);
		return -1;
	}
	ix_close(ix); /* the last mapping of the old file */
	if (kept)
		remove_later(old);
	remove_stale_old(j->a);
	return 0;
}

int archive_gitindex_checkout(struct archive *a,
			      const git_tree_update *updates, size_t n)
{
	struct job j = { .a = a, .updates = updates, .n = n, .lock_fd = -1 };
	struct ix ix = { 0 };
	char index_file[8400];
	int rc = -1, own_lock = 0;

	if (git_repository_is_bare(a->repo) || n == 0)
		return 0;
	j.root = git_repository_workdir(a->repo);
	j.root_len = strlen(j.root);
	while (j.root_len > 1 && j.root[j.root_len - 1] == '/')
		j.root_len--;
	j.found = calloc(n, sizeof(*j.found));
	j.blobs = calloc(n, sizeof(*j.blobs));
	j.stats = calloc(n, sizeof(*j.stats));
	if (!j.found || !j.blobs || !j.stats)
		goto done;
	if ((rc = probes_make(&j.pr, updates, n)) != 0 ||
	    (rc = load_blobs(&j)) != 0)
		goto done;
	if (!plain_repository(&j)) {
		rc = GITINDEX_UNHANDLED;
		goto done;
	}
	snprintf(index_file, sizeof(index_file), "%sindex",
		 git_repository_path(a->repo));
	snprintf(j.lock, sizeof(j.lock), "%sindex.lock",
		 git_repository_path(a->repo));
	rc = -1;
	j.lock_fd = open(j.lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			 0666);
	if (j.lock_fd < 0)
		goto done;
	own_lock = 1;
	/* read under the lock: nobody changes the index until it is renamed */
	if ((rc = ix_open(&ix, index_file)) != 0 ||
	    (rc = ix_walk(&ix, &j.pr, j.found, 1)) != 0)
		goto done;
	for (size_t i = 0; i < n; i++)
		if (j.found[i].other || j.found[i].assumed)
			rc = GITINDEX_UNHANDLED;
	if (rc == 0)
		settle_racy(&j, &ix);
	if (rc == 0 && (write_files(&j) != 0 || write_index(&j, &ix) != 0))
		rc = -1;
	if (close(j.lock_fd) != 0 && rc == 0)
		rc = -1;
	j.lock_fd = -1;
	if (rc == 0 && replace_index(&j, &ix, index_file) != 0)
		rc = -1;
	if (rc == 0)
		own_lock = 0;
done:
	ix_close(&ix);
	if (j.lock_fd >= 0)
		close(j.lock_fd);
	if (own_lock)
		unlink(j.lock);
	for (size_t i = 0; j.blobs && i < n; i++)
		git_blob_free(j.blobs[i]);
	free(j.blobs);
	free(j.stats);
	free(j.found);
	probes_free(&j.pr);
	archive_error_clear();
	return rc;
}
