package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/docpipe/docpipe/internal/config"
	"github.com/docpipe/docpipe/internal/events"
	"github.com/docpipe/docpipe/internal/pipeline"
)

// consumeQueue starts consuming S3 event notifications from the SQS queue at cfg.QueueURL, with
// the AWS SDK's default settings and credentials (the ECS task role in production). The
// returned wait blocks until the consumer has finished the messages in hand after ctx ends, or
// the shutdown timeout passes.
func consumeQueue(ctx context.Context, cfg *config.Config, log *slog.Logger, st events.Store, bucket events.Bucket, worker *pipeline.Worker) (wait func(), err error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, fmt.Errorf("aws settings for the queue: %w", err)
	}
	p := &events.Processor{Store: st, Bucket: bucket, Worker: worker, Lease: cfg.JobLease}
	c := &events.Consumer{
		Client:      sqs.NewFromConfig(awsCfg),
		QueueURL:    cfg.QueueURL,
		Process:     p.Process,
		Concurrency: cfg.OCREngines,
		Visibility:  max(cfg.JobLease, 30*time.Second),
		RetryDelay:  cfg.RetryBackoff,
		Log:         log.With("queue", cfg.QueueURL),
	}
	done := make(chan struct{})
	go func() { _ = c.Run(ctx); close(done) }()
	log.Info("consuming S3 events from SQS", "queue", cfg.QueueURL)
	return func() {
		select {
		case <-done:
		case <-time.After(cfg.ShutdownTimeout):
			log.Warn("queue messages still in hand at the shutdown timeout; they will be delivered again")
		}
	}, nil
}
