package authtest

import (
	"crypto/subtle"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"time"
)

// ManagedIdentity is the token endpoint Azure App Service and Functions give a managed
// identity, for tests: the Azure SDK's ManagedIdentityCredential (and so
// DefaultAzureCredential) uses it when a process has IDENTITY_ENDPOINT and IDENTITY_HEADER in
// its environment. It answers the documented request — GET with api-version=2019-08-01,
// resource, client_id and the X-IDENTITY-HEADER secret — with a token its Issuer signs: sub
// and oid are the identity's object id and aud the resource, as Entra ID's app-only tokens.
type ManagedIdentity struct {
	Endpoint string // IDENTITY_ENDPOINT
	Header   string // IDENTITY_HEADER
	ClientID string // AZURE_CLIENT_ID of the user-assigned identity
	ObjectID string // the subject of its tokens

	issued atomic.Int64
}

// NewManagedIdentity starts the endpoint of one user-assigned identity whose tokens iss signs
// with key kid; it is stopped when the test ends.
func NewManagedIdentity(iss *Issuer, kid, clientID, objectID string) *ManagedIdentity {
	iss.t.Helper()
	mi := &ManagedIdentity{Header: random(), ClientID: clientID, ObjectID: objectID}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case r.Method != http.MethodGet || q.Get("api-version") != "2019-08-01":
			http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
			return
		case subtle.ConstantTimeCompare([]byte(r.Header.Get("X-IDENTITY-HEADER")), []byte(mi.Header)) != 1:
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		case q.Get("resource") == "" || q.Get("client_id") != mi.ClientID:
			http.Error(w, `{"error":"invalid_request","error_description":"unknown identity or no resource"}`, http.StatusBadRequest)
			return
		}
		claims := iss.Claims(mi.ObjectID, q.Get("resource"))
		claims["oid"], claims["azp"], claims["idtyp"] = mi.ObjectID, mi.ClientID, "app"
		mi.issued.Add(1)
		writeJSON(w, map[string]any{
			"access_token": iss.Sign(kid, claims),
			"expires_on":   strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10),
			"resource":     q.Get("resource"),
			"token_type":   "Bearer",
			"client_id":    mi.ClientID,
		})
	}))
	iss.t.Cleanup(srv.Close)
	mi.Endpoint = srv.URL + "/msi/token"
	return mi
}

// Issued counts the tokens handed out.
func (mi *ManagedIdentity) Issued() int { return int(mi.issued.Load()) }

// Env is the environment a process needs to use the identity.
func (mi *ManagedIdentity) Env() []string {
	return []string{"IDENTITY_ENDPOINT=" + mi.Endpoint, "IDENTITY_HEADER=" + mi.Header, "AZURE_CLIENT_ID=" + mi.ClientID}
}
