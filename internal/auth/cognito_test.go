package auth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/docpipe/docpipe/internal/testenv"
)

// TestCognitoTokensFromMoto verifies real tokens from moto's Cognito: an access token (no aud,
// client_id and token_use "access") and an id token (aud is the client id). moto signs them with
// an iss of the real AWS URL and serves the keys itself, so the JWKS URL is set separately.
func TestCognitoTokensFromMoto(t *testing.T) {
	endpoint := startMoto(t)
	const region = "us-east-1"
	cog := cognito{t: t, endpoint: endpoint, region: region}

	pool := cog.call("CreateUserPool", map[string]any{"PoolName": "docpipe"})["UserPool"].(map[string]any)["Id"].(string)
	client := cog.call("CreateUserPoolClient", map[string]any{
		"UserPoolId": pool, "ClientName": "docpipe-api", "GenerateSecret": false,
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})["UserPoolClient"].(map[string]any)["ClientId"].(string)
	cog.call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS"})
	const password = "Corr3ct-Horse-Battery!"
	cog.call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": "alice", "Password": password, "Permanent": true})
	user := cog.call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "alice"})
	var sub string
	for _, a := range user["UserAttributes"].([]any) {
		if a := a.(map[string]any); a["Name"] == "sub" {
			sub = a["Value"].(string)
		}
	}
	res := cog.call("InitiateAuth", map[string]any{
		"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
		"AuthParameters": map[string]string{"USERNAME": "alice", "PASSWORD": password},
	})["AuthenticationResult"].(map[string]any)
	access, id := res["AccessToken"].(string), res["IdToken"].(string)

	issuer := fmt.Sprintf("https://cognito-idp.%s.amazonaws.com/%s", region, pool)
	jwks := endpoint + "/" + pool + "/.well-known/jwks.json"
	tests := []struct {
		name     string
		token    string
		tokenUse string
		issuer   string
		audience string
		wantErr  bool
	}{
		{"access token", access, "access", issuer, client, false},
		{"id token", id, "id", issuer, client, false},
		{"id token, any use", id, "", issuer, client, false},
		{"access token as id", access, "id", issuer, client, true},
		{"id token as access", id, "access", issuer, client, true},
		{"other client", access, "access", issuer, "other-client", true},
		{"other pool", id, "id", issuer + "x", client, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := newVerifier(t, Config{Issuer: tt.issuer, JWKSURL: jwks, Audiences: []string{tt.audience}, TokenUse: tt.tokenUse})
			c, err := v.Verify(context.Background(), tt.token)
			if gotErr := err != nil; gotErr != tt.wantErr {
				t.Fatalf("Verify error = %v, want error: %v", err, tt.wantErr)
			}
			if err == nil && c.Subject != sub {
				t.Errorf("Subject = %q, want %q", c.Subject, sub)
			}
		})
	}
}

// startMoto runs moto_server on a free port until the test ends. Without moto_server the test is
// skipped, except in CI (CI=true), where it fails.
func startMoto(t *testing.T) string {
	t.Helper()
	bin := testenv.Tool(t, "moto_server", "install Python moto")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	cmd := exec.Command(bin, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	endpoint := "http://127.0.0.1:" + strconv.Itoa(port)
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		select {
		case <-done:
			t.Fatalf("moto_server exited: %s", out.String())
		default:
		}
		if resp, err := http.Get(endpoint + "/moto-api/"); err == nil {
			resp.Body.Close()
			return endpoint
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer within 60s: %s", out.String())
		}
	}
}

// cognito calls the Cognito Identity Provider API over the AWS JSON protocol. moto reads the
// region from the credential scope of the Authorization header and does not check signatures.
type cognito struct {
	t                testing.TB
	endpoint, region string
}

func (c cognito) call(action string, in map[string]any) map[string]any {
	c.t.Helper()
	body, _ := json.Marshal(in)
	req, err := http.NewRequest("POST", c.endpoint+"/", bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", "AWSCognitoIdentityProviderService."+action)
	req.Header.Set("Content-Type", "application/x-amz-json-1.1")
	req.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/"+time.Now().UTC().Format("20060102")+
		"/"+c.region+"/cognito-idp/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s: %v", action, err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil && resp.StatusCode == http.StatusOK {
		c.t.Fatalf("%s: %v", action, err)
	}
	if resp.StatusCode != http.StatusOK {
		c.t.Fatalf("%s: %s %v", action, resp.Status, out)
	}
	return out
}
