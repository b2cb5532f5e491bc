/*
 * archive.h: the git-backed store of a committee's dossiers, and the
 * document model (YAML front matter plus a Markdown body) that every other
 * module reads through.
 *
 * An archive is an ordinary git repository holding mores.yml, optional
 * values.yml and dossiers/YYYY/ID/{dossier,advies,reactie}.md. Reads see a
 * committed state (a snapshot), never a half-written working tree. Every
 * change is exactly one commit made by archive_write(), which serialises
 * writers on a lock, updates the branch with a compare-and-swap and, when
 * the archive has a working tree, checks the changed files out.
 *
 * Conventions: functions that can fail return 0 or a negative ARCHIVE_E*
 * code and leave one message in this thread's error channel
 * (archive_error_last()). A `T **out` first argument hands ownership of the
 * result to the caller, who frees it with the matching _free(); every
 * _free(NULL) does nothing.
 */
#ifndef MORES_ARCHIVE_H
#define MORES_ARCHIVE_H

/* The version of mores, as --version and the User-Agent name it. */
#define MORES_VERSION "0.1.0"

#include <stddef.h>
#include <stdint.h>

/* Result codes. The message of the last failure is archive_error_last(). */
enum {
	ARCHIVE_OK = 0,
	ARCHIVE_ERROR = -1,     /* I/O, git or out of memory */
	ARCHIVE_ENOTFOUND = -2, /* no such archive, file, dossier or key */
	ARCHIVE_EINVALID = -3,  /* bad input: a document, field or value */
	ARCHIVE_ECONFLICT = -4, /* the branch kept moving under the writer */
	ARCHIVE_EDIRTY = -5,    /* would overwrite an uncommitted edit */
	ARCHIVE_ELOCKED = -6,   /* another writer holds the archive too long */
	ARCHIVE_ENOAUTHOR = -7, /* nobody to author the commit */
	ARCHIVE_EEXISTS = -8    /* the thing to create is already there */
};

/* ---- error channel (one per thread) ---------------------------------- */

/* The message of the last failure in this thread; "" when there is none.
 * The string stays valid until the next archive_error_set(). */
const char *archive_error_last(void);

/* The code of the last failure in this thread, 0 when there is none. */
int archive_error_code(void);

/* Records a failure: `code` with a printf-style message. Returns `code`, so
 * that `return archive_error_set(ARCHIVE_EINVALID, ...);` reads well. */
int archive_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Forgets the last failure. */
void archive_error_clear(void);

/* ---- small shared helpers ------------------------------------------- */

/* Checks that s[0..len) is valid UTF-8 without NUL bytes. Returns 0, or
 * ARCHIVE_EINVALID and sets *bad_line (1-based) to the offending line. */
int archive_utf8_check(const char *s, size_t len, int *bad_line);

/* Parses a real calendar date "YYYY-MM-DD". Returns 0 and fills y/m/d (any
 * may be NULL), or ARCHIVE_EINVALID without touching the error channel. */
int archive_date_parse(const char *s, int *y, int *m, int *d);

/* Days from 1970-01-01 to a valid date; used to compare and subtract. */
long archive_date_days(int y, int m, int d);

/* Writes today's date ("YYYY-MM-DD") into out. $MORES_TODAY, when it holds a
 * valid date, overrides the clock (for reports "as of" a day). */
void archive_date_today(char out[11]);

/* Parses a dossier id "YYYY-NNN" (at least three digits of sequence, no
 * leading sign, nothing else). Returns 0 and fills year and seq (either may
 * be NULL), or ARCHIVE_EINVALID without touching the error channel. */
int archive_id_parse(const char *id, int *year, int *seq);

/* The folder of a dossier in the archive: "dossiers/YYYY/ID". Caller frees.
 * NULL when the id is invalid or memory runs out. */
char *archive_id_dir(const char *id);

/* The citation id "CODE:YYYY:N" of a dossier id. Caller frees; NULL when
 * the id is invalid. */
char *archive_id_citation(const char *code, const char *id);

/* The folder holding the data files mores ships (the advice templates and
 * templates/values.yml): $MORES_DATADIR, else PREFIX/share/mores beside an
 * installed binary, else the folder of the binary (a build tree). */
const char *archive_datadir(void);

/* Room for need elements of size bytes in the array whose address is
 * array (a T **), of *cap now: grown by doubling. 0, or ARCHIVE_ERROR
 * when out of memory, the array then as it was. */
int archive_grow(void *array, size_t *cap, size_t need, size_t size);

/* Reads a whole file from disk. Caller frees *out (NUL-terminated). */
int archive_file_slurp(char **out, size_t *len, const char *path);

/* Removes the files a process that is gone left beside path, named path,
 * then infix, then its pid, then nothing or one of tails (NULL-ended):
 * what a writer killed half-way leaves. */
void archive_remove_left_behind(const char *path, const char *infix,
				const char *const *tails);

/* ---- YAML nodes ------------------------------------------------------ */

typedef struct archive_node archive_node;

typedef enum {
	ARCHIVE_NODE_SCALAR,
	ARCHIVE_NODE_LIST,
	ARCHIVE_NODE_MAP
} archive_node_kind;

/* A new empty node of the kind; a scalar holds `value` (copied; NULL makes
 * a null scalar). NULL when memory runs out. */
archive_node *archive_node_new(archive_node_kind kind, const char *value);
void archive_node_free(archive_node *n);
archive_node *archive_node_copy(const archive_node *n);

archive_node_kind archive_node_kind_of(const archive_node *n);

/* The text of a scalar; NULL for a null scalar (`~`, `null` or nothing)
 * and for lists and maps. */
const char *archive_node_scalar(const archive_node *n);

/* Entries of a list or map (0 for a scalar), the i-th entry and, for maps,
 * the i-th key. */
size_t archive_node_count(const archive_node *n);
archive_node *archive_node_at(const archive_node *n, size_t i);
const char *archive_node_key_at(const archive_node *n, size_t i);

/* The line (1-based) in its file where the node began; 0 when built here. */
int archive_node_line(const archive_node *n);

/* Map look-ups: the value under key, or NULL. _get_scalar is NULL too when
 * the value is not a non-null scalar. */
archive_node *archive_node_get(const archive_node *map, const char *key);
const char *archive_node_get_scalar(const archive_node *map, const char *key);

/* Puts `value` under key, taking ownership of it; an existing key keeps its
 * place. On failure value is freed and the map is unaltered. */
int archive_node_put(archive_node *map, const char *key, archive_node *value);
int archive_node_put_scalar(archive_node *map, const char *key, const char *v);

/* Appends to a list, taking ownership; on failure item is freed. */
int archive_node_append(archive_node *list, archive_node *item);

/* Removes key from a map; 0 when it was there, ARCHIVE_ENOTFOUND if not. */
int archive_node_remove(archive_node *map, const char *key);

/* Parses YAML text into a node. `file` names the source in messages and
 * `first_line` is the line of text[0] within that file. Fails with
 * ARCHIVE_EINVALID ("FILE:LINE: yaml: ...") on a syntax error, anchors or
 * aliases, or a duplicate key. */
int archive_yaml_parse(archive_node **out, const char *file, const char *text,
		       size_t len, int first_line);

/* Writes a node as block YAML, quoting what needs quoting. Caller frees. */
int archive_yaml_emit(char **out, size_t *len, const archive_node *n);

/* ---- documents -------------------------------------------------------- */

typedef struct archive_doc archive_doc;

/* Parses "---\nYAML\n---\nMarkdown". The front matter must be a map.
 * Invalid UTF-8, a missing or unclosed front matter and YAML errors fail
 * with ARCHIVE_EINVALID naming path and line. */
int archive_doc_parse(archive_doc **out, const char *path, const char *text,
		      size_t len);

/* An empty document (empty front matter, empty body) for path. */
archive_doc *archive_doc_new(const char *path);
void archive_doc_free(archive_doc *doc);

const char *archive_doc_path(const archive_doc *doc);
archive_node *archive_doc_front(const archive_doc *doc);
const char *archive_doc_body(const archive_doc *doc);

/* Replaces the body (copied). */
int archive_doc_set_body(archive_doc *doc, const char *body);

/* Serialises front matter and body. Caller frees *out. */
int archive_doc_format(char **out, size_t *len, const archive_doc *doc);

/* ---- archives, snapshots and reading ---------------------------------- */

typedef struct archive archive;
typedef struct archive_snap archive_snap;

/* Opens the archive at path (a working tree or a bare repository whose
 * committed tree holds mores.yml). ARCHIVE_ENOTFOUND when it is not one. */
int archive_open(archive **out, const char *path);

/* Opens `path` when given, else $MORES_ARCHIVE, else the nearest folder
 * upward from the current one that holds mores.yml. */
int archive_find(archive **out, const char *path);

/* Creates a new archive in dir (which must not hold a git repository yet):
 * git init, mores.yml and .gitignore, one commit by author. */
int archive_init(const char *dir, const char *name, const char *code,
		 const char *author);

void archive_free(archive *a);

/* A second handle on the archive a, at a's snapshot (whatever the branch
 * holds by now), for another thread: a libgit2 repository is used by one
 * thread at a time. Caller frees with archive_free(). */
int archive_open_at(archive **out, const archive *a);

const char *archive_path(const archive *a);
int archive_is_bare(const archive *a);
const char *archive_name(const archive *a);
const char *archive_code(const archive *a);

/* mores.yml as parsed (owned by the archive). */
const archive_node *archive_settings(const archive *a);

/* Where derived data goes: ARCHIVE/.mores (a working tree) or
 * GITDIR/mores (a bare repository). Owned by the archive. */
const char *archive_derived_dir(const archive *a);

/* The committed state the archive was opened at (or last wrote). Owned by
 * the archive; valid until the next archive_write() or archive_free(). */
archive_snap *archive_snapshot(archive *a);

/* Hex id of the snapshot's commit. */
const char *archive_snap_commit(const archive_snap *s);

/* Reads a committed file. ARCHIVE_ENOTFOUND when there is no such file.
 * *out is NUL-terminated; caller frees. */
int archive_snap_read(char **out, size_t *len, archive_snap *s,
		      const char *path);

/* Names of the entries of a committed folder, sorted bytewise. Caller frees
 * with archive_names_free(). ARCHIVE_ENOTFOUND when there is no folder. */
int archive_snap_list(char ***out, size_t *count, archive_snap *s,
		      const char *dir);
void archive_names_free(char **names, size_t count);

/* Git blob id (hex) of a committed file, for cheap change detection. */
int archive_snap_blob_id(char out[41], archive_snap *s, const char *path);

/* Git id (hex) of whatever the snapshot holds at path, a file or a
 * folder; ARCHIVE_ENOTFOUND when it holds nothing there. */
int archive_snap_entry_id(char out[41], archive_snap *s, const char *path);

/* Resolves who authors the commits: `given` ("Name <mail>") when not NULL,
 * else $MORES_AUTHOR, else git's user.name and user.email. Fails with
 * ARCHIVE_ENOAUTHOR, or ARCHIVE_EINVALID when the form is wrong. */
int archive_author_resolve(char **out, archive *a, const char *given);

/* ---- writing ---------------------------------------------------------- */

typedef struct archive_txn archive_txn;

/* Stages the changes of one write. Called with a transaction based on the
 * branch head; may be called again after a concurrent change (a retry), so
 * it must compute everything from archive_txn_base(), not from earlier
 * calls. Returns 0, or a negative code that aborts the write. */
typedef int (*archive_write_fn)(archive_txn *txn, void *ctx);

/* Makes one commit authored by `author` ("Name <mail>") from what fn stages.
 * Writers of one archive are serialised on a lock; the branch moves by
 * compare-and-swap and fn is retried when another writer (plain git, say)
 * moved it first. Fails with fn's code, ARCHIVE_EDIRTY when a staged file
 * has uncommitted edits in the working tree, ARCHIVE_ECONFLICT when the
 * retries run out, ARCHIVE_ELOCKED when the lock is not released in time,
 * or ARCHIVE_EINVALID when fn staged nothing. On failure the branch and
 * working tree are untouched. On success the archive's snapshot is the new
 * commit. */
int archive_write(archive *a, const char *author, archive_write_fn fn,
		  void *ctx);

archive *archive_txn_archive(archive_txn *t);
archive_snap *archive_txn_base(archive_txn *t);

/* Stages a file's new content, or its removal. The path must be a relative
 * path inside the archive without "." or ".." parts. */
int archive_txn_put(archive_txn *t, const char *path, const char *data,
		    size_t len);
int archive_txn_remove(archive_txn *t, const char *path);

/* Sets the commit message (printf-style). */
int archive_txn_message(archive_txn *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- history ---------------------------------------------------------- */

typedef struct {
	char commit[41];
	const char *author_name;
	const char *author_email;
	int64_t time;      /* seconds since the epoch */
	int offset;        /* minutes east of UTC */
	const char *message;
} archive_change;

/* Calls fn for every commit on the branch, newest first, that changed
 * something under `prefix` (a file or folder). fn returning non-zero stops
 * the walk and is returned. */
typedef int (*archive_log_fn)(const archive_change *c, void *ctx);
int archive_log(archive *a, const char *prefix, archive_log_fn fn, void *ctx);

/* Calls fn with the path of every file that differs between the commit
 * `since` (hex) and the snapshot: added, changed or removed (a rename is a
 * removal and an addition). ARCHIVE_ENOTFOUND when `since` is not a commit
 * of the repository (history rewritten, say). fn returning non-zero stops
 * the walk and is returned. */
typedef int (*archive_path_fn)(const char *path, void *ctx);
int archive_snap_changes(archive_snap *s, const char *since,
			 archive_path_fn fn, void *ctx);

/* ---- dossiers --------------------------------------------------------- */

typedef struct archive_dossier archive_dossier;

/* Loads dossier.md and, when present, advies.md and reactie.md of dossier
 * `id` from a snapshot. ARCHIVE_ENOTFOUND when there is no such dossier,
 * ARCHIVE_EINVALID when the id or a document is malformed. */
int archive_dossier_load(archive_dossier **out, archive_snap *s,
			 const char *id);
void archive_dossier_free(archive_dossier *d);

/* Assembles a dossier from documents (for validating a change before it is
 * written), taking ownership of all three; advice and response may be
 * NULL. On failure all three are freed. */
int archive_dossier_from_docs(archive_dossier **out, const char *id,
			      archive_doc *doc, archive_doc *advice,
			      archive_doc *response);

const char *archive_dossier_id(const archive_dossier *d);
archive_doc *archive_dossier_doc(const archive_dossier *d);
archive_doc *archive_dossier_advice(const archive_dossier *d);   /* or NULL */
archive_doc *archive_dossier_response(const archive_dossier *d); /* or NULL */

/* A scalar of dossier.md's front matter, or NULL. */
const char *archive_dossier_get(const archive_dossier *d, const char *key);

/* Ids of every dossier in the snapshot, sorted (by year, then sequence).
 * Folders that are not valid ids are skipped here; archive_check-style
 * validation reports them. Caller frees with archive_names_free(). */
int archive_dossier_ids(char ***out, size_t *count, archive_snap *s);

/* The highest sequence number among the dossier ids of a year (0 when
 * the year has none), read from the year's folder without listing it. */
int archive_year_last_seq(int *out, archive_snap *s, int year);

/* A dossier of a snapshot and the git id (hex) of its folder, which
 * changes whenever any file in the folder does. */
typedef struct {
	char id[24];
	char tree[41];
} archive_dossier_ref;

/* The dossiers archive_dossier_ids() lists, in the same order, each with
 * its folder's id: read from the year folders alone, without opening a
 * dossier. Caller frees *out with free(). */
int archive_dossier_refs(archive_dossier_ref **out, size_t *count,
			 archive_snap *s);

/* The publication rule (design section 4), the one place that decides:
 * 1 when the dossier is published, public and not under an embargo that
 * lies after `today` ("YYYY-MM-DD"); 0 otherwise. */
int archive_dossier_is_public(const archive_dossier *d, const char *today);

/* The public view of a dossier: the only fields of design section 4 that
 * may ever be published, with internal passages removed from the texts.
 * Everything public (the site, public search, exports) is built from
 * this view and nothing else. */
typedef struct {
	char *id, *citation, *title, *kind, *requester, *received, *question;
	char *adopted, *summary;
	char **values, **instruments, **topics, **related;
	size_t nvalues, ninstruments, ntopics, nrelated;
	char *advice;            /* the advice text */
	char *response;          /* the executive's response, or NULL */
	char *response_from, *response_received;
} archive_public;

/* Whether the dossier with this id is public itself (for related links). */
typedef int (*archive_public_id_fn)(const char *id, void *ctx);

/* Builds the public view of d for `today` when the publication rule
 * allows it; *out is NULL (and 0 returned) when the dossier is not
 * public. Related ids are kept only when related_ok says that dossier is
 * public too (none when related_ok is NULL). */
int archive_public_view(archive_public **out, const archive_dossier *d,
			const char *code, const char *today,
			archive_public_id_fn related_ok, void *ctx);
void archive_public_free(archive_public *p);

/* Calls fn with the dossier id of every mention of another dossier in a
 * text: citation ids of this committee (CODE:YYYY:N) and dossier ids
 * (YYYY-NNN), in order, repeats included. fn returning non-zero stops
 * the scan and is returned. */
int archive_text_mentions(const char *text, const char *code,
			  archive_path_fn fn, void *ctx);

/* Removes internal passages: the lines from one reading `<!-- intern -->`
 * through one reading `<!-- /intern -->` (an unclosed passage runs to the
 * end). Caller frees *out. */
int archive_text_strip_internal(char **out, const char *markdown);

/* ---- the value vocabulary --------------------------------------------- */

typedef struct archive_vocab archive_vocab;

/* Loads values.yml from the snapshot, else the vocabulary mores ships. */
int archive_vocab_load(archive_vocab **out, archive_snap *s);
void archive_vocab_free(archive_vocab *v);
size_t archive_vocab_count(const archive_vocab *v);
const archive_node *archive_vocab_at(const archive_vocab *v, size_t i);
/* The entry for a value id, or NULL when the vocabulary lacks it. */
const archive_node *archive_vocab_find(const archive_vocab *v, const char *id);

/* ---- libraries opened on first use ------------------------------------ */

/* A shared library that only some commands need, with the functions they
 * call looked up by name into fns (one slot per name). Define it static
 * and zeroed but for the first four fields. */
struct archive_dynlib {
	const char *soname;        /* "libcurl.so.4" */
	const char *package;       /* the Debian package that has it */
	const char *const *names;  /* NULL-terminated */
	void **fns;
	int tried, ok;
	char error[256];
};

/* Opens the library and looks its functions up, once per process (later
 * calls give the first answer); 0, or an error naming the library and the
 * package to install. */
int archive_dynlib_open(struct archive_dynlib *l);

/* ---- validation ------------------------------------------------------- */

/* One problem: `file: field: message`. */
typedef void (*archive_problem_fn)(const char *file, const char *field,
				   const char *message, void *ctx);

/* Known instrument ids, NULL-terminated. */
extern const char *const archive_instruments[];
/* Statuses in lifecycle order, NULL-terminated. */
extern const char *const archive_statuses[];

/* Validates one dossier (its documents, per design section 3) against the
 * vocabulary; reports each problem and returns how many there were.
 * Cross-dossier rules (unique ids, related ids that exist) are the
 * caller's. */
int archive_dossier_validate(const archive_dossier *d, const archive_vocab *v,
			     archive_problem_fn report, void *ctx);

/* Validates an advies.md or reactie.md document on its own. */
int archive_advice_validate(const archive_doc *doc, archive_problem_fn report,
			    void *ctx);
int archive_response_validate(const archive_doc *doc,
			      archive_problem_fn report, void *ctx);

/* Validates mores.yml's settings. */
int archive_settings_validate(const archive_node *settings, const char *file,
			      archive_problem_fn report, void *ctx);

#endif
