package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/docpipe/docpipe/internal/blob/blobtest"
)

// TestAPIAcceptsCognitoTokens runs the real binary's api with DOCPIPE_AUTH=oidc against tokens
// from moto's Cognito: the iss is the real AWS URL while moto serves the keys, so the issuer and
// the JWKS URL are set apart. Access tokens are accepted, id tokens refused (token_use), and
// each user sees only their own documents.
func TestAPIAcceptsCognitoTokens(t *testing.T) {
	moto := blobtest.StartMoto(t)
	const region = "us-east-1"
	call := func(action string, in map[string]any) map[string]any {
		return blobtest.AWSJSON(t, moto.Endpoint, "AWSCognitoIdentityProviderService."+action, in)
	}
	pool := call("CreateUserPool", map[string]any{"PoolName": "docpipe"})["UserPool"].(map[string]any)["Id"].(string)
	client := call("CreateUserPoolClient", map[string]any{
		"UserPoolId": pool, "ClientName": "docpipe-web", "GenerateSecret": false,
		"ExplicitAuthFlows": []string{"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"},
	})["UserPoolClient"].(map[string]any)["ClientId"].(string)
	tokens := map[string][2]string{}
	for _, user := range []string{"alice", "bob"} {
		const password = "Corr3ct-Horse-Battery!"
		call("AdminCreateUser", map[string]any{"UserPoolId": pool, "Username": user, "MessageAction": "SUPPRESS"})
		call("AdminSetUserPassword", map[string]any{"UserPoolId": pool, "Username": user, "Password": password, "Permanent": true})
		res := call("InitiateAuth", map[string]any{
			"ClientId": client, "AuthFlow": "USER_PASSWORD_AUTH",
			"AuthParameters": map[string]string{"USERNAME": user, "PASSWORD": password},
		})["AuthenticationResult"].(map[string]any)
		tokens[user] = [2]string{res["AccessToken"].(string), res["IdToken"].(string)}
	}

	api := start(t, "api", "DOCPIPE_DATA_DIR="+t.TempDir(), "DOCPIPE_AUTH=oidc",
		fmt.Sprintf("DOCPIPE_OIDC_ISSUER=https://cognito-idp.%s.amazonaws.com/%s", region, pool),
		"DOCPIPE_OIDC_JWKS_URL="+moto.Endpoint+"/"+pool+"/.well-known/jwks.json",
		"DOCPIPE_OIDC_AUDIENCE="+client, "DOCPIPE_OIDC_TOKEN_USE=access")

	_, png := scan(t, paragraphs)
	req, _ := http.NewRequest(http.MethodPost, api.url+"/v1/documents", bytes.NewReader(png))
	req.Header.Set("Content-Disposition", `attachment; filename="scan.png"`)
	req.Header.Set("Authorization", "Bearer "+tokens["alice"][0])
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var up struct{ Documents []document }
	_ = json.NewDecoder(resp.Body).Decode(&up)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted || len(up.Documents) != 1 {
		t.Fatalf("upload with alice's access token = %s", resp.Status)
	}
	id := up.Documents[0].ID

	tests := []struct {
		name, token string
		want        int
	}{
		{"alice's access token", tokens["alice"][0], http.StatusOK},
		{"alice's id token", tokens["alice"][1], http.StatusUnauthorized},
		{"bob's access token", tokens["bob"][0], http.StatusNotFound},
		{"no token", "", http.StatusUnauthorized},
		{"tampered token", tokens["alice"][0][:len(tokens["alice"][0])-4] + "AAAA", http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, api.url+"/v1/documents/"+id, nil)
			if tt.token != "" {
				req.Header.Set("Authorization", "Bearer "+tt.token)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Errorf("GET the document = %s, want %d", resp.Status, tt.want)
			}
		})
	}
}

// cognitoAPI calls moto's Cognito Identity Provider over the AWS JSON protocol; moto takes the
