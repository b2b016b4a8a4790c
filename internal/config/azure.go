package config

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RoleFunction is the OCR worker as an Azure Functions custom handler: it listens where the
// Functions host says and processes the documents the host's invocations name.
const RoleFunction Role = "function"

// Azure holds the settings only Azure deployments use.
type Azure struct {
	// VisionEndpoint is DOCPIPE_AZURE_VISION_ENDPOINT: OCR with Azure AI Vision Read at this
	// endpoint instead of Tesseract.
	VisionEndpoint string
	// VisionMaxWait is DOCPIPE_AZURE_VISION_MAX_WAIT: how long Azure AI Vision may take over
	// one document, below the job timeout.
	VisionMaxWait time.Duration
	// VisionLanguage is DOCPIPE_AZURE_VISION_LANGUAGE: a BCP-47 code, or empty to detect.
	VisionLanguage string
	// APITokenScope is DOCPIPE_API_TOKEN_SCOPE: the function's managed identity asks for a
	// token of this scope to notify the api at Notify.APIURL.
	APITokenScope string
}

// Notify configures who tells whom about documents that changed: the function notifies the api
// (APIURL, with Azure.APITokenScope), and the api accepts notifications from Subjects.
type Notify struct {
	APIURL   string   // DOCPIPE_API_URL for the function role: the api to notify
	Subjects []string // DOCPIPE_NOTIFY_SUBJECTS: token subjects (app identities) the api takes notifications from
}

// Cosmos reports whether the database URL names a Cosmos DB account (cosmos://).
func (c *Config) Cosmos() bool { return strings.HasPrefix(c.DatabaseURL, "cosmos://") }

// functionAddr returns where the function role listens: on loopback at the port the Functions
// host gives in FUNCTIONS_CUSTOMHANDLER_PORT, or at DOCPIPE_ADDR outside a host.
func (r *reader) functionAddr(addr string) string {
	p := r.str("FUNCTIONS_CUSTOMHANDLER_PORT", "")
	if p == "" {
		return addr
	}
	if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
		r.fail("FUNCTIONS_CUSTOMHANDLER_PORT", "want a TCP port number, as the Functions host sets it")
		return addr
	}
	return net.JoinHostPort("127.0.0.1", p)
}

func (r *reader) azure(role Role, jobTimeout time.Duration) (Azure, Notify) {
	a := Azure{
		VisionEndpoint: strings.TrimRight(r.str("DOCPIPE_AZURE_VISION_ENDPOINT", ""), "/"),
		VisionMaxWait:  r.duration("DOCPIPE_AZURE_VISION_MAX_WAIT", min(2*time.Minute, jobTimeout)),
		VisionLanguage: r.str("DOCPIPE_AZURE_VISION_LANGUAGE", ""),
		APITokenScope:  r.str("DOCPIPE_API_TOKEN_SCOPE", ""),
	}
	if a.VisionMaxWait <= 0 || a.VisionMaxWait > jobTimeout {
		r.fail("DOCPIPE_AZURE_VISION_MAX_WAIT", "must be positive and at most DOCPIPE_JOB_TIMEOUT")
	}
	if a.VisionEndpoint != "" {
		u, err := url.Parse(a.VisionEndpoint)
		if err != nil || u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
			r.fail("DOCPIPE_AZURE_VISION_ENDPOINT", "want the account's endpoint, e.g. https://docpipe-vision.cognitiveservices.azure.com")
		}
	}
	var n Notify
	for _, s := range strings.FieldsFunc(r.str("DOCPIPE_NOTIFY_SUBJECTS", ""), func(c rune) bool { return c == ',' || c == ' ' }) {
		n.Subjects = append(n.Subjects, s)
	}
	if role != RoleFunction {
		return a, n
	}
	n.APIURL = strings.TrimRight(r.str("DOCPIPE_API_URL", ""), "/")
	switch {
	case n.APIURL != "" && !httpURL(n.APIURL):
		r.fail("DOCPIPE_API_URL", "want the api's base URL, e.g. https://ca-api.internal.example.azurecontainerapps.io")
	case n.APIURL != "" && a.APITokenScope == "":
		r.fail("DOCPIPE_API_TOKEN_SCOPE", "required with DOCPIPE_API_URL: the scope of the token the function notifies the api with, e.g. api://CLIENT_ID/.default")
	}
	return a, n
}
