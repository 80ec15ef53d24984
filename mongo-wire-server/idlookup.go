package main

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the SQLite driver FerretDB itself uses (registered as "sqlite")
)

// FerretDB 1.x (SQLite backend) looks documents up by _id with the expression
// `_ferretdb_sjson->'$._id'`, but the unique `_id_` index it creates is on `_ferretdb_sjson->"_id"`.
// SQLite uses an expression index only for the identical expression, so every update, delete or
// findOne by _id scans the whole table: an update costs ~20 µs per document in the collection (0.3 s
// per update at 8,000 documents of 32 atoms), which makes writing results back to 100,000 documents
// impossible. indexIDLookups adds the index those lookups can use, to every collection table of every
// database file, and keeps doing so for tables created later. FerretDB does not list it (it keeps its
// own index metadata) and drops it with the table.
const idLookupSuffix = "__id_lookup"

// How often new databases and collections are looked for; a table created since the last sweep is
// only slower (scanned) until then.
const idLookupSweepInterval = time.Second

func indexIDLookups(ctx context.Context, dataDir string, logger *slog.Logger) {
	ticker := time.NewTicker(idLookupSweepInterval)
	defer ticker.Stop()
	for {
		files, _ := filepath.Glob(filepath.Join(dataDir, "*.sqlite"))
		for _, file := range files {
			if err := indexFile(ctx, file); err != nil && ctx.Err() == nil {
				logger.Debug("id lookup index", "file", file, "error", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// indexFile opens one database file briefly (never creating it: a database FerretDB dropped stays
// dropped) and creates the missing lookup indexes.
func indexFile(ctx context.Context, file string) error {
	q := url.Values{}
	q.Add("mode", "rw")
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+file+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, `SELECT type, name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')`)
	if err != nil {
		return err
	}
	tables := map[string]bool{}
	indexed := map[string]bool{}
	for rows.Next() {
		var kind, name, table string
		if err := rows.Scan(&kind, &name, &table); err != nil {
			rows.Close()
			return err
		}
		switch {
		case kind == "table" && !strings.HasPrefix(name, "_ferretdb_") && !strings.HasPrefix(name, "sqlite_"):
			tables[name] = true
		case kind == "index" && name == table+idLookupSuffix:
			indexed[table] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for table := range tables {
		if indexed[table] {
			continue
		}
		stmt := fmt.Sprintf(`CREATE INDEX IF NOT EXISTS %q ON %q (_ferretdb_sjson->'$._id')`, table+idLookupSuffix, table)
		if _, err := db.ExecContext(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", table, err)
		}
	}
	return nil
}
