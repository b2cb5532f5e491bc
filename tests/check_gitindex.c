/*
 * check_gitindex.c: git's index edited in place for the paths of a write
 * (archive/gitindex.c). What git itself reads from the result is the
 * measure: its status, the tree it would commit, the stat data it keeps,
 * and the hand edits it must still see. Indexes and settings this does
 * not handle must be left untouched, for libgit2's checkout to handle.
 */
#include "archive/archive_int.h"
#include "tests/fixture.h"

#include <check.h>
#include <fcntl.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------- */

struct files {
	const char *paths[8];
	const char *texts[8];
};

static int stage_files(archive_txn *t, void *ctx)
{
	struct files *f = ctx;
	int rc = 0;

	archive_txn_message(t, "files\n");
	for (int i = 0; rc == 0 && i < 8 && f->paths[i]; i++)
		rc = f->texts[i] ? archive_txn_put(t, f->paths[i], f->texts[i],
						   strlen(f->texts[i])) :
				   archive_txn_remove(t, f->paths[i]);
	return rc;
}

/* An archive whose files make the index's order matter: "notes-b.md"
 * sorts between "notes" and "notes/a.md". */
static archive *sample_archive(const char *dir)
{
	archive *a = fixture_archive(dir);
	struct files f = {
		{ "dossiers/2025/2025-001/dossier.md",
		  "dossiers/2025/2025-002/dossier.md", "notes/a.md",
		  "notes-b.md", "notes.md", "z.md" },
		{ "een\n", "twee\n", "hallo\n", "b\n", "n\n", "z\n" },
	};

	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_files, &f), 0);
	/* git caches the trees of the index, as it does after a commit */
	ck_assert_int_eq(fixture_git(archive_path(a), "write-tree"), 0);
	return a;
}

/* Everything git prints for args (at most size bytes), "" on failure. */
static void git_out(char *out, size_t size, const char *path,
		    const char *args)
{
	char *cmd;
	size_t n = 0;
	FILE *p;

	out[0] = '\0';
	ck_assert_int_ge(asprintf(&cmd, "git -C '%s' %s 2>/dev/null", path,
				  args),
			 0);
	p = popen(cmd, "r");
	free(cmd);
	if (!p)
		return;
	n = fread(out, 1, size - 1, p);
	out[n] = '\0';
	pclose(p);
}

static git_tree *head_tree(archive *a)
{
	git_object *obj = NULL;
	git_tree *tree = NULL;

	ck_assert_int_eq(git_revparse_single(&obj, a->repo, "HEAD^{tree}"), 0);
	tree = (git_tree *)obj;
	return tree;
}

static void put_update(git_tree_update *u, archive *a, const char *path,
		       const char *text)
{
	memset(u, 0, sizeof(*u));
	u->path = path;
	u->filemode = GIT_FILEMODE_BLOB;
	u->action = text ? GIT_TREE_UPDATE_UPSERT : GIT_TREE_UPDATE_REMOVE;
	if (text)
		ck_assert_int_eq(git_blob_create_from_buffer(&u->id, a->repo,
							     text,
							     strlen(text)),
				 0);
}

static char *slurp(const char *file, size_t *len)
{
	FILE *f = fopen(file, "rb");
	char *buf;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	buf = malloc(*len + 1);
	ck_assert_uint_eq(fread(buf, 1, *len, f), *len);
	buf[*len] = '\0';
	fclose(f);
	return buf;
}

/* ---- the index spliced ------------------------------------------------- */

START_TEST(splice_matches_what_git_would_commit)
{
	char *dir = fixture_tmpdir(), out[8192], hex[GIT_OID_HEXSZ + 1];
	char expect[512], file[4096];
	archive *a = sample_archive(dir);
	const char *root = archive_path(a);
	git_tree_update u[4];
	git_tree *base = head_tree(a);
	git_oid want;
	struct stat st;

	snprintf(file, sizeof(file), "%s/.git/index", root);
	{
		size_t len;
		char *index = slurp(file, &len);

		ck_assert_ptr_nonnull(memmem(index, len, "TREE", 4));
		free(index);
	}
	put_update(&u[0], a, "dossiers/2026/2026-001/dossier.md", "nieuw\n");
	put_update(&u[1], a, "notes/a.md", "anders\n");
	put_update(&u[2], a, "notes-b.md", NULL);
	put_update(&u[3], a, "dossiers/2025/2025-002/dossier.md", NULL);
	ck_assert_int_eq(git_tree_create_updated(&want, a->repo, base, 4, u),
			 0);
	ck_assert_int_eq(archive_gitindex_checkout(a, u, 4), 0);

	/* the tree git would commit from this index, cached trees and all */
	git_oid_tostr(hex, sizeof(hex), &want);
	git_out(out, sizeof(out), root, "write-tree");
	out[strcspn(out, "\n")] = '\0';
	ck_assert_str_eq(out, hex);
	/* the working tree: new files, changed ones, removed ones and the
	 * directory a removal left empty */
	ck_assert(fixture_file_equals(dir, "arch/notes/a.md", "anders\n"));
	ck_assert(fixture_file_equals(
		dir, "arch/dossiers/2026/2026-001/dossier.md", "nieuw\n"));
	snprintf(file, sizeof(file), "%s/notes-b.md", root);
	ck_assert_int_ne(access(file, F_OK), 0);
	snprintf(file, sizeof(file), "%s/dossiers/2025/2025-002", root);
	ck_assert_int_ne(access(file, F_OK), 0);
	/* git keeps the stat data of the file as it is on disk */
	snprintf(file, sizeof(file), "%s/dossiers/2026/2026-001/dossier.md",
		 root);
	ck_assert_int_eq(stat(file, &st), 0);
	git_out(out, sizeof(out), root,
		"ls-files --debug dossiers/2026/2026-001/dossier.md");
	snprintf(expect, sizeof(expect), "  mtime: %ld:%ld\n",
		 (long)st.st_mtim.tv_sec, (long)st.st_mtim.tv_nsec);
	ck_assert_msg(strstr(out, expect), "%s lacks %s", out, expect);
	snprintf(expect, sizeof(expect), "ino: %lu\n", (unsigned long)st.st_ino);
	ck_assert_msg(strstr(out, expect), "%s lacks %s", out, expect);
	ck_assert_ptr_nonnull(strstr(out, "size: 6\t"));
	/* and sees the index as that tree, the working tree as the index,
	 * and nothing untracked */
	snprintf(expect, sizeof(expect), "diff --cached --quiet %s", hex);
	ck_assert_int_eq(fixture_git(root, expect), 0);
	ck_assert_int_eq(fixture_git(root, "diff-files --quiet"), 0);
	git_out(out, sizeof(out), root, "ls-files -o --exclude-standard");
	ck_assert_str_eq(out, "");
	ck_assert_int_eq(fixture_git(root, "fsck --strict --no-progress"), 0);
	git_tree_free(base);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(writes_go_through_the_splice)
{
	char *dir = fixture_tmpdir(), out[4096];
	archive *a = sample_archive(dir);
	const char *root = archive_path(a);
	struct files f = { { "dossiers/2026/2026-002/dossier.md", "z.md" },
			   { "x\n", "zz\n" } };
	int i;

	/* many commits in a row, each leaving git content */
	for (i = 0; i < 5; i++) {
		char text[16];

		snprintf(text, sizeof(text), "%d\n", i);
		f.texts[1] = text;
		ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_files,
					       &f),
				 0);
		ck_assert(fixture_file_equals(dir, "arch/z.md", text));
		git_out(out, sizeof(out), root, "status --porcelain");
		ck_assert_str_eq(out, "");
	}
	ck_assert_int_eq(fixture_git(root, "diff --cached --quiet HEAD"), 0);
	/* git's own commit afterwards sees no leftover change */
	ck_assert_int_ne(fixture_git(root, "-c user.name=X -c user.email=x@y "
					   "commit -q -m leeg"),
			 0);
	/* no lock or old index is left behind */
	snprintf(out, sizeof(out), "%s/.git/index.lock", root);
	ck_assert_int_ne(access(out, F_OK), 0);
	usleep(200000); /* the old index is removed by a process of its own */
	ck_assert_int_eq(fixture_git(root, "ls-files -o --exclude-standard "
					   "| grep -q ."),
			 1);
	snprintf(out, sizeof(out), "test -z \"$(ls '%s/.git' | grep index.)\"",
		 root);
	ck_assert_int_eq(system(out), 0);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* A file edited in the second its entry was written has the stat data of
 * the entry: git then compares content. The rewritten index must keep
 * git doing so. */
START_TEST(racily_clean_entries_stay_checked)
{
	char *dir = fixture_tmpdir(), file[4096], index[4200];
	archive *a = sample_archive(dir);
	const char *root = archive_path(a);
	struct files hand = { { "notes.md" }, { "m\n" } };
	struct timespec times[2];
	git_tree_update u;
	struct stat st;
	int fd;

	ck_assert_int_eq(fixture_git(root, "config core.trustctime false"), 0);
	snprintf(file, sizeof(file), "%s/notes.md", root);
	snprintf(index, sizeof(index), "%s/.git/index", root);
	ck_assert_int_eq(stat(file, &st), 0);
	/* the same size, the same inode, the same second: only the content
	 * tells the edit */
	fd = open(file, O_WRONLY | O_TRUNC);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "m\n", 2), 2);
	close(fd);
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	/* git compares the seconds only: the nanoseconds may differ */
	times[1].tv_nsec = (times[1].tv_nsec + 1) % 1000000000;
	ck_assert_int_eq(utimensat(AT_FDCWD, file, times, 0), 0);
	times[1] = st.st_mtim;
	ck_assert_int_eq(utimensat(AT_FDCWD, index, times, 0), 0);
	ck_assert_int_eq(fixture_git(root, "diff-files --quiet notes.md"), 1);

	/* the new index is written a second later, when git would no longer
	 * count the entry as racy by itself */
	usleep(1100000);
	put_update(&u, a, "dossiers/2026/2026-003/dossier.md", "drie\n");
	ck_assert_int_eq(archive_gitindex_checkout(a, &u, 1), 0);
	ck_assert_int_eq(fixture_git(root, "diff-files --quiet notes.md"), 1);
	/* and a write never overwrites the edit */
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_files, &hand),
			 ARCHIVE_EDIRTY);
	ck_assert(fixture_file_equals(dir, "arch/notes.md", "m\n"));
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(staged_entries_are_found)
{
	char *dir = fixture_tmpdir(), file[4096];
	archive *a = sample_archive(dir);
	git_tree_update paths[4] = { { .path = "z.md" },
				     { .path = "nergens.md" },
				     { .path = "notes/a.md" },
				     { .path = "erbij.md" } };
	archive_staged st[4];
	git_tree_entry *e;
	git_tree *base = head_tree(a);

	snprintf(file, sizeof(file), "%s/erbij.md", archive_path(a));
	fixture_write_file(file, "e\n");
	ck_assert_int_eq(fixture_git(archive_path(a), "add -N erbij.md"), 0);
	ck_assert_int_eq(archive_gitindex_staged(a, paths, 4, st), 0);
	ck_assert_int_eq(st[0].state, ARCHIVE_STAGED_BLOB);
	ck_assert_int_eq(git_tree_entry_bypath(&e, base, "z.md"), 0);
	ck_assert(git_oid_equal(&st[0].id, git_tree_entry_id(e)));
	git_tree_entry_free(e);
	ck_assert_int_eq(st[1].state, ARCHIVE_STAGED_NONE);
	ck_assert_int_eq(st[2].state, ARCHIVE_STAGED_BLOB);
	ck_assert_int_eq(st[3].state, ARCHIVE_STAGED_OTHER); /* intent to add */
	git_tree_free(base);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

/* ---- what is left to libgit2 ------------------------------------------ */

/* Sets up a case the splice does not handle; the splice must then change
 * nothing, and a write must still succeed through libgit2. */
static void left_alone(const char *setup, const char *path)
{
	char *dir = fixture_tmpdir(), file[4096], *before, *after;
	archive *a = sample_archive(dir);
	const char *root = archive_path(a);
	struct files f = { { path }, { "a\nb\n" } };
	size_t n_before, n_after;
	git_tree_update u;

	{
		char cmd[8400];

		snprintf(cmd, sizeof(cmd), "cd '%s' && %s", root, setup);
		ck_assert_msg(system(cmd) == 0, "setup failed: %s", setup);
	}
	snprintf(file, sizeof(file), "%s/.git/index", root);
	before = slurp(file, &n_before);
	put_update(&u, a, path, "a\nb\n");
	ck_assert_int_eq(archive_gitindex_checkout(a, &u, 1),
			 GITINDEX_UNHANDLED);
	after = slurp(file, &n_after);
	ck_assert_uint_eq(n_before, n_after);
	ck_assert(memcmp(before, after, n_before) == 0);
	snprintf(file, sizeof(file), "arch/%s", path);
	ck_assert(!fixture_file_equals(dir, file, "a\nb\n"));
	free(before);
	free(after);
	/* libgit2 does the write instead */
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_files, &f), 0);
	ck_assert(fixture_file_in_head(a, path));
	archive_free(a);
	fixture_rmdir(dir);
}

START_TEST(index_version_4_is_left_alone)
{
	left_alone("git update-index --index-version 4", "nieuw.md");
}
END_TEST

START_TEST(line_endings_are_left_alone)
{
	left_alone("git config core.autocrlf true", "nieuw.md");
}
END_TEST

START_TEST(attributes_are_left_alone)
{
	left_alone("printf '*.md text eol=crlf\\n' >.gitattributes",
		   "map/nieuw.md");
	left_alone("mkdir -p map && printf '*.md ident\\n' >map/.gitattributes "
		   "&& git add map/.gitattributes && rm map/.gitattributes",
		   "map/nieuw.md");
}
END_TEST

START_TEST(flagged_and_unordered_entries_are_left_alone)
{
	left_alone("git update-index --assume-unchanged z.md", "z.md");
	/* the first two entries swapped, under a checksum that fits */
	left_alone("python3 -c \"import hashlib,struct\n"
		   "b=open('.git/index','rb').read()\n"
		   "def n(o):\n"
		   " l=struct.unpack('>H',b[o+60:o+62])[0]&0xfff\n"
		   " return (62+l+8)&~7\n"
		   "a=12;m=a+n(a);e=m+n(m)\n"
		   "c=b[:a]+b[m:e]+b[a:m]+b[e:-20]\n"
		   "open('.git/index','wb').write(c+hashlib.sha1(c).digest())\"",
		   "nieuw.md");
}
END_TEST

START_TEST(file_meeting_directory_is_left_alone)
{
	/* the index holds a file where the path needs a directory */
	left_alone("git update-index --add --cacheinfo "
		   "100644,$(git hash-object -w z.md),map",
		   "map/nieuw.md");
	/* and files under the path that is to be a file */
	left_alone("git update-index --add --cacheinfo "
		   "100644,$(git hash-object -w z.md),blad/onder.md",
		   "blad");
}
END_TEST

START_TEST(links_are_not_followed)
{
	char *dir = fixture_tmpdir(), file[4096], cmd[8400];
	archive *a = sample_archive(dir);
	git_tree_update u;

	/* the dossier folder replaced by a link to a folder outside */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && mkdir ../buiten && rm -r dossiers/2025 && "
		 "ln -s ../../buiten dossiers/2025",
		 archive_path(a));
	ck_assert_int_eq(system(cmd), 0);
	put_update(&u, a, "dossiers/2025/2025-001/dossier.md", "weg\n");
	ck_assert_int_ne(archive_gitindex_checkout(a, &u, 1), 0);
	snprintf(file, sizeof(file), "%s/buiten/2025-001", dir);
	ck_assert_int_ne(access(file, F_OK), 0);
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

START_TEST(crlf_written_by_libgit2)
{
	char *dir = fixture_tmpdir();
	archive *a = sample_archive(dir);
	struct files f = { { "c.md" }, { "a\nb\n" } };

	ck_assert_int_eq(fixture_git(archive_path(a),
				     "config core.autocrlf true"),
			 0);
	ck_assert_int_eq(archive_write(a, FIXTURE_AUTHOR, stage_files, &f), 0);
	ck_assert(fixture_file_equals(dir, "arch/c.md", "a\r\nb\r\n"));
	archive_free(a);
	fixture_rmdir(dir);
}
END_TEST

Suite *gitindex_suite(void)
{
	Suite *s = suite_create("gitindex");
	TCase *t = tcase_create("splice");

	tcase_set_timeout(t, 60);
	tcase_add_test(t, splice_matches_what_git_would_commit);
	tcase_add_test(t, writes_go_through_the_splice);
	tcase_add_test(t, racily_clean_entries_stay_checked);
	tcase_add_test(t, staged_entries_are_found);
	suite_add_tcase(s, t);
	t = tcase_create("unhandled");
	tcase_set_timeout(t, 60);
	tcase_add_test(t, index_version_4_is_left_alone);
	tcase_add_test(t, line_endings_are_left_alone);
	tcase_add_test(t, attributes_are_left_alone);
	tcase_add_test(t, file_meeting_directory_is_left_alone);
	tcase_add_test(t, flagged_and_unordered_entries_are_left_alone);
	tcase_add_test(t, links_are_not_followed);
	tcase_add_test(t, crlf_written_by_libgit2);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *r = srunner_create(gitindex_suite());
	int failed;

	srunner_run_all(r, CK_NORMAL);
	failed = srunner_ntests_failed(r);
	srunner_free(r);
	return failed ? 1 : 0;
}
