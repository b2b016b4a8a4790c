package config

import (
	"errors"
	"slices"
	"testing"
)

func TestFunctionSettings(t *testing.T) {
	c, err := Load(RoleFunction, env(map[string]string{
		"FUNCTIONS_CUSTOMHANDLER_PORT":  "41234",
		"DOCPIPE_DATABASE_URL":          "cosmos://docpipe-dev.documents.azure.com/docpipe",
		"DOCPIPE_API_URL":               "https://ca-api.internal.example.io/",
		"DOCPIPE_API_TOKEN_SCOPE":       "api://0000/.default",
		"DOCPIPE_AZURE_VISION_ENDPOINT": "https://docpipe-vision.cognitiveservices.azure.com/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct{ name, got, want string }{
		{"Addr", c.Addr, "127.0.0.1:41234"},
		{"Notify.APIURL", c.Notify.APIURL, "https://ca-api.internal.example.io"},
		{"Azure.APITokenScope", c.Azure.APITokenScope, "api://0000/.default"},
		{"Azure.VisionEndpoint", c.Azure.VisionEndpoint, "https://docpipe-vision.cognitiveservices.azure.com"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q, want %q", ch.name, ch.got, ch.want)
		}
	}
	if !c.Cosmos() {
		t.Error("Cosmos() = false for a cosmos:// URL")
	}
	c, err = Load(RoleFunction, env(map[string]string{"DOCPIPE_ADDR": "127.0.0.1:9999"}))
	if err != nil || c.Addr != "127.0.0.1:9999" {
		t.Errorf("outside a Functions host: Addr = %q, %v; want DOCPIPE_ADDR", c.Addr, err)
	}
	c, err = Load(RoleAPI, env(map[string]string{"DOCPIPE_AUTH": "none", "DOCPIPE_NOTIFY_SUBJECTS": "a-b, c-d"}))
	if err != nil || !slices.Equal(c.Notify.Subjects, []string{"a-b", "c-d"}) {
		t.Errorf("Notify.Subjects = %q, %v; want [a-b c-d]", c.Notify.Subjects, err)
	}
}

func TestAzureSettingsErrors(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"port not a number", map[string]string{"FUNCTIONS_CUSTOMHANDLER_PORT": "http"}, "FUNCTIONS_CUSTOMHANDLER_PORT"},
		{"port out of range", map[string]string{"FUNCTIONS_CUSTOMHANDLER_PORT": "70000"}, "FUNCTIONS_CUSTOMHANDLER_PORT"},
		{"api url without scope", map[string]string{"DOCPIPE_API_URL": "https://api"}, "DOCPIPE_API_TOKEN_SCOPE"},
		{"api url not http", map[string]string{"DOCPIPE_API_URL": "ftp://api", "DOCPIPE_API_TOKEN_SCOPE": "s"}, "DOCPIPE_API_URL"},
		{"vision endpoint", map[string]string{"DOCPIPE_AZURE_VISION_ENDPOINT": "vision.example.com"}, "DOCPIPE_AZURE_VISION_ENDPOINT"},
		{"vision wait over the job timeout", map[string]string{"DOCPIPE_AZURE_VISION_MAX_WAIT": "10m", "DOCPIPE_JOB_TIMEOUT": "5m"}, "DOCPIPE_AZURE_VISION_MAX_WAIT"},
		{"unknown database", map[string]string{"DOCPIPE_DATABASE_URL": "mongodb://db/docpipe"}, "DOCPIPE_DATABASE_URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(RoleFunction, env(tt.env))
			var cerr *Error
			if !errors.As(err, &cerr) || cerr.Var != tt.want {
				t.Errorf("err = %v, want an error naming %s", err, tt.want)
			}
		})
	}
}
