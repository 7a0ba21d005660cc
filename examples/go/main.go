// Command tollgate-go calls an API behind Tollgate with golang.org/x/oauth2/clientcredentials,
// unchanged, on the oauth2 door.
//
// Build offline from Debian's packages (apt-get install golang-go golang-golang-x-oauth2-dev),
// which put the library's source in /usr/share/gocode:
//
//	GO111MODULE=off GOPATH=/usr/share/gocode go build -o tollgate-go ./examples/go
//
// Run:
//
//	TOLLGATE_URL=http://127.0.0.1:3000/test \
//	TOLLGATE_CLIENT_ID=cl_test_... TOLLGATE_CLIENT_SECRET=sk_test_... \
//	./tollgate-go [-auth header|params] [-calls 3]
//
// TOLLGATE_URL is the issuer: the server's address for live mode, with /test for test mode;
// TOLLGATE_SCOPE (optional, space-separated) asks for fewer scopes. TOLLGATE_AUDIENCE (optional,
// or -audience) names the API the token is for: its identifier (tollgate apis create), which
// becomes the token's aud; omitted, the default API. Prints one JSON object per step.
//
// How x/oauth2 meets Tollgate:
//   - Set AuthStyle. Left at AuthStyleAutoDetect, x/oauth2 tries HTTP Basic and, on any error,
//     the body, so every failure (a wrong secret, a 429) costs two attempts: a lockout
//     (LOCKOUT_MAX_FAILURES, default 5) comes after three tries instead of five.
//   - In the header it form-encodes id and secret first (url.QueryEscape), as RFC 6749
//     Appendix B asks, so every secret works with AuthStyleInHeader.
//   - The client reuses its token and takes a new one (client_credentials again) 10 s before
//     expiry; it never uses the refresh token, which the oauth2 door also returns.
//   - The API is named with RFC 8707's resource parameter in EndpointParams, which x/oauth2 adds
//     to every token request, so each renewal asks for the same API.
//   - Tollgate's own GET /api/v1/client/me takes tokens for the default API only. With an
//     audience, the example calls GET /auth/verify?audience=... instead: the check a proxy in
//     front of that API makes (spec §4).
package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"
)

func emit(fields map[string]interface{}) {
	out, _ := json.Marshal(fields)
	fmt.Println(string(out))
}

func fail(step string, err error) {
	emit(map[string]interface{}{"step": step, "error": err.Error()})
	os.Exit(1)
}

// audOf is the aud claim of a JWT access token, read without verifying it: for display only.
func audOf(accessToken string) interface{} {
	parts := strings.Split(accessToken, ".")
	if len(parts) != 3 {
		return nil
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return nil
	}
	var claims struct {
		Aud interface{} `json:"aud"`
	}
	_ = json.Unmarshal(payload, &claims)
	return claims.Aud
}

// callAPI calls the default API's GET /api/v1/client/me, or a named API's check at /auth/verify.
func callAPI(client *http.Client, issuer, audience string) map[string]interface{} {
	target := issuer + "/api/v1/client/me"
	if audience != "" {
		target = issuer + "/auth/verify?audience=" + url.QueryEscape(audience)
	}
	res, err := client.Get(target)
	if err != nil {
		fail("me", err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if audience != "" {
		return map[string]interface{}{"step": "verify", "status": res.StatusCode, "client_id": res.Header.Get("X-Client-Id")}
	}
	var me struct {
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	}
	_ = json.Unmarshal(body, &me)
	return map[string]interface{}{"step": "me", "status": res.StatusCode, "client_id": me.Data.ID}
}

func main() {
	auth := flag.String("auth", "header", "client authentication: header (client_secret_basic) or params (client_secret_post)")
	calls := flag.Int("calls", 2, "API calls to make with the same client")
	audience := flag.String("audience", os.Getenv("TOLLGATE_AUDIENCE"), "the API the token is for")
	flag.Parse()

	issuer := strings.TrimRight(os.Getenv("TOLLGATE_URL"), "/")
	style := oauth2.AuthStyleInHeader
	if *auth == "params" {
		style = oauth2.AuthStyleInParams
	}
	config := clientcredentials.Config{
		ClientID:     os.Getenv("TOLLGATE_CLIENT_ID"),
		ClientSecret: os.Getenv("TOLLGATE_CLIENT_SECRET"),
		TokenURL:     issuer + "/api/v1/oauth2/token",
		Scopes:       strings.Fields(os.Getenv("TOLLGATE_SCOPE")),
		AuthStyle:    style,
	}
	if *audience != "" {
		// RFC 8707: sent with every token request this config makes.
		config.EndpointParams = url.Values{"resource": {*audience}}
	}
	ctx := context.Background()

	token, err := config.Token(ctx)
	if err != nil {
		fail("token", err)
	}
	emit(map[string]interface{}{
		"step":              "token",
		"auth":              *auth,
		"token_type":        token.TokenType,
		"has_refresh_token": token.RefreshToken != "",
		"scope":             token.Extra("scope"),
		"aud":               audOf(token.AccessToken),
	})

	// config.Client adds the Bearer header and reuses the token until it nears expiry.
	client := config.Client(ctx)
	for i := 0; i < *calls; i++ {
		emit(callAPI(client, issuer, *audience))
	}
}
