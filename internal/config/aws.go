package config

import (
	"net/url"
	"strings"
)

// databasePassword puts DOCPIPE_DATABASE_PASSWORD (or the file DOCPIPE_DATABASE_PASSWORD_FILE
// names) into a postgres:// database URL that has a user but no password. Platforms that inject
// only the password as a secret, such as ECS from an RDS-managed Secrets Manager secret, keep
// the rest of the URL in plain configuration.
func (r *reader) databasePassword(rawURL string) string {
	pw := r.secret("DOCPIPE_DATABASE_PASSWORD", "")
	if pw == "" {
		return rawURL
	}
	u, err := url.Parse(rawURL)
	switch {
	case err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql":
		r.fail("DOCPIPE_DATABASE_PASSWORD", "only for a postgres:// DOCPIPE_DATABASE_URL")
		return rawURL
	case u.User == nil || u.User.Username() == "":
		r.fail("DOCPIPE_DATABASE_PASSWORD", "DOCPIPE_DATABASE_URL must name the user, e.g. postgres://docpipe@host/docpipe")
		return rawURL
	}
	if _, set := u.User.Password(); set {
		r.fail("DOCPIPE_DATABASE_PASSWORD", "DOCPIPE_DATABASE_URL has a password already; give it in one place")
		return rawURL
	}
	u.User = url.UserPassword(u.User.Username(), pw)
	return u.String()
}

// databaseIdentity reads DOCPIPE_DATABASE_IAM and DOCPIPE_DATABASE_ROLE, which only a postgres://
// URL takes. With IAM sign-in the URL names the database user (for a Google service account, its
// email without ".gserviceaccount.com") and no password: the password is an access token.
func (r *reader) databaseIdentity(rawURL string) (iam, role string) {
	iam = r.oneOf("DOCPIPE_DATABASE_IAM", "", "", "gcp")
	role = r.str("DOCPIPE_DATABASE_ROLE", "")
	if iam == "" && role == "" {
		return "", ""
	}
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "postgres" && u.Scheme != "postgresql" {
		if iam != "" {
			r.fail("DOCPIPE_DATABASE_IAM", "only for a postgres:// DOCPIPE_DATABASE_URL")
		} else {
			r.fail("DOCPIPE_DATABASE_ROLE", "only for a postgres:// DOCPIPE_DATABASE_URL")
		}
		return "", ""
	}
	if iam == "" {
		return "", role
	}
	if u.User == nil || u.User.Username() == "" {
		r.fail("DOCPIPE_DATABASE_IAM", "DOCPIPE_DATABASE_URL must name the IAM database user, e.g. postgres://docpipe-api%40PROJECT.iam@/docpipe?host=/cloudsql/PROJECT:REGION:INSTANCE")
	} else if _, set := u.User.Password(); set {
		r.fail("DOCPIPE_DATABASE_IAM", "the password is an access token: DOCPIPE_DATABASE_URL and DOCPIPE_DATABASE_PASSWORD must not give one")
	}
	return iam, role
}

// queueURL reads DOCPIPE_QUEUE_URL, the SQS queue a worker consumes S3 event notifications
// from. The AWS SDK's own settings (AWS_REGION, AWS_ENDPOINT_URL_SQS, credentials) apply.
func (r *reader) queueURL(role Role) string {
	q := r.str("DOCPIPE_QUEUE_URL", "")
	if q == "" {
		return ""
	}
	if role != RoleWorker {
		r.fail("DOCPIPE_QUEUE_URL", "only the worker role consumes a queue")
		return ""
	}
	u, err := url.Parse(q)
	if err != nil || !httpURL(q) || strings.Trim(u.Path, "/") == "" {
		r.fail("DOCPIPE_QUEUE_URL", "want an SQS queue URL, e.g. https://sqs.eu-west-1.amazonaws.com/123456789012/docpipe-prod-events")
		return ""
	}
	return q
}
