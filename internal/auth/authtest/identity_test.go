package authtest_test

import (
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"

	"github.com/docpipe/docpipe/internal/auth"
	"github.com/docpipe/docpipe/internal/auth/authtest"
)

// TestManagedIdentity checks the endpoint against the real Azure SDK: DefaultAzureCredential
// finds it in the environment and gets a token that docpipe's verifier accepts.
func TestManagedIdentity(t *testing.T) {
	iss := authtest.NewIssuer(t)
	iss.AddRSAKey("k1", "RS256")
	mi := authtest.NewManagedIdentity(iss, "k1", "11111111-2222-3333-4444-555555555555", "function-object-id")
	for _, kv := range mi.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	t.Setenv("AZURE_TENANT_ID", "")
	cred, err := azidentity.NewDefaultAzureCredential(nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := cred.GetToken(t.Context(), policy.TokenRequestOptions{Scopes: []string{"api://docpipe-api/.default"}})
	if err != nil {
		t.Fatal(err)
	}
	v, err := auth.NewVerifier(auth.Config{Issuer: iss.URL, JWKSURL: iss.JWKSURL, Audiences: []string{"api://docpipe-api"}})
	if err != nil {
		t.Fatal(err)
	}
	claims, err := v.Verify(t.Context(), tok.Token)
	if err != nil {
		t.Fatalf("the api refuses the managed identity's token: %v", err)
	}
	if claims.Subject != "function-object-id" || mi.Issued() != 1 {
		t.Errorf("subject %q after %d tokens, want function-object-id after 1", claims.Subject, mi.Issued())
	}
}
