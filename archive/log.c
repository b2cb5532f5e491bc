/*
 * log.c: the history of a file or folder, from git: every commit on the
 * branch that changed it, newest first, with its author, time and message.
 */
#include "archive_int.h"

#include <string.h>

/* Whether commit changed prefix compared with its first parent. */
static int changed(git_commit *commit, const char *prefix)
{
	git_tree *tree = NULL, *ptree = NULL;
	git_tree_entry *e = NULL, *pe = NULL;
	git_commit *parent = NULL;
	int result;

	if (git_commit_tree(&tree, commit) != 0)
		return 0;
	if (git_commit_parentcount(commit) > 0 &&
	    git_commit_parent(&parent, commit, 0) == 0)
		git_commit_tree(&ptree, parent);
	if (!*prefix)
		result = !ptree ||
			 !git_oid_equal(git_tree_id(tree), git_tree_id(ptree));
	else {
		int has = git_tree_entry_bypath(&e, tree, prefix) == 0;
		int had = ptree && git_tree_entry_bypath(&pe, ptree, prefix) == 0;

		result = has != had ||
			 (has && !git_oid_equal(git_tree_entry_id(e),
						git_tree_entry_id(pe)));
	}
	git_tree_entry_free(e);
	git_tree_entry_free(pe);
	git_tree_free(tree);
	git_tree_free(ptree);
	git_commit_free(parent);
	return result;
}

int archive_log(archive *a, const char *prefix, archive_log_fn fn, void *ctx)
{
	git_revwalk *walk = NULL;
	git_oid oid;
	int rc = 0;

	if (git_revwalk_new(&walk, a->repo) != 0 ||
	    git_revwalk_push(walk, git_commit_id(a->snap.commit)) != 0) {
		git_revwalk_free(walk);
		return archive_git_fail(ARCHIVE_ERROR, "history");
	}
	git_revwalk_sorting(walk, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	git_revwalk_simplify_first_parent(walk);
	while (rc == 0 && git_revwalk_next(&oid, walk) == 0) {
		git_commit *commit;
		const git_signature *author;
		archive_change c;

		if (git_commit_lookup(&commit, a->repo, &oid) != 0) {
			rc = archive_git_fail(ARCHIVE_ERROR, "history");
			break;
		}
		if (changed(commit, prefix ? prefix : "")) {
			author = git_commit_author(commit);
			git_oid_tostr(c.commit, sizeof(c.commit), &oid);
			c.author_name = author->name;
			c.author_email = author->email;
			c.time = author->when.time;
			c.offset = author->when.offset;
			c.message = git_commit_message(commit);
			rc = fn(&c, ctx);
		}
		git_commit_free(commit);
	}
	git_revwalk_free(walk);
	return rc;
}
