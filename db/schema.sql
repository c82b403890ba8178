-- tgpl database schema.  The only DDL of the project: it is embedded in the
-- library at build time (tools/embed.sh).  It is a sequence of versions, each
-- opened by a line '-- @version N': a new database runs them all, an older
-- one the versions above its PRAGMA user_version, in one transaction
-- (src/store/store.c).  A change appends a version; it never edits one.
-- application_id is 'TGPL'.

-- @version 1

-- A repository or directory, by the path (bytes) it was scanned from.
CREATE TABLE repositories (
	id        INTEGER PRIMARY KEY,
	path      BLOB NOT NULL UNIQUE,
	kind      TEXT NOT NULL CHECK (kind IN ('git', 'bare', 'dir')),
	origin    TEXT                      -- remote "origin" URL, if any
);

-- One scanned revision of a repository.  rev_key is the commit id, or
-- "dir" for a plain directory (rescanning a directory replaces its files).
CREATE TABLE revisions (
	id          INTEGER PRIMARY KEY,
	repo_id     INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
	rev_key     TEXT NOT NULL,
	commit_id   TEXT,
	tree_id     TEXT,
	commit_time INTEGER,                -- seconds since the epoch
	ref         TEXT,                   -- the revision expression or ref name asked for
	scanned_at  INTEGER NOT NULL,
	engine      TEXT NOT NULL,          -- engine version that analysed its blobs
	declared    TEXT,                   -- declared licence expression (root files, metadata)
	UNIQUE (repo_id, rev_key)
);

-- Content-addressed blobs: one row per git blob id, shared by every file,
-- revision and repository that holds the same bytes.
CREATE TABLE blobs (
	id    TEXT PRIMARY KEY,             -- sha1_git, 40 hex digits
	size  INTEGER NOT NULL
) WITHOUT ROWID;

-- Every entry of a revision's tree.  path holds the exact bytes.
CREATE TABLE files (
	rev_id     INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
	path       BLOB NOT NULL,
	mode       INTEGER NOT NULL,        -- git mode as git prints it: 100644, 100755, 120000, 160000
	type       TEXT NOT NULL CHECK (type IN ('file', 'symlink', 'gitlink')),
	oid        TEXT NOT NULL,           -- blob id (file, symlink) or commit id (gitlink)
	size       INTEGER,                 -- NULL for gitlinks
	concluded  TEXT,                    -- concluded licence expression
	decided_by TEXT,                    -- which evidence decided (DESIGN.md §1)
	PRIMARY KEY (rev_id, path)
) WITHOUT ROWID;
CREATE INDEX files_oid ON files(oid);

-- Detection results, keyed by (blob, engine version): a blob is analysed
-- once per engine version, whatever the number of files that hold it.
CREATE TABLE analyses (
	blob_id    TEXT NOT NULL,
	engine     TEXT NOT NULL,
	expression TEXT,                    -- the file's own licence expression
	skipped    TEXT,                    -- why it was not analysed (binary, too-big)
	n_lines    INTEGER,
	PRIMARY KEY (blob_id, engine)
) WITHOUT ROWID;

CREATE TABLE findings (
	blob_id    TEXT NOT NULL,
	engine     TEXT NOT NULL,
	seq        INTEGER NOT NULL,
	category   TEXT NOT NULL CHECK (category IN ('license', 'clause', 'optout')),
	kind       TEXT NOT NULL,           -- tag/text/notice/reference/metadata; clause or opt-out kind
	spdx       TEXT,                    -- licence id, clause id, or opt-out detail
	expr       TEXT,
	start_line INTEGER,
	end_line   INTEGER,
	score      REAL,
	rule       TEXT,
	note       TEXT,
	unmatched  TEXT,                    -- JSON array of [start, end] line spans
	PRIMARY KEY (blob_id, engine, seq)
) WITHOUT ROWID;

-- One row per scan run: what it analysed and what it reused from the cache.
CREATE TABLE scans (
	id          INTEGER PRIMARY KEY,
	started_at  INTEGER NOT NULL,
	finished_at INTEGER,
	engine      TEXT NOT NULL,
	repos       INTEGER NOT NULL DEFAULT 0,
	files       INTEGER NOT NULL DEFAULT 0,
	analysed    INTEGER NOT NULL DEFAULT 0,
	reused      INTEGER NOT NULL DEFAULT 0
);

-- Files with their SWHIDs (swh:1:cnt for contents and links, swh:1:rev for
-- submodule commits), as reports and users read them.
CREATE VIEW file_view AS
	SELECT r.path AS repo_path, v.commit_id, f.path, f.mode, f.type, f.oid, f.size,
	       CASE f.type WHEN 'gitlink' THEN 'swh:1:rev:' ELSE 'swh:1:cnt:' END || f.oid AS swhid,
	       f.concluded, f.decided_by, v.id AS rev_id
	FROM files f JOIN revisions v ON v.id = f.rev_id JOIN repositories r ON r.id = v.repo_id;

-- @version 2

-- Licence history: per commit reachable from a scanned revision, the
-- repository's declared licence and TGPL clauses (tgpl scan --history).
-- `changed` marks a commit whose declared licence or clauses differ from its
-- first parent's; `files` (JSON) names the files that changed it.
CREATE TABLE history (
	repo_id     INTEGER NOT NULL REFERENCES repositories(id) ON DELETE CASCADE,
	commit_id   TEXT NOT NULL,
	seq         INTEGER NOT NULL,
	parent_id   TEXT,
	commit_time INTEGER NOT NULL,
	author_time INTEGER NOT NULL,
	author      TEXT,
	summary     TEXT,
	engine      TEXT NOT NULL,
	declared    TEXT,
	clauses     TEXT,
	changed     INTEGER NOT NULL DEFAULT 0,
	files       TEXT,
	PRIMARY KEY (repo_id, commit_id)
) WITHOUT ROWID;
CREATE INDEX history_changes ON history(repo_id, changed, seq);
