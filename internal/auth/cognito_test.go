package auth

import (
	"context"
	"fmt"
	"testing"

	"github.com/docpipe/docpipe/internal/blob/blobtest"
)

// TestCognitoTokensFromMoto verifies real tokens from moto's Cognito: an access token (no aud,
// client_id and token_use "access") and an id token (aud is the client id). moto signs them with
// an iss of the real AWS URL and serves the keys itself, so the JWKS URL is set separately.
func TestCognitoTokensFromMoto(t *testing.T) {
	endpoint := blobtest.StartMoto(t).Endpoint
	const region = "us-east-1"
	call := func(action string, in map[string]any) map[string]any {
		return blobtest.AWSJSON(t, endpoint, "AWSCognitoIdentityProviderService."+action, in)
	}

	pool := call("CreateUserPool", map[string]any{"PoolName": "docpipe"})["UserPool"].(map[string]any)["Id"].(string)
	client := call("CreateUserPoolClient", map[string]any{
		"UserPoolId": pool, "ClientName": "docpipe-api", "GenerateSecret": false,
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})["UserPoolClient"].(map[string]any)["ClientId"].(string)
	call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": "alice", "MessageAction": "SUPPRESS"})
	const password = "Corr3ct-Horse-Battery!"
	call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": "alice", "Password": password, "Permanent": true})
	user := call("AdminGetUser", map[string]any{"UserPoolId": pool, "Username": "alice"})
	var sub string
	for _, a := range user["UserAttributes"].([]any) {
		if a := a.(map[string]any); a["Name"] == "sub" {
			sub = a["Value"].(string)
		}
	}
	res := call("InitiateAuth", map[string]any{
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
