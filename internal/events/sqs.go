package events

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// SQSAPI is the part of the SQS client a Consumer calls.
type SQSAPI interface {
	ReceiveMessage(ctx context.Context, in *sqs.ReceiveMessageInput, opts ...func(*sqs.Options)) (*sqs.ReceiveMessageOutput, error)
	DeleteMessage(ctx context.Context, in *sqs.DeleteMessageInput, opts ...func(*sqs.Options)) (*sqs.DeleteMessageOutput, error)
	ChangeMessageVisibility(ctx context.Context, in *sqs.ChangeMessageVisibilityInput, opts ...func(*sqs.Options)) (*sqs.ChangeMessageVisibilityOutput, error)
}

// maxVisibility is the longest SQS hides a message.
const maxVisibility = 12 * time.Hour

// Consumer long-polls an SQS queue for S3 event notifications and processes the documents they
// name. A message is deleted once every document it names is dealt with; otherwise it is left
// to be delivered again, hidden until its job can make progress, and the queue's redrive
// policy moves it to the dead-letter queue after maxReceiveCount deliveries. While documents
// are processed the message's visibility timeout is extended, so it is not delivered to another
// worker meanwhile.
type Consumer struct {
	Client      SQSAPI
	QueueURL    string
	Process     func(ctx context.Context, id string) (Result, error)
	Concurrency int           // messages handled at once
	Visibility  time.Duration // how long a received message stays hidden; extended every third of it
	RetryDelay  time.Duration // how long a message stays hidden after a failure
	Log         *slog.Logger
}

// Run receives and handles messages until ctx is done, then waits for the messages in hand:
// they are handled on a context that ctx's cancellation does not reach.
func (c *Consumer) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for range max(c.Concurrency, 1) {
		wg.Go(func() { c.loop(ctx) })
	}
	wg.Wait()
	return nil
}

func (c *Consumer) log() *slog.Logger {
	if c.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return c.Log
}

func (c *Consumer) loop(ctx context.Context) {
	for ctx.Err() == nil {
		out, err := c.Client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(c.QueueURL),
			MaxNumberOfMessages:         1,
			WaitTimeSeconds:             20,
			VisibilityTimeout:           seconds(c.Visibility),
			MessageSystemAttributeNames: []types.MessageSystemAttributeName{types.MessageSystemAttributeNameApproximateReceiveCount},
		})
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			c.log().ErrorContext(ctx, "receive from queue", "queue", c.QueueURL, "err", err)
			sleep(ctx, c.RetryDelay)
			continue
		}
		for _, m := range out.Messages {
			c.Handle(context.WithoutCancel(ctx), m)
		}
	}
}

// Handle processes one message and then deletes it or sets when it is delivered again.
func (c *Consumer) Handle(ctx context.Context, m types.Message) {
	log := c.log().With("message_id", aws.ToString(m.MessageId), "receive_count", m.Attributes[string(types.MessageSystemAttributeNameApproximateReceiveCount)])
	ids, err := S3([]byte(aws.ToString(m.Body)))
	if err != nil {
		// Nothing will ever make this message processable: show it again at once, so the
		// redrive policy takes it to the dead-letter queue without waiting a timeout each time.
		log.ErrorContext(ctx, "undecodable event; leaving it for the dead-letter queue", "err", err)
		c.hide(ctx, log, m, 0)
		return
	}
	stop := c.keepHidden(ctx, log, m)
	done, retry, failed := true, time.Time{}, false
	for _, id := range ids {
		res, err := c.Process(ctx, id)
		switch {
		case err != nil:
			log.WarnContext(ctx, "document event failed; it will be delivered again", "document_id", id, "err", err)
			done, failed = false, true
		case !res.Done:
			done = false
			if res.Retry.After(retry) {
				retry = res.Retry
			}
		}
	}
	stop()
	switch {
	case done:
		if _, err := c.Client.DeleteMessage(ctx, &sqs.DeleteMessageInput{
			QueueUrl: aws.String(c.QueueURL), ReceiptHandle: m.ReceiptHandle,
		}); err != nil {
			log.ErrorContext(ctx, "delete handled message; it will be delivered again", "err", err)
		}
	case failed:
		c.hide(ctx, log, m, c.RetryDelay)
	case !retry.IsZero():
		c.hide(ctx, log, m, time.Until(retry)+time.Second)
	default:
		c.hide(ctx, log, m, c.Visibility)
	}
}

// keepHidden extends the message's visibility timeout until stop is called.
func (c *Consumer) keepHidden(ctx context.Context, log *slog.Logger, m types.Message) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTicker(max(c.Visibility/3, time.Second))
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				c.hide(ctx, log, m, c.Visibility)
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// hide makes the message visible again after d.
func (c *Consumer) hide(ctx context.Context, log *slog.Logger, m types.Message, d time.Duration) {
	_, err := c.Client.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
		QueueUrl: aws.String(c.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: seconds(d),
	})
	var gone *types.ReceiptHandleIsInvalid
	if err != nil && !errors.As(err, &gone) {
		log.WarnContext(ctx, "change message visibility", "err", err)
	}
}

// seconds rounds d up to whole seconds within what SQS accepts.
func seconds(d time.Duration) int32 {
	d = min(max(d, 0), maxVisibility)
	return int32((d + time.Second - 1) / time.Second)
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(max(d, time.Second))
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
