/*
 * archive_int.h: what the files of the archive module share among
 * themselves and nobody else: the archive and snapshot structures and the
 * libgit2 glue.
 */
#ifndef MORES_ARCHIVE_INT_H
#define MORES_ARCHIVE_INT_H

#include "archive.h"

#include <git2.h>

struct archive_snap {
	struct archive *archive;
	git_commit *commit;
	git_tree *tree;
	char hex[41];
};

struct archive {
	git_repository *repo;
	char *path;    /* the working tree, or the git dir when bare */
	char *derived; /* .mores under the working tree, or GITDIR/mores */
	archive_node *settings;
	struct archive_snap snap;
};

/* Records libgit2's last message under `what`, with `code` for ours. */
int archive_git_fail(int code, const char *what);

/* Fills snap from the commit `oid`, releasing what it held. */
int archive_snap_set(struct archive_snap *snap, struct archive *a,
		     const git_oid *oid);
void archive_snap_clear(struct archive_snap *snap);

/* The full name of the branch HEAD points at ("refs/heads/main"). */
int archive_branch(char **out, struct archive *a);

/* Parses "Name <mail>" into a fresh signature dated now. */
int archive_signature(git_signature **out, const char *author);

/* Validates a path inside the archive (relative, no "."/".." parts). */
int archive_path_check(const char *path);

/* Checks the loose object oid (read for `path`) before libgit2 reads it:
 * 0 when it inflates whole to the size its header gives, or when it is
 * not a loose object; ARCHIVE_ERROR naming path and object when it is
 * damaged. */
int archive_object_check(struct archive *a, const git_oid *oid,
			 const char *path);

/* Parses values.yml text (`file` names it in messages) and checks its
 * shape: a list of values with id, label and question, ids unique. */
int archive_vocab_parse(archive_vocab **out, const char *file,
			const char *text, size_t len);

/* Parses mores.yml text: a map holding at least the citation code. */
int archive_settings_parse(archive_node **out, const char *text, size_t len);

/* gitindex.c: the index file edited in place for the paths of a write.
 * Each function returns 0, -1 when it failed (errno may say why), or
 * GITINDEX_UNHANDLED, before it changed anything, for an index, path or
 * setting that libgit2 must handle. */
#define GITINDEX_UNHANDLED 1

enum { ARCHIVE_STAGED_NONE, ARCHIVE_STAGED_BLOB, ARCHIVE_STAGED_OTHER };

/* What the index holds for a path: nothing, a blob (at stage 0, without
 * flags), or something else (a conflict, an entry added with intent). */
typedef struct {
	int state;
	git_oid id;
} archive_staged;

/* Fills out[i] for the path of each of updates[0..n). */
int archive_gitindex_staged(struct archive *a, const git_tree_update *updates,
			    size_t n, archive_staged *out);

/* Writes the updated files from their blobs into the working tree (or
 * removes them) and brings their index entries up to them, under git's
 * index lock. */
int archive_gitindex_checkout(struct archive *a,
			      const git_tree_update *updates, size_t n);

#endif
