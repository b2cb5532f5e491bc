/*
 * changes.c: which files differ between an earlier commit and a snapshot,
 * so that derived data (the search index, the site) is brought up to date
 * by redoing only what changed.
 */
#include "archive_int.h"

#include <string.h>

struct walk {
	archive_path_fn fn;
	void *ctx;
	int rc; /* what fn returned, when it stopped the walk */
};

static int each_delta(const git_diff_delta *delta, float progress,
		      void *payload)
{
	struct walk *w = payload;
	int rc;

	(void)progress;
	rc = w->fn(delta->old_file.path, w->ctx);
	if (rc == 0 && delta->new_file.path &&
	    strcmp(delta->new_file.path, delta->old_file.path))
		rc = w->fn(delta->new_file.path, w->ctx);
	w->rc = rc;
	return rc;
}

int archive_snap_changes(archive_snap *s, const char *since,
			 archive_path_fn fn, void *ctx)
{
	git_repository *repo = s->archive->repo;
	git_oid oid;
	git_commit *old = NULL;
	git_tree *old_tree = NULL;
	git_diff *diff = NULL;
	struct walk w = { fn, ctx, 0 };
	int rc;

	if (git_oid_fromstrn(&oid, since, strlen(since)) != 0 ||
	    strlen(since) != 40 || git_commit_lookup(&old, repo, &oid) != 0) {
		git_error_clear();
		return archive_error_set(ARCHIVE_ENOTFOUND,
					 "commit %s is not in the archive",
					 since);
	}
	if (git_commit_tree(&old_tree, old) != 0 ||
	    git_diff_tree_to_tree(&diff, repo, old_tree, s->tree, NULL) != 0) {
		rc = archive_git_fail(ARCHIVE_ERROR, since);
		goto out;
	}
	rc = git_diff_foreach(diff, each_delta, NULL, NULL, NULL, &w);
	if (w.rc != 0)
		rc = w.rc;
	else if (rc != 0)
		rc = archive_git_fail(ARCHIVE_ERROR, since);
out:
	git_diff_free(diff);
	git_tree_free(old_tree);
	git_commit_free(old);
	return rc;
}
