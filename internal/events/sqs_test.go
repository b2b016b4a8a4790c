package events_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/docpipe/docpipe/internal/blob"
	"github.com/docpipe/docpipe/internal/blob/blobtest"
	"github.com/docpipe/docpipe/internal/document"
	"github.com/docpipe/docpipe/internal/events"
	"github.com/docpipe/docpipe/internal/pipeline"
	"github.com/docpipe/docpipe/internal/store/sqlite"
)

// stubOCR reads the original as text; "flaky" fails as a bucket hiccup would.
type stubOCR struct{}

func (stubOCR) Recognize(_ context.Context, data []byte, _, _ string) ([]document.Page, error) {
	if string(data) == "flaky" {
		return nil, errors.New("engine hiccup")
	}
	return []document.Page{{Number: 1, Text: string(data), Source: document.SourceOCR}}, nil
}

// TestConsumer runs a Consumer against moto's SQS with a real SQLite store, a file bucket and
// the real pipeline worker; only OCR is a stub.
func TestConsumer(t *testing.T) {
	moto := blobtest.StartMoto(t)
	ctx := t.Context()
	awsCfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	client := sqs.NewFromConfig(awsCfg, func(o *sqs.Options) { o.BaseEndpoint = aws.String(moto.Endpoint) })
	dlq := createQueue(t, client, "events-dlq", nil)
	dlqARN := "arn:aws:sqs:us-east-1:123456789012:events-dlq"
	queue := createQueue(t, client, "events", map[string]string{
		"RedrivePolicy": fmt.Sprintf(`{"deadLetterTargetArn":%q,"maxReceiveCount":"3"}`, dlqARN),
	})

	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "docpipe.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	bucket, err := blob.Open(ctx, "file://"+filepath.ToSlash(t.TempDir()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bucket.Close() })

	worker := &pipeline.Worker{
		Store: st, Bucket: bucket, OCR: stubOCR{}, Concurrency: 1, Lease: 2 * time.Second,
		Timeout: 5 * time.Second, MaxAttempts: 2, Backoff: time.Second, Poll: time.Hour,
	}
	p := &events.Processor{Store: st, Bucket: bucket, Worker: worker, Lease: worker.Lease}
	c := &events.Consumer{
		Client: client, QueueURL: queue, Process: p.Process, Concurrency: 2,
		Visibility: 3 * time.Second, RetryDelay: time.Second,
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = c.Run(runCtx); close(done) }()
	t.Cleanup(func() { stop(); <-done })

	newDoc := func(body string, stored bool) document.Document {
		t.Helper()
		now := time.Now().UTC()
		d := document.Document{ID: document.NewID(now), Owner: "alice", Name: "a.png", ContentType: "image/png",
			Size: int64(len(body)), CreatedAt: now}
		d.BlobKey = blob.Key(d.ID)
		if err := bucket.WriteAll(ctx, d.BlobKey, []byte(body), nil); err != nil {
			t.Fatal(err)
		}
		if stored {
			if err := st.Create(ctx, &d); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	send := func(body string) {
		t.Helper()
		if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: &queue, MessageBody: &body}); err != nil {
			t.Fatal(err)
		}
	}
	event := func(id string) string {
		return `{"Records":[{"eventSource":"aws:s3","eventName":"ObjectCreated:Put","s3":{"bucket":{"name":"b"},"object":{"key":"originals%2F` + id + `"}}}]}`
	}
	waitStatus := func(d document.Document, want document.Status) document.Document {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			got, err := st.Get(ctx, "alice", d.ID)
			if err == nil && got.Status == want {
				return got
			}
			if time.Now().After(deadline) {
				t.Fatalf("document %s: status %s, %v; want %s within 30s", d.ID, got.Status, err, want)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	ok := newDoc("harbour crane invoice", true)
	flaky := newDoc("flaky", true)
	send(`{"Service":"Amazon S3","Event":"s3:TestEvent","Bucket":"b"}`)
	send(event(ok.ID))
	send(event(ok.ID)) // S3 delivers at least once
	send(event(flaky.ID))
	send(event(document.NewID(time.Now()))) // deleted since: no document, no original
	send("this is not an S3 event")

	if got := waitStatus(ok, document.StatusDone); got.Attempts != 1 {
		t.Errorf("document processed %d times, want once despite the duplicate event", got.Attempts)
	}
	if got := waitStatus(flaky, document.StatusFailed); got.Attempts != 2 || got.Error != "ocr: engine hiccup" {
		t.Errorf("flaky document: attempts %d, error %q; want 2 (retried after the backoff), ocr: engine hiccup", got.Attempts, got.Error)
	}
	if body := receiveOne(t, client, dlq); body != "this is not an S3 event" {
		t.Errorf("dead-letter queue holds %q, want the undecodable message", body)
	}
	waitEmpty(t, client, queue)

	// An original whose document is not committed yet stays queued until it is.
	late := newDoc("late arrival", false)
	send(event(late.ID))
	time.Sleep(1500 * time.Millisecond)
	if err := st.Create(ctx, &late); err != nil {
		t.Fatal(err)
	}
	waitStatus(late, document.StatusDone)
	waitEmpty(t, client, queue)
}

func createQueue(t *testing.T, c *sqs.Client, name string, attrs map[string]string) string {
	t.Helper()
	out, err := c.CreateQueue(t.Context(), &sqs.CreateQueueInput{QueueName: &name, Attributes: attrs})
	if err != nil {
		t.Fatalf("create queue %s: %v", name, err)
	}
	return *out.QueueUrl
}

func receiveOne(t *testing.T, c *sqs.Client, queue string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		out, err := c.ReceiveMessage(t.Context(), &sqs.ReceiveMessageInput{QueueUrl: &queue, WaitTimeSeconds: 1})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Messages) > 0 {
			return aws.ToString(out.Messages[0].Body)
		}
	}
	t.Fatalf("no message in %s within 30s", queue)
	return ""
}

// waitEmpty waits until the queue holds no message, visible or in flight.
func waitEmpty(t *testing.T, c *sqs.Client, queue string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := c.GetQueueAttributes(t.Context(), &sqs.GetQueueAttributesInput{QueueUrl: &queue,
			AttributeNames: []types.QueueAttributeName{types.QueueAttributeNameApproximateNumberOfMessages,
				types.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
		if err != nil {
			t.Fatal(err)
		}
		visible, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessages"])
		hidden, _ := strconv.Atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
		if visible+hidden == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("queue still holds %d visible and %d in-flight messages after 30s", visible, hidden)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
