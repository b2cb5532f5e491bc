/*
 * changes.c: which files differ between an earlier commit and a snapshot,
 * so that derived data (the search index, the site) is brought up to date
 * by redoing only what changed.
 */
#include "archive_int.h"

#include <stdlib.h>
#include <string.h>

struct walk {
	git_repository *repo;
	archive_path_fn fn;
	void *ctx;
	char path[4096];
};

/* Appends entry e's name to the path of length len; the new length, or 0
 * when it does not fit. */
static size_t path_join(struct walk *w, size_t len, const git_tree_entry *e)
{
	const char *name = git_tree_entry_name(e);
	size_t n = strlen(name);

	if (len + 1 + n >= sizeof(w->path))
		return 0;
	if (len)
		w->path[len++] = '/';
	memcpy(w->path + len, name, n + 1);
	return len + n;
}

/* Reports every file at or under entry e, whose path is w->path. */
static int every_file(struct walk *w, size_t len, const git_tree_entry *e)
{
	git_tree *t;
	size_t n;
	int rc = 0;

	if (git_tree_entry_type(e) != GIT_OBJECT_TREE)
		return w->fn(w->path, w->ctx);
	if (git_tree_lookup(&t, w->repo, git_tree_entry_id(e)) != 0)
		return archive_git_fail(ARCHIVE_ERROR, w->path);
	for (size_t i = 0; rc == 0 && i < git_tree_entrycount(t); i++) {
		const git_tree_entry *c = git_tree_entry_byindex(t, i);

		rc = (n = path_join(w, len, c)) ? every_file(w, n, c) : 0;
	}
	git_tree_free(t);
	w->path[len] = '\0';
	return rc;
}

static int compare(struct walk *w, size_t len, const git_tree *a,
		   const git_tree *b);

/* Two entries of the same name that differ. */
static int compare_entries(struct walk *w, size_t len,
			   const git_tree_entry *x, const git_tree_entry *y)
{
	git_tree *ta = NULL, *tb = NULL;
	int rc;

	if (git_tree_entry_type(x) != GIT_OBJECT_TREE ||
	    git_tree_entry_type(y) != GIT_OBJECT_TREE) {
		rc = every_file(w, len, x);
		return rc ? rc : every_file(w, len, y);
	}
	if (git_tree_lookup(&ta, w->repo, git_tree_entry_id(x)) != 0 ||
	    git_tree_lookup(&tb, w->repo, git_tree_entry_id(y)) != 0)
		rc = archive_git_fail(ARCHIVE_ERROR, w->path);
	else
		rc = compare(w, len, ta, tb);
	git_tree_free(ta);
	git_tree_free(tb);
	return rc;
}

/* Walks trees a and b side by side in git's order of names, passing
 * over every subtree that is the same object on both sides: the cost
 * follows the change, not the size of the archive. */
static int compare(struct walk *w, size_t len, const git_tree *a,
		   const git_tree *b)
{
	size_t i = 0, j = 0, na = git_tree_entrycount(a),
	       nb = git_tree_entrycount(b), n;
	int rc = 0;

	while (rc == 0 && (i < na || j < nb)) {
		const git_tree_entry *x = i < na ? git_tree_entry_byindex(a, i)
						 : NULL;
		const git_tree_entry *y = j < nb ? git_tree_entry_byindex(b, j)
						 : NULL;
		int cmp = !x ? 1 : !y ? -1 : git_tree_entry_cmp(x, y);
		const git_tree_entry *e = cmp <= 0 ? x : y;

		i += cmp <= 0;
		j += cmp >= 0;
		if (cmp == 0 &&
		    git_oid_equal(git_tree_entry_id(x), git_tree_entry_id(y)) &&
		    git_tree_entry_filemode(x) == git_tree_entry_filemode(y))
			continue;
		if (!(n = path_join(w, len, e)))
			continue;
		if (cmp != 0)
			rc = every_file(w, n, e);
		else if (git_tree_entry_type(x) == GIT_OBJECT_TREE ||
			 git_tree_entry_type(y) == GIT_OBJECT_TREE)
			rc = compare_entries(w, n, x, y);
		else
			rc = w->fn(w->path, w->ctx); /* a file changed */
		w->path[len] = '\0';
	}
	return rc;
}

int archive_snap_changes(archive_snap *s, const char *since,
			 archive_path_fn fn, void *ctx)
{
	git_repository *repo = s->archive->repo;
	git_oid oid;
	git_commit *old = NULL;
	git_tree *old_tree = NULL;
	struct walk *w;
	int rc;

	if (git_oid_fromstrn(&oid, since, strlen(since)) != 0 ||
	    strlen(since) != 40 || git_commit_lookup(&old, repo, &oid) != 0) {
		git_error_clear();
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "commit %s is not in the archive",
					 since);
	}
	if (!(w = calloc(1, sizeof(*w)))) {
		git_commit_free(old);
		return archive_error_set(ARCHIVE_ERROR, "out of memory");
	}
	w->repo = repo;
	w->fn = fn;
	w->ctx = ctx;
	if (git_commit_tree(&old_tree, old) != 0)
		rc = archive_git_fail(ARCHIVE_ERROR, since);
	else
		rc = compare(w, 0, old_tree, s->tree);
	free(w);
	git_tree_free(old_tree);
	git_commit_free(old);
	return rc;
}
