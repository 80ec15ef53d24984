// Command mongo-wire-server runs FerretDB 1.x with its SQLite backend as a local MongoDB-wire server.
//
// It embeds FerretDB's `ferretdb` package rather than building FerretDB's own `cmd/ferretdb`, because
// that command panics when built with `go install` (it expects a version file written by FerretDB's
// release tooling). Data lives in one SQLite file per database under --sqlite-dir.
//
// It also adds, to every collection table, the SQLite index that FerretDB's own lookups by _id can use
// (see idlookup.go): without it every update or delete by _id scans the whole collection.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen-addr", "127.0.0.1:27017", "TCP address to serve the MongoDB wire protocol on")
	dataDir := flag.String("sqlite-dir", "data/mongo", "directory holding one SQLite file per database")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	flag.Parse()

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fail("invalid --log-level %q: %v", *logLevel, err)
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	absDir, err := filepath.Abs(*dataDir)
	if err != nil {
		fail("invalid --sqlite-dir %q: %v", *dataDir, err)
	}
	if err := os.MkdirAll(absDir, 0o755); err != nil {
		fail("cannot create --sqlite-dir %q: %v", absDir, err)
	}

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + absDir + "/",
	})
	if err != nil {
		// The most common cause by far is a port that something else already listens on.
		fail("cannot start on %s: %v", *listen, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	done := make(chan error, 1)
	go func() { done <- f.Run(ctx) }()
	go indexIDLookups(ctx, absDir, logger)

	// Launchers wait for this line (or for the port to answer) before using the server.
	fmt.Printf("mongo-wire-server ready: %s (sqlite data in %s)\n", f.MongoDBURI(), absDir)

	if err := <-done; err != nil {
		fail("stopped with error: %v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "mongo-wire-server: "+format+"\n", args...)
	os.Exit(1)
}
