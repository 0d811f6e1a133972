/**
 * Sign-in with any OpenID Connect provider: endpoints from discovery, the authorization
 * code flow with PKCE and a nonce through arctic, and the ID token verified by jose
 * (signature from the provider's JWKS, `iss`, `aud`, `exp`), then its nonce compared.
 */
import { CodeChallengeMethod, OAuth2Client } from "arctic";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { DomainError } from "../errors.ts";
import { exchangeCode, fetchProviderJson, unreachable } from "./fetch.ts";
import type { OAuthProvider } from "./types.ts";

/** Discovery documents are re-read after this long, so key and endpoint changes land. */
const DISCOVERY_MAX_AGE_MS = 60 * 60 * 1000;

const discoverySchema = z.object({
  issuer: z.string().min(1),
  authorization_endpoint: z.url(),
  token_endpoint: z.url(),
  jwks_uri: z.url(),
  id_token_signing_alg_values_supported: z.array(z.string()).optional(),
});

type Discovery = z.infer<typeof discoverySchema>;

/** ID token failures that mean the token is bad, as opposed to the keys being unreachable. */
const BAD_TOKEN_ERRORS = [
  errors.JWTClaimValidationFailed,
  errors.JWTExpired,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
];

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "");
}

function badIdToken(reason: string): DomainError {
  return new DomainError(
    "bad_request",
    "bad_id_token",
    `Sign-in failed: the ID token could not be verified (${reason}). Start again from the login page.`,
  );
}

/** The OpenID Connect provider at `issuer`; discovery and keys are cached per instance. */
export function createOidcProvider(
  options: {
    issuer: string;
    clientId: string;
    clientSecret?: string;
    name: string;
  },
): OAuthProvider {
  const label = options.name;
  let cached: { discovery: Discovery; at: number } | undefined;
  let jwks:
    | { uri: string; keys: ReturnType<typeof createRemoteJWKSet> }
    | undefined;

  const discover = async (): Promise<Discovery> => {
    if (cached && Date.now() - cached.at < DISCOVERY_MAX_AGE_MS) {
      return cached.discovery;
    }
    const body = await fetchProviderJson(
      `${trimSlash(options.issuer)}/.well-known/openid-configuration`,
      { label, headers: { accept: "application/json" } },
    );
    const parsed = discoverySchema.safeParse(body);
    // The spec asks for an exact match; a trailing slash is forgiven for operators' sake.
    if (
      !parsed.success ||
      trimSlash(parsed.data.issuer) !== trimSlash(options.issuer)
    ) {
      throw new DomainError(
        "upstream",
        "provider_bad_discovery",
        `Sign-in failed: ${label}'s OpenID configuration is invalid or names another issuer`,
      );
    }
    cached = { discovery: parsed.data, at: Date.now() };
    return parsed.data;
  };

  const keysFor = (uri: string) => {
    if (jwks?.uri !== uri) {
      jwks = { uri, keys: createRemoteJWKSet(new URL(uri)) };
    }
    return jwks.keys;
  };

  const client = (redirectUri: string) =>
    new OAuth2Client(
      options.clientId,
      options.clientSecret ?? null,
      redirectUri,
    );

  const verifyIdToken = async (
    idToken: string,
    discovery: Discovery,
    nonce: string,
  ): Promise<JWTPayload> => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(
        idToken,
        keysFor(discovery.jwks_uri),
        {
          issuer: discovery.issuer,
          audience: options.clientId,
          algorithms: discovery.id_token_signing_alg_values_supported?.filter(
            (alg) => alg !== "none",
          ),
          requiredClaims: ["sub", "exp", "iat"],
        },
      ));
    } catch (error) {
      if (BAD_TOKEN_ERRORS.some((type) => error instanceof type)) {
        throw badIdToken((error as Error).message);
      }
      throw unreachable(label);
    }
    if (payload.nonce !== nonce) throw badIdToken("wrong nonce");
    // With several audiences, OpenID Connect Core 3.1.3.7 wants us named as the party.
    if (
      Array.isArray(payload.aud) && payload.aud.length > 1 &&
      payload.azp !== options.clientId
    ) {
      throw badIdToken("unexpected azp");
    }
    if (typeof payload.sub !== "string" || payload.sub === "") {
      throw badIdToken("no subject");
    }
    return payload;
  };

  return {
    id: "oidc",
    label,
    async authorizationUrl(request) {
      const discovery = await discover();
      const url = client(request.redirectUri).createAuthorizationURLWithPKCE(
        discovery.authorization_endpoint,
        request.state,
        CodeChallengeMethod.S256,
        request.codeVerifier,
        ["openid", "profile", "email"],
      );
      url.searchParams.set("nonce", request.nonce);
      return url;
    },
    async identify(request) {
      const discovery = await discover();
      const tokens = await exchangeCode(client(request.redirectUri), {
        tokenEndpoint: discovery.token_endpoint,
        code: request.code,
        codeVerifier: request.codeVerifier,
        label,
      });
      const idToken = (tokens.data as { id_token?: unknown }).id_token;
      if (typeof idToken !== "string") throw badIdToken("no ID token");
      const claims = await verifyIdToken(idToken, discovery, request.nonce);
      const hint = (claim: string) =>
        typeof claims[claim] === "string" ? claims[claim] as string : "";
      return {
        // `sub` is unique only within its issuer (OpenID Connect Core 2), so a new
        // OIDC_ISSUER can never sign in to accounts made through the old one.
        subject: `${claims.iss}|${claims.sub}`,
        login: hint("preferred_username") || hint("email") || hint("name") ||
          undefined,
        usernameHints: [
          hint("preferred_username"),
          hint("email").split("@")[0],
          hint("nickname"),
          hint("name"),
        ],
      };
    },
  };
}
