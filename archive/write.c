/*
 * write.c: every change to an archive is one commit made here.
 *
 * A write takes the archive's lock (an flock on GITDIR/mores.lock, which
 * the kernel releases if the process dies), lets the caller stage changes
 * against the branch head, refuses when a staged file carries uncommitted
 * edits in the working tree, writes the new objects, and moves the branch
 * with a compare-and-swap. When someone else (plain git, say) moved the
 * branch in between, the caller's staging runs again on the new head.
 * Objects are written before the branch moves, so a crash at any moment
 * leaves the branch at the old commit or the new one. Last, the changed
 * files are checked out into the working tree, still under the lock.
 *
 * A writer killed between moving the branch and finishing the checkout
 * would leave its ref lock (blocking every later write) or a working
 * tree and index that show the new commit's files as deleted (so that
 * the next plain `git commit` would delete them). So while it moves the
 * branch a writer keeps a note in its lock file: the branch, the old and
 * the new commit and the changed paths; it empties the note when done.
 * The next writer to take the lock and find a note finishes the job. A
 * checkout that fails (another git holds the index, the disk is full)
 * keeps its note as well: the commit stands, and the next writer brings
 * the working tree and the index up to it.
 */
#include "archive_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_ATTEMPTS 50
#define LOCK_WAIT_MS 60000 /* $MORES_LOCK_WAIT (seconds) overrides */

struct archive_txn {
	struct archive *archive;
	struct archive_snap base;
	git_oid base_oid;
	git_tree_update *updates;
	size_t count, cap;
	char *message;
	int checkout_failed; /* committed, but the checkout did not finish */
};

archive *archive_txn_archive(archive_txn *t)
{
	return t->archive;
}

archive_snap *archive_txn_base(archive_txn *t)
{
	return &t->base;
}

static void txn_reset(archive_txn *t)
{
	for (size_t i = 0; i < t->count; i++)
		free((char *)t->updates[i].path);
	t->count = 0;
	free(t->message);
	t->message = NULL;
}

static int txn_stage(archive_txn *t, const char *path, git_tree_update_t act,
		     const git_oid *oid)
{
	char *copy;
	int rc = archive_path_check(path);

	if (rc != 0)
		return rc;
	for (size_t i = 0; i < t->count; i++) {
		if (strcmp(t->updates[i].path, path) == 0) {
			t->updates[i].action = act;
			if (oid)
				git_oid_cpy(&t->updates[i].id, oid);
			return 0;
		}
	}
	if (t->count == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 8;
		git_tree_update *u = realloc(t->updates, cap * sizeof(*u));

		if (!u)
			return archive_error_set(ARCHIVE_ERROR, "out of memory");
		t->updates = u;
		t->cap = cap;
	}
	copy = strdup(path);
	if (!copy)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	memset(&t->updates[t->count], 0, sizeof(t->updates[0]));
	t->updates[t->count].action = act;
	t->updates[t->count].path = copy;
	t->updates[t->count].filemode = GIT_FILEMODE_BLOB;
	if (oid)
		git_oid_cpy(&t->updates[t->count].id, oid);
	t->count++;
	return 0;
}

int archive_txn_put(archive_txn *t, const char *path, const char *data,
		    size_t len)
{
	git_oid oid;

	if (archive_utf8_check(data, len, NULL) != 0)
		return archive_error_set(ARCHIVE_EINVALID,
					 "%s: not valid UTF-8 text", path);
	if (git_blob_create_from_buffer(&oid, t->archive->repo, data, len) != 0)
		return archive_git_fail(ARCHIVE_ERROR, path);
	return txn_stage(t, path, GIT_TREE_UPDATE_UPSERT, &oid);
}

int archive_txn_remove(archive_txn *t, const char *path)
{
	return txn_stage(t, path, GIT_TREE_UPDATE_REMOVE, NULL);
}

int archive_txn_message(archive_txn *t, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	free(t->message);
	t->message = msg;
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Takes the archive's writer lock, waiting for other writers. */
static int lock_take(int *fd_out, struct archive *a)
{
	char path[4096];
	const char *env = getenv("MORES_LOCK_WAIT");
	long limit = env && *env ? atol(env) * 1000 : LOCK_WAIT_MS;
	int fd;
	long waited = 0;

	snprintf(path, sizeof(path), "%s/mores.lock",
		 git_repository_path(a->repo));
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
					 strerror(errno));
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			close(fd);
			return archive_error_set(ARCHIVE_ERROR, "%s: %s", path,
						 strerror(errno));
		}
		if (waited >= limit) {
			close(fd);
			return archive_error_set(ARCHIVE_ELOCKED,
						 "%s: another mores process "
						 "has been writing for %ld s; "
						 "try again later",
						 a->path, limit / 1000);
		}
		sleep_ms(5 + rand() % 20);
		waited += 15;
	}
	*fd_out = fd;
	return 0;
}

/* Refuses one path when what the index holds for it (staged) or its
 * working tree file differs from what the base commit holds. */
static int dirty_path(archive_txn *t, const char *path,
		      const archive_staged *staged)
{
	struct archive *a = t->archive;
	git_tree_entry *entry = NULL;
	const git_oid *committed = NULL;
	char full[4096];
	git_oid on_disk;
	int rc = 0;

	if (git_tree_entry_bypath(&entry, t->base.tree, path) == 0)
		committed = git_tree_entry_id(entry);
	snprintf(full, sizeof(full), "%s/%s", a->path, path);
	if (staged->state == ARCHIVE_STAGED_OTHER ||
	    (staged->state == ARCHIVE_STAGED_BLOB &&
	     (!committed || !git_oid_equal(&staged->id, committed))))
		rc = archive_error_set(ARCHIVE_EDIRTY,
				       "%s: has staged changes that are not "
				       "committed; commit or unstage them "
				       "first",
				       path);
	else if (access(full, F_OK) == 0 &&
		 (git_repository_hashfile(&on_disk, a->repo, full,
					  GIT_OBJECT_BLOB, path) != 0 ||
		  !committed || !git_oid_equal(&on_disk, committed)))
		rc = archive_error_set(ARCHIVE_EDIRTY,
				       "%s: has uncommitted changes in the "
				       "working tree; commit or discard them "
				       "first",
				       path);
	git_tree_entry_free(entry);
	return rc;
}

/* What libgit2's reading of the index holds for the paths. */
static int staged_by_libgit2(archive_txn *t, archive_staged *out)
{
	git_index *index = NULL;

	if (git_repository_index(&index, t->archive->repo) != 0)
		return archive_git_fail(ARCHIVE_ERROR, "index");
	git_index_read(index, 0);
	for (size_t i = 0; i < t->count; i++) {
		const git_index_entry *e =
			git_index_get_bypath(index, t->updates[i].path, 0);

		out[i].state = e ? ARCHIVE_STAGED_BLOB : ARCHIVE_STAGED_NONE;
		if (e)
			git_oid_cpy(&out[i].id, &e->id);
	}
	git_index_free(index);
	return 0;
}

/* Refuses when a file about to change has edits in the working tree or the
 * index that the base commit does not hold. */
static int dirty_check(archive_txn *t)
{
	struct archive *a = t->archive;
	archive_staged *staged;
	int rc = 0;

	if (git_repository_is_bare(a->repo))
		return 0;
	if (!(staged = calloc(t->count, sizeof(*staged))))
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	if (archive_gitindex_staged(a, t->updates, t->count, staged) != 0)
		rc = staged_by_libgit2(t, staged);
	for (size_t i = 0; rc == 0 && i < t->count; i++)
		rc = dirty_path(t, t->updates[i].path, &staged[i]);
	free(staged);
	return rc;
}

/* Brings paths of the working tree and the index up to the commit; the
 * files were checked clean against baseline under the lock, so this may
 * force. Returns 0, or -1 when the checkout did not finish (the index
 * locked by another git, a full disk). */
static int checkout_paths(struct archive *a, char **paths, size_t count,
			  git_tree *baseline, const git_oid *commit_oid)
{
	git_checkout_options co = GIT_CHECKOUT_OPTIONS_INIT;
	git_commit *commit;
	int rc = -1;

	if (git_repository_is_bare(a->repo) || count == 0)
		return 0;
	if (git_commit_lookup(&commit, a->repo, commit_oid) != 0)
		return -1;
	co.checkout_strategy = GIT_CHECKOUT_FORCE |
			       GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH;
	co.paths.strings = paths;
	co.paths.count = count;
	co.baseline = baseline;
	for (int attempt = 0; attempt < 20 && rc != 0; attempt++) {
		rc = git_checkout_tree(a->repo, (git_object *)commit, &co);
		if (rc != 0)
			sleep_ms(10);
	}
	git_commit_free(commit);
	return rc == 0 ? 0 : -1;
}

/* Brings the changed files of the working tree and the index up to the new
 * commit: by editing the index in place (gitindex.c), or else by libgit2's
 * checkout. */
static int checkout_changes(archive_txn *t, const git_oid *commit_oid)
{
	char **paths;
	int rc;

	if (archive_gitindex_checkout(t->archive, t->updates, t->count) == 0)
		return 0;
	paths = calloc(t->count ? t->count : 1, sizeof(*paths));
	if (!paths)
		return -1;
	for (size_t i = 0; i < t->count; i++)
		paths[i] = (char *)t->updates[i].path;
	rc = checkout_paths(t->archive, paths, t->count, t->base.tree,
			    commit_oid);
	free(paths);
	return rc;
}

/* ---- the note of a write in progress -------------------------------- */

/* Writes the note: what a successor needs to finish this write. Returns
 * 0, or -1 (errno set) when it could not be written whole. */
static int note_write(int fd, archive_txn *t, const char *branch,
		      const git_oid *new_oid)
{
	char base[GIT_OID_HEXSZ + 1], new[GIT_OID_HEXSZ + 1], *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	int rc = -1;

	if (!f)
		return -1;
	git_oid_tostr(base, sizeof(base), &t->base_oid);
	git_oid_tostr(new, sizeof(new), new_oid);
	fprintf(f, "branch %s\nbase %s\nnew %s\n", branch, base, new);
	for (size_t i = 0; i < t->count; i++)
		fprintf(f, "path %s\n", t->updates[i].path);
	if (fclose(f) == 0 && ftruncate(fd, 0) == 0) {
		if (pwrite(fd, text, len, 0) == (ssize_t)len)
			rc = 0;
		else if (ftruncate(fd, 0) != 0)
			rc = -1; /* half a note is worse than none */
	}
	free(text);
	return rc;
}

static void note_clear(int fd)
{
	if (ftruncate(fd, 0) != 0)
		return; /* the successor then redoes a finished job: harmless */
}

/* Reads the note left by a killed writer; NULL when there is none. */
static char *note_read(int fd)
{
	struct stat st;
	char *text;

	if (fstat(fd, &st) != 0 || st.st_size <= 0 || st.st_size > (1 << 24))
		return NULL;
	text = malloc((size_t)st.st_size + 1);
	if (!text)
		return NULL;
	if (pread(fd, text, (size_t)st.st_size, 0) != st.st_size) {
		free(text);
		return NULL;
	}
	text[st.st_size] = '\0';
	return text;
}

/* Removes GITDIR/name when it is there (a lock file a killed writer
 * left). */
static void remove_stale(struct archive *a, const char *name)
{
	char path[8400];

	snprintf(path, sizeof(path), "%s%s", git_repository_path(a->repo),
		 name);
	unlink(path);
}

/* Whether the working tree's file at path is missing, holds what the
 * tree `t` has there, or (with `torn`) the start of it, as a writer
 * killed while writing the file leaves it: in each case nobody edited
 * the file since the killed writer. */
static int holds(struct archive *a, const char *path, git_tree *t, int torn)
{
	git_tree_entry *entry = NULL;
	git_blob *blob = NULL;
	char full[4096], *text = NULL;
	size_t len = 0;
	int same = 0;

	snprintf(full, sizeof(full), "%s/%s", a->path, path);
	if (access(full, F_OK) != 0)
		return 1;
	if (t && git_tree_entry_bypath(&entry, t, path) == 0 &&
	    git_blob_lookup(&blob, a->repo, git_tree_entry_id(entry)) == 0 &&
	    archive_file_slurp(&text, &len, full) == 0) {
		size_t want = (size_t)git_blob_rawsize(blob);

		same = (len == want || (torn && len < want)) &&
		       memcmp(text, git_blob_rawcontent(blob), len) == 0;
	}
	archive_error_clear();
	free(text);
	git_blob_free(blob);
	git_tree_entry_free(entry);
	return same;
}

/* Checks out, after a killed writer, those of its paths that nobody has
 * touched since: an edit made in the meantime is never overwritten. */
static int recheckout(struct archive *a, char **paths, size_t count,
		      const git_oid *base, const git_oid *new)
{
	git_commit *bc = NULL, *nc = NULL;
	git_tree *bt = NULL, *nt = NULL;
	size_t keep = 0;
	int rc;

	if (git_commit_lookup(&bc, a->repo, base) == 0)
		git_commit_tree(&bt, bc);
	if (git_commit_lookup(&nc, a->repo, new) == 0)
		git_commit_tree(&nt, nc);
	for (size_t i = 0; i < count; i++)
		if (holds(a, paths[i], bt, 0) || holds(a, paths[i], nt, 1))
			paths[keep++] = paths[i];
	rc = checkout_paths(a, paths, keep, bt, new);
	git_tree_free(bt);
	git_tree_free(nt);
	git_commit_free(bc);
	git_commit_free(nc);
	return rc;
}

/* Finishes the write of a killed predecessor from its note. When the
 * branch is still at the old commit, the predecessor died while moving
 * it: its ref lock goes. When the branch is at the new commit, it died
 * while checking out: its index lock goes and the checkout is done
 * again. When the branch moved on since, somebody else has already
 * found it unlocked, and the working tree is left to them. */
static int recover(struct archive *a, int fd)
{
	char *note = note_read(fd), *line, *save = NULL, lock[4200];
	char *branch = NULL, **paths = NULL;
	git_oid base, new, now;
	int have_base = 0, have_new = 0, rc = 0;
	size_t count = 0;

	if (!note)
		return 0;
	paths = calloc(strlen(note) / 6 + 1, sizeof(*paths));
	for (line = strtok_r(note, "\n", &save); line && paths;
	     line = strtok_r(NULL, "\n", &save)) {
		if (!strncmp(line, "branch ", 7))
			branch = line + 7;
		else if (!strncmp(line, "base ", 5))
			have_base = git_oid_fromstr(&base, line + 5) == 0;
		else if (!strncmp(line, "new ", 4))
			have_new = git_oid_fromstr(&new, line + 4) == 0;
		else if (!strncmp(line, "path ", 5) &&
			 archive_path_check(line + 5) == 0)
			paths[count++] = line + 5;
	}
	archive_error_clear();
	if (branch && have_base && have_new && paths &&
	    git_reference_name_to_id(&now, a->repo, branch) == 0) {
		if (git_oid_equal(&now, &base)) {
			snprintf(lock, sizeof(lock), "%s.lock", branch);
			remove_stale(a, lock);
		} else if (git_oid_equal(&now, &new) &&
			   !git_repository_is_bare(a->repo)) {
			remove_stale(a, "index.lock");
			rc = recheckout(a, paths, count, &base, &new);
		}
	}
	free(paths);
	free(note);
	if (rc != 0)
		return archive_error_set(ARCHIVE_ERROR,
					 "%s: the working tree could not be "
					 "brought up to the last commit (disk "
					 "full?); nothing was written",
					 a->path);
	note_clear(fd);
	return 0;
}

/* What attempt_write() returns besides 0 and an error: try again. */
enum { MOVED = 1, LOCKED = 2 };

/* One attempt: stage, commit and compare-and-swap. Returns MOVED when the
 * branch moved under us, LOCKED when another git process holds the
 * branch's lock (try again for both), 0 on success, or an error. */
static int attempt_write(archive_txn *t, int fd, const char *branch,
			 const git_signature *sig, archive_write_fn fn,
			 void *ctx, git_oid *new_oid)
{
	struct archive *a = t->archive;
	git_reference *ref = NULL;
	git_tree *tree = NULL;
	git_oid tree_oid;
	int rc;

	txn_reset(t);
	t->checkout_failed = 0;
	rc = git_reference_name_to_id(&t->base_oid, a->repo, branch);
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, branch);
	if ((rc = archive_snap_set(&t->base, a, &t->base_oid)) != 0)
		return rc;
	if ((rc = fn(t, ctx)) != 0)
		return rc;
	if (t->count == 0)
		return archive_error_set(ARCHIVE_EINVALID, "nothing to change");
	if ((rc = dirty_check(t)) != 0)
		return rc;
	if (git_tree_create_updated(&tree_oid, a->repo, t->base.tree, t->count,
				    t->updates) != 0)
		return archive_git_fail(ARCHIVE_ERROR, "tree");
	if (git_oid_equal(&tree_oid, git_tree_id(t->base.tree))) {
		git_oid_cpy(new_oid, &t->base_oid);
		return 0; /* nothing changed: no empty commit */
	}
	if (git_tree_lookup(&tree, a->repo, &tree_oid) != 0)
		return archive_git_fail(ARCHIVE_ERROR, "tree");
	rc = git_commit_create(new_oid, a->repo, NULL, sig, sig, NULL,
			       t->message ? t->message : "mores: wijziging\n",
			       tree, 1,
			       (const git_commit **)&t->base.commit);
	git_tree_free(tree);
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, "commit");
	/* Without its note, a checkout cut short could not be finished:
	 * the branch does not move. */
	if (note_write(fd, t, branch, new_oid) != 0)
		return archive_error_set(ARCHIVE_ERROR,
					 "%smores.lock: cannot record the write "
					 "(%s); nothing was written",
					 git_repository_path(a->repo),
					 strerror(errno));
	rc = git_reference_create_matching(&ref, a->repo, branch, new_oid, 1,
					   &t->base_oid,
					   t->message ? t->message : "mores");
	git_reference_free(ref);
	if (rc == GIT_EMODIFIED)
		return MOVED;
	if (rc == GIT_ELOCKED)
		return LOCKED;
	if (rc != 0)
		return archive_git_fail(ARCHIVE_ERROR, branch);
	/* The commit stands. A checkout that did not finish keeps the note,
	 * so that the next writer finishes it. */
	t->checkout_failed = checkout_changes(t, new_oid) != 0;
	return 0;
}

int archive_write(archive *a, const char *author, archive_write_fn fn,
		  void *ctx)
{
	archive_txn t = { .archive = a };
	git_signature *sig = NULL;
	char *branch = NULL;
	git_oid new_oid;
	int fd = -1, rc, attempt, keep_note = 0;

	if ((rc = archive_signature(&sig, author)) != 0)
		return rc;
	if ((rc = archive_branch(&branch, a)) != 0)
		goto done;
	if ((rc = lock_take(&fd, a)) != 0)
		goto done;
	if ((rc = recover(a, fd)) != 0) {
		keep_note = 1;
		goto done;
	}
	for (attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		rc = attempt_write(&t, fd, branch, sig, fn, ctx, &new_oid);
		if (rc != MOVED && rc != LOCKED)
			break;
		sleep_ms(1 + rand() % (5 + attempt * 5));
	}
	if (rc == MOVED)
		rc = archive_error_set(ARCHIVE_ECONFLICT,
				       "%s: the branch kept moving while "
				       "writing; nothing was written, try again",
				       a->path);
	else if (rc == LOCKED)
		rc = archive_error_set(ARCHIVE_ECONFLICT,
				       "%s%s.lock: another git process holds "
				       "the branch; nothing was written (if no "
				       "git is running, remove this file)",
				       git_repository_path(a->repo), branch);
	if (rc == 0)
		rc = archive_snap_set(&a->snap, a, &new_oid);
done:
	if (fd >= 0) {
		if (!keep_note && (rc != 0 || !t.checkout_failed))
			note_clear(fd);
		close(fd);
	}
	txn_reset(&t);
	free(t.updates);
	archive_snap_clear(&t.base);
	free(branch);
	git_signature_free(sig);
	return rc;
}
