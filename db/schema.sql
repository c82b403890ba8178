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

-- @version 3

-- A new revision of a repository already stored is kept as a delta: only the
-- rows that differ from a whole revision of the same repository (its base,
-- itself never a delta) are stored, and the paths it no longer has.  A
-- nightly rescan of a corpus then writes the files that changed, not every
-- file again.  `file_rows` holds the rows as stored; `files` is the view that
-- every reader uses: each revision's entries, whole, as before.
ALTER TABLE files RENAME TO file_rows;
ALTER TABLE revisions ADD COLUMN base_rev_id INTEGER REFERENCES revisions(id);
CREATE INDEX revisions_base ON revisions(base_rev_id) WHERE base_rev_id IS NOT NULL;

-- Paths of the base revision that a delta revision does not have.
CREATE TABLE file_gone (
	rev_id     INTEGER NOT NULL REFERENCES revisions(id) ON DELETE CASCADE,
	path       BLOB NOT NULL,
	PRIMARY KEY (rev_id, path)
) WITHOUT ROWID;

-- One join, not a UNION: SQLite flattens it into each query that reads it,
-- so a query for one revision reads that revision's rows (and its base's)
-- through the primary keys, and a query for a blob through files_oid.
CREATE VIEW files (rev_id, path, mode, type, oid, size, concluded, decided_by) AS
	SELECT v.id, f.path, f.mode, f.type, f.oid, f.size, f.concluded, f.decided_by
	FROM revisions v JOIN file_rows f ON f.rev_id IN (v.id, v.base_rev_id)
	WHERE f.rev_id = v.id
	   OR (NOT EXISTS (SELECT 1 FROM file_rows o WHERE o.rev_id = v.id AND o.path = f.path)
	       AND NOT EXISTS (SELECT 1 FROM file_gone g WHERE g.rev_id = v.id AND g.path = f.path));

DROP VIEW file_view;
CREATE VIEW file_view AS
	SELECT r.path AS repo_path, v.commit_id, f.path, f.mode, f.type, f.oid, f.size,
	       CASE f.type WHEN 'gitlink' THEN 'swh:1:rev:' ELSE 'swh:1:cnt:' END || f.oid AS swhid,
	       f.concluded, f.decided_by, v.id AS rev_id
	FROM files f JOIN revisions v ON v.id = f.rev_id JOIN repositories r ON r.id = v.repo_id;
