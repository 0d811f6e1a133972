/** What every sign-in provider (GitHub, OpenID Connect) offers the routes. */

/** The provider ids that appear in URLs: `/auth/<id>/signin`. */
export type ProviderId = "github" | "oidc";

/** Who the provider says signed in. */
export interface ProviderIdentity {
  /** The provider's stable id for the account; logins and emails can change hands. */
  subject: string;
  /** The provider's login or name, shown on the account page. */
  login?: string;
  /** Candidates for a new account's username, best first. */
  usernameHints: string[];
}

/** The secrets of one authorization request, kept in KV between sign-in and callback. */
export interface AuthorizationRequest {
  state: string;
  codeVerifier: string;
  nonce: string;
  redirectUri: string;
}

/** One configured provider: builds the authorization URL, then turns a code into an identity. */
export interface OAuthProvider {
  id: ProviderId;
  /** The name on its button: "GitHub", or OIDC_NAME. */
  label: string;
  authorizationUrl(request: AuthorizationRequest): Promise<URL>;
  identify(
    request: Omit<AuthorizationRequest, "state"> & { code: string },
  ): Promise<ProviderIdentity>;
}
