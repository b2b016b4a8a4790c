package main

import (
	"log/slog"
	"net/http"

	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/events"
	"github.com/docpipe/docpipe/internal/pipeline"
)

// eventPush returns the worker's handler for pushed Cloud Storage events (Eventarc CloudEvents,
// Pub/Sub push), served at POST /events; other roles take no pushed events.
func eventPush(role config.Role, cfg *config.Config, log *slog.Logger, st events.Store, bucket events.Bucket, worker *pipeline.Worker) http.Handler {
	if role != config.RoleWorker || worker == nil {
		return nil
	}
	p := &events.Processor{Store: st, Bucket: bucket, Worker: worker, Lease: cfg.JobLease}
	return &events.Push{Processor: p, Decode: events.GCS, Log: log}
}
