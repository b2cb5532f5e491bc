/*
 * fixture.h: throwaway archives on disk for the Check suites. Every
 * fixture lives in its own temporary folder; a failing helper aborts the
 * test with a message rather than returning an error.
 */
#ifndef MORES_TESTS_FIXTURE_H
#define MORES_TESTS_FIXTURE_H

#include "archive/archive.h"

#include <stddef.h>
#include <sys/stat.h>

#define FIXTURE_AUTHOR "Test Secretaris <secretaris@example.org>"

/* Kinds of dossier fixture_commit_dossier() writes. */
#define FIXTURE_ASKED "asked"
#define FIXTURE_UNASKED "unasked"

/* A new empty temporary folder; caller frees with fixture_rmdir(). */
char *fixture_tmpdir(void);

/* Removes the folder and everything in it, and frees the name. */
void fixture_rmdir(char *dir);

/* Creates an archive at DIR/arch (name "Testcommissie", code ECT) and
 * opens it. */
archive *fixture_archive(const char *dir);

/* Opens the archive at DIR/arch again, as a second process would. */
archive *fixture_open(const char *dir);

/* Runs `git -C path ARGS` quietly; returns git's exit status. */
int fixture_git(const char *path, const char *args);

/* Number of commits on the archive's branch, counted by git itself. */
int fixture_commit_count(archive *a);

/* Whether DIR/REL holds exactly `text`. */
int fixture_file_equals(const char *dir, const char *rel, const char *text);

/* Whether the branch head, as git sees it, holds path. */
int fixture_file_in_head(archive *a, const char *path);

/* Writes a file outside mores, as an editor would. */
void fixture_write_file(const char *path, const char *text);

/* Commits path with text with plain git plumbing, as another writer (a
 * push, a script) would: without the lock or the checks of mores, and
 * without touching the working tree. */
void fixture_git_commit(archive *a, const char *path, const char *text);

/* fixture_git_commit() of the text "N\n". */
void fixture_commit_file(archive *a, const char *path, int n);

/* Commits path with text through a. */
void fixture_commit_text(archive *a, const char *path, const char *text);

/* Commits a valid dossier of kind FIXTURE_ASKED or FIXTURE_UNASKED; with
 * advice "advies" it is drafted (status draft, an advies.md with a body),
 * else registered. */
void fixture_commit_dossier(archive *a, const char *id, const char *kind,
			    const char *advice);

/* Front matter of a dossier that is published and public. */
#define FIXTURE_PUBLISHED "status: published\nvisibility: public\n"

/* Commits an unasked dossier received on YYYY-02-01 with title, extra
 * front matter lines and case text; with `advice`, also an advies.md
 * adopted on YYYY-06-01 with that summary and text. */
void fixture_put_dossier(archive *a, const char *id, const char *title,
			 const char *front, const char *body,
			 const char *summary, const char *advice);

/* A problem callback's helper: appends "field," to the char buffer ctx
 * (1024 bytes). */
void fixture_note_problem(void *ctx, const char *field);

#endif
